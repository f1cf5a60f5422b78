#include <strings.h>

#include "adql_func.h"

#define NUM(id, n, s, lo, hi)	[id] = { n, s, lo, hi, ADQL_T_REAL }
#define ANY(id, n, s, lo, hi)	[id] = { n, s, lo, hi, ADQL_T_NONE }

const struct adql_func adql_funcs[F__MAX] = {
	ANY(F_ABS, "ABS", "abs", 1, 1),
	ANY(F_CEILING, "CEILING", "ceil", 1, 1),
	NUM(F_DEGREES, "DEGREES", "degrees", 1, 1),
	NUM(F_EXP, "EXP", "exp", 1, 1),
	ANY(F_FLOOR, "FLOOR", "floor", 1, 1),
	NUM(F_LOG, "LOG", "ln", 1, 1),
	NUM(F_LOG10, "LOG10", "log", 1, 1),
	NUM(F_POWER, "POWER", "power", 2, 2),
	NUM(F_RADIANS, "RADIANS", "radians", 1, 1),
	NUM(F_SQRT, "SQRT", "sqrt", 1, 1),
	NUM(F_ACOS, "ACOS", "acos", 1, 1),
	NUM(F_ASIN, "ASIN", "asin", 1, 1),
	NUM(F_ATAN, "ATAN", "atan", 1, 1),
	NUM(F_ATAN2, "ATAN2", "atan2", 2, 2),
	NUM(F_COS, "COS", "cos", 1, 1),
	NUM(F_COT, "COT", "cot", 1, 1),
	NUM(F_SIN, "SIN", "sin", 1, 1),
	NUM(F_TAN, "TAN", "tan", 1, 1),
	NUM(F_PI, "PI", "pi", 0, 0),
	ANY(F_MOD, "MOD", "mod", 2, 2),
	ANY(F_ROUND, "ROUND", "round", 1, 2),
	ANY(F_TRUNCATE, "TRUNCATE", "trunc", 1, 2),
	NUM(F_RAND, "RAND", "random", 0, 0),
	[F_LOWER] = { "LOWER", "lower", 1, 1, ADQL_T_STR },
	[F_UPPER] = { "UPPER", "upper", 1, 1, ADQL_T_STR },
	ANY(F_COALESCE, "COALESCE", "coalesce", 1, -1),
	[F_COUNT] = { "COUNT", "count", 0, 1, ADQL_T_INT },
	ANY(F_SUM, "SUM", "sum", 1, 1),
	NUM(F_AVG, "AVG", "avg", 1, 1),
	ANY(F_MIN, "MIN", "min", 1, 1),
	ANY(F_MAX, "MAX", "max", 1, 1),
	[F_POINT] = { "POINT", NULL, 2, 3, ADQL_T_POINT },
	[F_CIRCLE] = { "CIRCLE", NULL, 2, 4, ADQL_T_CIRCLE },
	[F_BOX] = { "BOX", NULL, 3, 5, ADQL_T_POLY },
	[F_POLYGON] = { "POLYGON", NULL, 3, -1, ADQL_T_POLY },
	[F_CONTAINS] = { "CONTAINS", NULL, 2, 2, ADQL_T_INT },
	[F_INTERSECTS] = { "INTERSECTS", NULL, 2, 2, ADQL_T_INT },
	NUM(F_DISTANCE, "DISTANCE", NULL, 2, 4),
	NUM(F_AREA, "AREA", NULL, 1, 1),
	NUM(F_COORD1, "COORD1", NULL, 1, 1),
	NUM(F_COORD2, "COORD2", NULL, 1, 1),
	[F_CENTROID] = { "CENTROID", NULL, 1, 1, ADQL_T_POINT }
};

int
adql_func_find(const char *name)
{
	int	 i;

	for (i = 0; i < F__MAX; i++)
		if (strcasecmp(name, adql_funcs[i].name) == 0)
			return i;
	return -1;
}

int
adql_func_is_aggregate(int fid)
{
	return fid >= F_COUNT && fid <= F_MAX;
}
