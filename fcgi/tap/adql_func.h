/*
 * adql_func: the functions ADQL 2.1 offers and this service translates
 * (§2.3.3, §2.4, §2.5; optional features LOWER/UPPER and COALESCE).
 * Nothing outside this table is callable: a name not here is an unknown
 * function, so no PostgreSQL function can be reached by naming it.
 */
#ifndef RIF_ADQL_FUNC_H
#define RIF_ADQL_FUNC_H

#include "adql_ast.h"

enum adql_fid {
	/* numeric, one PostgreSQL function each */
	F_ABS, F_CEILING, F_DEGREES, F_EXP, F_FLOOR, F_LOG, F_LOG10, F_POWER,
	F_RADIANS, F_SQRT, F_ACOS, F_ASIN, F_ATAN, F_ATAN2, F_COS, F_COT,
	F_SIN, F_TAN, F_PI,
	/* numeric, translated */
	F_MOD, F_ROUND, F_TRUNCATE, F_RAND,
	/* strings and the like */
	F_LOWER, F_UPPER, F_COALESCE,
	/* aggregates */
	F_COUNT, F_SUM, F_AVG, F_MIN, F_MAX,
	/* geometry */
	F_POINT, F_CIRCLE, F_BOX, F_POLYGON, F_CONTAINS, F_INTERSECTS,
	F_DISTANCE, F_AREA, F_COORD1, F_COORD2, F_CENTROID,
	F__MAX
};

struct adql_func {
	const char	*name;		/* ADQL's, upper case */
	const char	*sql;		/* PostgreSQL's, where one maps to it */
	int		 minargs;
	int		 maxargs;	/* -1: any number */
	enum adql_type	 ret;		/* ADQL_T_NONE: the checker says */
};

extern const struct adql_func	adql_funcs[F__MAX];

/* The function named NAME (any case), or -1. */
int	adql_func_find(const char *name);
int	adql_func_is_aggregate(int fid);

#endif
