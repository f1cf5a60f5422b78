/*
 * adql_catalog: the tables a query may see, as TAP_SCHEMA describes them.
 *
 * The caller owns the catalogue; a checked tree points into it (field
 * metadata, table names), so the catalogue must outlive every tree checked
 * against it.  Column names are the database's too; a table's database
 * schema and name default to its ADQL ones.
 */
#ifndef RIF_ADQL_CATALOG_H
#define RIF_ADQL_CATALOG_H

struct adql_column {
	const char	*name;		/* TAP_SCHEMA.columns.column_name */
	const char	*datatype;	/* VOTable's: char, int, double... */
	const char	*arraysize;	/* NULL for a scalar */
	const char	*xtype;
	const char	*unit;
	const char	*ucd;
	const char	*utype;
	/*
	 * The database type where it matters to ADQL: "spoint", "scircle"
	 * or "spoly" for geometry; NULL to go by xtype (point, circle,
	 * polygon, adql:REGION, timestamp) and datatype.
	 */
	const char	*sqltype;
};

struct adql_table {
	const char			*schema;	/* e.g. "ivoa" */
	const char			*name;		/* e.g. "obscore" */
	const char			*db_schema;	/* NULL: schema */
	const char			*db_name;	/* NULL: name */
	const struct adql_column	*cols;
	int				 ncols;
};

struct adql_catalog {
	const struct adql_table	*tables;
	int			 ntables;
};

#endif
