#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adql_words.h"

/*
 * ADQL 2.1 §2.1.3's two lists, merged, in strcasecmp() order for bsearch()
 * (so "_" sorts before letters).
 */
static const char *const reserved[] = {
	"ABS", "ABSOLUTE", "ACOS", "ACTION", "ADD", "ALL", "ALLOCATE",
	"ALTER", "AND", "ANY", "ARE", "AREA", "AS", "ASC", "ASIN",
	"ASSERTION", "AT", "ATAN", "ATAN2", "AUTHORIZATION", "AVG", "BEGIN",
	"BETWEEN", "BIGINT", "BIT", "BIT_LENGTH", "BOTH", "BOX", "BY",
	"CASCADE", "CASCADED", "CASE", "CAST", "CATALOG", "CEILING",
	"CENTROID", "CHAR", "CHAR_LENGTH", "CHARACTER", "CHARACTER_LENGTH",
	"CHECK", "CIRCLE", "CLOSE", "COALESCE", "COLLATE", "COLLATION",
	"COLUMN", "COMMIT", "CONNECT", "CONNECTION", "CONSTRAINT",
	"CONSTRAINTS", "CONTAINS", "CONTINUE", "CONVERT", "COORD1", "COORD2",
	"COORDSYS", "CORRESPONDING", "COS", "COUNT", "CREATE", "CROSS",
	"CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
	"CURRENT_USER", "CURSOR", "DATE", "DAY", "DEALLOCATE", "DECIMAL",
	"DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED", "DEGREES", "DELETE",
	"DESC", "DESCRIBE", "DESCRIPTOR", "DIAGNOSTICS", "DISCONNECT",
	"DISTANCE", "DISTINCT", "DOMAIN", "DOUBLE", "DROP", "ELSE", "END",
	"ESCAPE", "EXCEPT", "EXCEPTION", "EXEC", "EXECUTE", "EXISTS", "EXP",
	"EXTERNAL", "EXTRACT", "FALSE", "FETCH", "FIRST", "FLOAT", "FLOOR",
	"FOR", "FOREIGN", "FOUND", "FROM", "FULL", "GET", "GLOBAL", "GO",
	"GOTO", "GRANT", "GROUP", "HAVING", "HOUR", "IDENTITY", "ILIKE",
	"IMMEDIATE", "IN", "IN_UNIT", "INDICATOR", "INITIALLY", "INNER",
	"INPUT", "INSENSITIVE", "INSERT", "INT", "INTEGER", "INTERSECT",
	"INTERSECTS", "INTERVAL", "INTO", "IS", "ISOLATION", "JOIN", "KEY",
	"LANGUAGE", "LAST", "LEADING", "LEFT", "LEVEL", "LIKE", "LOCAL",
	"LOG", "LOG10", "LOWER", "MATCH", "MAX", "MIN", "MINUTE", "MOD",
	"MODULE", "MONTH", "NAMES", "NATIONAL", "NATURAL", "NCHAR", "NEXT",
	"NO", "NOT", "NULL", "NULLIF", "NUMERIC", "OCTET_LENGTH", "OF", "ON",
	"ONLY", "OPEN", "OPTION", "OR", "ORDER", "OUTER", "OUTPUT",
	"OVERLAPS", "PAD", "PARTIAL", "PI", "POINT", "POLYGON", "POSITION",
	"POWER", "PRECISION", "PREPARE", "PRESERVE", "PRIMARY", "PRIOR",
	"PRIVILEGES", "PROCEDURE", "PUBLIC", "RADIANS", "RAND", "READ",
	"REAL", "REFERENCES", "REGION", "RELATIVE", "RESTRICT", "REVOKE",
	"RIGHT", "ROLLBACK", "ROUND", "ROWS", "SCHEMA", "SCROLL", "SECOND",
	"SECTION", "SELECT", "SESSION", "SESSION_USER", "SET", "SIN", "SIZE",
	"SMALLINT", "SOME", "SPACE", "SQL", "SQLCODE", "SQLERROR",
	"SQLSTATE", "SQRT", "SUBSTRING", "SUM", "SYSTEM_USER", "TABLE",
	"TAN", "TEMPORARY", "THEN", "TIME", "TIMESTAMP", "TIMEZONE_HOUR",
	"TIMEZONE_MINUTE", "TO", "TOP", "TRAILING", "TRANSACTION",
	"TRANSLATE", "TRANSLATION", "TRIM", "TRUE", "TRUNCATE", "UNION",
	"UNIQUE", "UNKNOWN", "UPDATE", "UPPER", "USAGE", "USER", "USING",
	"VALUE", "VALUES", "VARCHAR", "VARYING", "VIEW", "WHEN", "WHENEVER",
	"WHERE", "WITH", "WORK", "WRITE", "YEAR", "ZONE"
};

static int
cmp(const void *key, const void *elem)
{
	return strcasecmp(key, *(const char *const *)elem);
}

int
adql_reserved(const char *word, size_t len)
{
	char	 buf[32];

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, word, len);
	buf[len] = '\0';
	return bsearch(buf, reserved, sizeof(reserved) / sizeof(reserved[0]),
	    sizeof(reserved[0]), cmp) != NULL;
}
