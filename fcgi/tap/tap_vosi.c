#include <stdio.h>
#include <string.h>

#include "adql_func.h"
#include "tap_out.h"
#include "tap_vosi.h"

#define NS_TABLES	"http://www.ivoa.net/xml/VOSITables/v1.0"
#define NS_VS		"http://www.ivoa.net/xml/VODataService/v1.1"
#define NS_XSI		"http://www.w3.org/2001/XMLSchema-instance"

#define VOSI_MIME	"text/xml;charset=UTF-8"

static void
column(struct xmlw *w, const struct adql_column *ac,
    const struct tap_column *tc)
{
	xmlw_open(w, "column", "std", tc->std ? "true" : NULL, NULL);
	xmlw_elem(w, "name", tc->name, NULL);
	if (tc->description != NULL)
		xmlw_elem(w, "description", tc->description, NULL);
	if (ac->unit != NULL)
		xmlw_elem(w, "unit", ac->unit, NULL);
	if (ac->ucd != NULL)
		xmlw_elem(w, "ucd", ac->ucd, NULL);
	if (ac->utype != NULL)
		xmlw_elem(w, "utype", ac->utype, NULL);
	xmlw_elem(w, "dataType", ac->datatype, "xsi:type", "vs:VOTableType",
	    "arraysize", ac->arraysize, "extendedType", ac->xtype, NULL);
	if (tc->indexed)
		xmlw_elem(w, "flag", "indexed", NULL);
	if (tc->principal)
		xmlw_elem(w, "flag", "principal", NULL);
	xmlw_close(w);
}

static void
foreign_key(struct xmlw *w, const struct tap_key *k)
{
	xmlw_open(w, "foreignKey", NULL);
	xmlw_elem(w, "targetTable", k->target, NULL);
	for (int i = 0; i < k->ncols; i++) {
		xmlw_open(w, "fkColumn", NULL);
		xmlw_elem(w, "fromColumn", k->from[i], NULL);
		xmlw_elem(w, "targetColumn", k->to[i], NULL);
		xmlw_close(w);
	}
	if (k->description != NULL)
		xmlw_elem(w, "description", k->description, NULL);
	if (k->utype != NULL)
		xmlw_elem(w, "utype", k->utype, NULL);
	xmlw_close(w);
}

/* The table's body: name, description, utype, then with DETAIL the rest. */
static void
table_body(struct xmlw *w, const struct tap_table *t, int detail)
{
	int	 i;

	xmlw_elem(w, "name", t->name, NULL);
	if (t->description != NULL)
		xmlw_elem(w, "description", t->description, NULL);
	if (t->utype != NULL)
		xmlw_elem(w, "utype", t->utype, NULL);
	if (!detail)
		return;
	for (i = 0; i < t->adql->ncols; i++)
		column(w, &t->adql->cols[i], &t->cols[i]);
	for (i = 0; i < t->nkeys; i++)
		foreign_key(w, &t->keys[i]);
}

/* VODataService's words for TAP_SCHEMA's table_type. */
static const char *
table_type(const struct tap_table *t)
{
	return strcmp(t->type, "view") == 0 ? "view" : "base_table";
}

static void
schema(struct xmlw *w, const struct tap_catalog *c, const char *name,
    const struct tap_schema *s, int detail)
{
	xmlw_open(w, "schema", NULL);
	xmlw_elem(w, "name", name, NULL);
	if (s != NULL && s->description != NULL)
		xmlw_elem(w, "description", s->description, NULL);
	if (s != NULL && s->utype != NULL)
		xmlw_elem(w, "utype", s->utype, NULL);
	for (int i = 0; i < c->adql.ntables; i++)
		if (strcmp(c->tables[i].schema, name) == 0) {
			xmlw_open(w, "table", "type", table_type(&c->tables[i]),
			    NULL);
			table_body(w, &c->tables[i], detail);
			xmlw_close(w);
		}
	xmlw_close(w);
}

/* Whether the schema of table I came before it, or is in the list. */
static int
schema_seen(const struct tap_catalog *c, int i)
{
	const char	*name = c->tables[i].schema;
	int		 k;

	for (k = 0; k < c->nschemas; k++)
		if (strcmp(c->schemas[k].name, name) == 0)
			return 1;
	for (k = 0; k < i; k++)
		if (strcmp(c->tables[k].schema, name) == 0)
			return 1;
	return 0;
}

void
tap_vosi_tableset(struct response *r, const struct tap_catalog *c, int detail)
{
	struct xmlw	 w;
	int		 i;

	resp_content_type(r, VOSI_MIME);
	xmlw_init(&w, r);
	xmlw_decl(&w);
	xmlw_open(&w, "vosi:tableset", "xmlns:vosi", NS_TABLES, "xmlns:vs",
	    NS_VS, "xmlns:xsi", NS_XSI, NULL);
	for (i = 0; i < c->nschemas; i++)
		schema(&w, c, c->schemas[i].name, &c->schemas[i], detail);
	/* A table whose schema TAP_SCHEMA.schemas forgot still shows. */
	for (i = 0; i < c->adql.ntables; i++)
		if (!schema_seen(c, i))
			schema(&w, c, c->tables[i].schema, NULL, detail);
	xmlw_close_all(&w);
	resp_puts(r, "\n");
}

