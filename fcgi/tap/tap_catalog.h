/*
 * tap_catalog: what TAP_SCHEMA publishes, read from the database into the
 * catalogue the ADQL checker resolves names against, with the rest of the
 * metadata (descriptions, flags, keys) that /tables and FIELDs show.
 *
 * Names in TAP_SCHEMA are ADQL names.  A regular identifier names the
 * database object PostgreSQL folds it to (lower case); a "delimited" one
 * names it exactly, without its quotes.  So 'ivoa.ObsCore' is the table
 * ivoa.obscore, which ADQL reaches as ivoa.obscore, IVOA.OBSCORE or
 * "ivoa"."ObsCore"; and the column '"size"' of TAP_SCHEMA.columns is the
 * database's column size, which ADQL reaches only as "size".
 *
 * A catalogue is built row by row (tap_catalog_add_*) and then finished,
 * which fixes the adql_catalog the checker reads; tap_catalog_load() does
 * that from the database.  The catalogue owns every string and array it
 * points to; tap_catalog_free() releases them all, and must come after the
 * last tree checked against it is freed.
 */
#ifndef RIF_TAP_CATALOG_H
#define RIF_TAP_CATALOG_H

#include <stddef.h>

#include "adql_catalog.h"

struct db;

/* What TAP_SCHEMA says of a column beyond what the checker needs. */
struct tap_column {
	const char	*name;		/* as TAP_SCHEMA writes it */
	const char	*description;
	long		 size;		/* "size", or -1 for NULL */
	int		 indexed;
	int		 principal;
	int		 std;
};

struct tap_key {
	const char	*id;
	const char	*target;	/* target_table */
	const char	*description;
	const char	*utype;
	const char	**from;		/* from_column, NCOLS of them */
	const char	**to;		/* target_column */
	int		 ncols;
};

/* A published table: its TAP_SCHEMA row, its columns and keys. */
struct tap_table {
	const char		*schema;	/* schema_name */
	const char		*name;		/* table_name, as written */
	const char		*type;		/* table or view */
	const char		*utype;
	const char		*description;
	const struct adql_table	*adql;		/* the checker's view */
	struct tap_column	*cols;		/* adql->ncols of them */
	struct tap_key		*keys;
	int			 nkeys;
};

struct tap_schema {
	const char	*name;
	const char	*utype;
	const char	*description;
};

struct tap_catalog {
	struct adql_catalog	 adql;		/* what queries may name */
	struct tap_table	*tables;	/* adql.ntables, same order */
	struct tap_schema	*schemas;
	int			 nschemas;
	struct tap_catalog_mem	*mem;
};

struct tap_catalog *tap_catalog_new(void);
void		 tap_catalog_free(struct tap_catalog *);

/*
 * Add a schema; add a column of a table (the first column of a table adds
 * the table, and its columns must come together); add one column pair of a
 * foreign key.  Each returns 0, 1 when the row was skipped because a name
 * in it is not a valid ADQL identifier (WHY says which), or -1 when memory
 * runs out.  The strings are copied; any may be NULL but the names.
 */
int	tap_catalog_add_schema(struct tap_catalog *, const char *name,
	    const char *utype, const char *description);
struct tap_column_row {
	const char	*schema, *table, *table_type, *table_utype,
			*table_description;
	const char	*column, *datatype, *arraysize, *xtype, *unit, *ucd,
			*utype, *description;
	long		 size;
	int		 indexed, principal, std;
};
int	tap_catalog_add_column(struct tap_catalog *,
	    const struct tap_column_row *, char *why, size_t whysize);
int	tap_catalog_add_key(struct tap_catalog *, const char *id,
	    const char *from_table, const char *target_table,
	    const char *description, const char *utype,
	    const char *from_column, const char *target_column);
/* Fix the adql_catalog after the last row; -1 when memory runs out. */
int	tap_catalog_finish(struct tap_catalog *);

/* The table TAP_SCHEMA names NAME (any case, as a client may write it). */
const struct tap_table *tap_catalog_table(const struct tap_catalog *,
	    const char *name);

/*
 * Split the ADQL name at *S (a regular identifier, or a delimited one with
 * "" for a quote) into its ADQL form ADQL (unquoted) and its database form
 * DB (regular ones in lower case), each up to SIZE bytes, and move *S past
 * it.  -1 when *S does not start with an identifier or it does not fit.
 */
int	tap_ident(const char **s, char *adql, char *db, size_t size);

/*
 * Read TAP_SCHEMA through the statements tap_catalog_prepare() registered
 * on DB.  Returns 0 with a new catalogue in *OUT, or the db_status of the
 * failure (as an int) with *OUT NULL.
 */
int	tap_catalog_prepare(struct db *);
int	tap_catalog_load(struct db *, struct tap_catalog **out);

#endif
