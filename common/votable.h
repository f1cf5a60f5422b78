/*
 * votable: VOTable 1.4 TABLEDATA documents, written as a stream.
 *
 * Built on xmlw, so every value is escaped on the way out.  A document is
 * written top to bottom: vot_begin(), a RESOURCE with its INFOs, a TABLE
 * with FIELDs, vot_data_begin(), one vot_tr_begin()/vot_td*()/vot_tr_end()
 * per row as the rows arrive, vot_data_end(), trailing INFOs, then
 * xmlw_close_all().  Rows are never collected in memory.
 *
 * Nulls follow VOTable 1.3+: an empty <TD/> for every type.
 */
#ifndef RIF_VOTABLE_H
#define RIF_VOTABLE_H

#include "params.h"
#include "response.h"
#include "xmlw.h"

#define VOT_MIME		"application/x-votable+xml"

/*
 * The VOTable version a document declares.  1.4 is the default.  1.1 is for
 * Simple Cone Search results: Cone Search 1.03 names VOTable 1.0/1.1, and
 * its UCD1 words (ID_MAIN, POS_EQ_RA_MAIN) are only valid UCDs before 1.2;
 * a 1.1 document has no xtype, no INFO after a TABLE, and integer nulls
 * need a VALUES null value.
 */
enum vot_version {
	VOT_1_4,
	VOT_1_1
};

struct vot_field {
	const char	*name;
	const char	*datatype;
	const char	*arraysize;	/* NULL for scalars */
	const char	*ucd;
	const char	*unit;
	const char	*utype;
	const char	*xtype;
	const char	*id;		/* XML ID, for refs from descriptors */
	const char	*ref;		/* e.g. the COOSYS ID */
	const char	*description;
	const char	*null;		/* VALUES null, for integers in 1.1 */
};

/* <?xml?> and <VOTABLE version=... xmlns=...> with that version's namespace. */
void	vot_begin(struct xmlw *, enum vot_version);
void	vot_info(struct xmlw *, const char *name, const char *value,
	    const char *text);
void	vot_field(struct xmlw *, const struct vot_field *);
/* <DATA><TABLEDATA> and their closing tags. */
void	vot_data_begin(struct xmlw *);
void	vot_data_end(struct xmlw *);
void	vot_tr_begin(struct xmlw *);
void	vot_tr_end(struct xmlw *);
/* A text cell, escaped; NULL writes a null cell. */
void	vot_td(struct xmlw *, const char *);
/* A cell the caller knows needs no escaping (a number it formatted). */
void	vot_td_raw(struct xmlw *, const char *);
/* A floating-point cell: shortest form that reads back exactly, NaN, +Inf, -Inf. */
void	vot_td_double(struct xmlw *, double);

/*
 * Format D for VOTable into BUF (at least 32 bytes): the shortest %g form
 * that reads back as D, and NaN/+Inf/-Inf spelled as VOTable wants them
 * (printf's "nan" and "inf" are rejected by validators).
 */
const char *vot_format_double(char *buf, size_t size, double d);

/*
 * A PostgreSQL float8 in text form made valid for VOTable: "Infinity" and
 * "-Infinity" become "+Inf" and "-Inf"; anything else is returned as is.
 */
const char *vot_pg_double(const char *pgtext);

/*
 * The Content-Type to answer a RESPONSEFORMAT of FORMAT with, for a
 * service whose own type is OWN, or NULL when the service does not produce
 * it.  Accepted: empty, "votable" and "votable/td" (OWN), and the media
 * types application/x-votable+xml and text/xml (OWN when it has that media
 * type, else the type with charset=UTF-8 for text/xml), case-insensitively,
 * with only the parameters that hold for what is sent: serialization=
 * TABLEDATA, charset=UTF-8, and content=datalink when OWN has it.  The
 * request's text is never echoed.
 */
const char *vot_format_type(const char *format, const char *own);

/*
 * RESPONSEFORMAT as a param_rule validator: valid_arg is the service's own
 * type, and v->s the Content-Type to answer with.
 */
int	vot_format_valid(const struct param_rule *, struct param_value *v,
	    char *why, size_t whysize);
#define VOT_FORMAT_REFUSED	"this service answers only in VOTable " \
	"(TABLEDATA, UTF-8)"

/*
 * A complete error document, sent with STATUS.  The message goes into a
 * QUERY_STATUS=ERROR INFO inside a results RESOURCE (DALI 1.1 §4.4); with
 * SCS set it also goes into a top-level INFO name="Error" (Cone Search 1.03
 * §2 item 3), which is where SCS clients look for it.
 */
void	vot_error(struct response *, int status, const char *content_type,
	    const char *message, int scs);

#endif