void
tap_vosi_table(struct response *r, const struct tap_table *t)
{
	struct xmlw	 w;

	resp_content_type(r, VOSI_MIME);
	xmlw_init(&w, r);
	xmlw_decl(&w);
	xmlw_open(&w, "vosi:table", "xmlns:vosi", NS_TABLES, "xmlns:vs", NS_VS,
	    "xmlns:xsi", NS_XSI, "type", table_type(t), NULL);
	table_body(&w, t, 1);
	xmlw_close_all(&w);
	resp_puts(r, "\n");
}

/* --- TAPRegExt ------------------------------------------------------------ */

#define FEATURE(x)	"ivo://ivoa.net/std/TAPRegExt#features-" x

static void
features(struct xmlw *w, const char *type, const char *const *forms)
{
	xmlw_open(w, "languageFeatures", "type", type, NULL);
	for (; *forms != NULL; forms++) {
		xmlw_open(w, "feature", NULL);
		xmlw_elem(w, "form", *forms, NULL);
		xmlw_close(w);
	}
	xmlw_close(w);
}

/*
 * The optional features of ADQL 2.1 that the parser and the emitter
 * implement.  COALESCE works too, but its feature type (adql-conditional)
 * is newer than what validators of TAPRegExt 1.0 know, so it is not
 * declared.
 */
static const char *const string_forms[] = { "LOWER", "UPPER", "ILIKE", NULL };
static const char *const sets_forms[] = { "UNION", "EXCEPT", "INTERSECT",
	NULL };
static const char *const offset_forms[] = { "OFFSET", NULL };
static const char *const type_forms[] = { "CAST", NULL };

static void
language(struct xmlw *w)
{
	const char	*geo[F__MAX + 1];
	int		 i, n = 0;

	xmlw_open(w, "language", NULL);
	xmlw_elem(w, "name", "ADQL", NULL);
	xmlw_elem(w, "version", "2.0", "ivo-id", "ivo://ivoa.net/std/ADQL#v2.0",
	    NULL);
	xmlw_elem(w, "version", "2.1", "ivo-id", "ivo://ivoa.net/std/ADQL#v2.1",
	    NULL);
	xmlw_elem(w, "description", "ADQL 2.1 (and 2.0, which it contains), "
	    "translated to PostgreSQL with pgSphere", NULL);
	/* Exactly the geometry functions the function table translates. */
	for (i = F_POINT; i <= F_CENTROID; i++)
		geo[n++] = adql_funcs[i].name;
	geo[n] = NULL;
	features(w, FEATURE("adqlgeo"), geo);
	features(w, FEATURE("adql-string"), string_forms);
	features(w, FEATURE("adql-sets"), sets_forms);
	features(w, FEATURE("adql-offset"), offset_forms);
	features(w, FEATURE("adql-type"), type_forms);
	xmlw_close(w);
}

/* Exactly the formats a query can be answered in. */
static void
output_formats(struct xmlw *w)
{
	const struct tap_out	*o;

	for (o = tap_outs; o->name != NULL; o++) {
		xmlw_open(w, "outputFormat", "ivo-id", o->ivo_id, NULL);
		xmlw_elem(w, "mime", o->mime, NULL);
		xmlw_elem(w, "alias", o->name, NULL);
		xmlw_close(w);
	}
}

void
tap_vosi_capability(struct xmlw *w, const struct tap_vosi_limits *l)
{
	char	 def[32], hard[32];

	xmlw_elem(w, "dataModel", "ObsCore-1.1", "ivo-id",
	    "ivo://ivoa.net/std/ObsCore#core-1.1", NULL);
	language(w);
	output_formats(w);
	/* TAP_UPLOAD: inline parts and URLs both, as taplint expects. */
	xmlw_elem(w, "uploadMethod", NULL, "ivo-id",
	    "ivo://ivoa.net/std/TAPRegExt#upload-inline", NULL);
	xmlw_elem(w, "uploadMethod", NULL, "ivo-id",
	    "ivo://ivoa.net/std/TAPRegExt#upload-http", NULL);
	/*
	 * TAPRegExt 1.0 §2.4: the limits of async jobs (a sync query has
	 * statement_timeout, which is no longer than these).
	 */
	snprintf(def, sizeof(def), "%ld", l->retention_s);
	xmlw_open(w, "retentionPeriod", NULL);
	xmlw_elem(w, "default", def, NULL);
	xmlw_elem(w, "hard", def, NULL);
	xmlw_close(w);
	snprintf(def, sizeof(def), "%ld", l->exec_default_s);
	snprintf(hard, sizeof(hard), "%ld", l->exec_hard_s);
	xmlw_open(w, "executionDuration", NULL);
	xmlw_elem(w, "default", def, NULL);
	xmlw_elem(w, "hard", hard, NULL);
	xmlw_close(w);
	snprintf(def, sizeof(def), "%ld", l->maxrec_default);
	snprintf(hard, sizeof(hard), "%ld", l->maxrec_limit);
	xmlw_open(w, "outputLimit", NULL);
	xmlw_elem(w, "default", def, "unit", "row", NULL);
	xmlw_elem(w, "hard", hard, "unit", "row", NULL);
	xmlw_close(w);
	snprintf(def, sizeof(def), "%ld", l->upload_max_size);
	xmlw_open(w, "uploadLimit", NULL);
	xmlw_elem(w, "default", def, "unit", "byte", NULL);
	xmlw_elem(w, "hard", def, "unit", "byte", NULL);
	xmlw_close(w);
}
