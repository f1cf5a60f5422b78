/*
 * xmlw: a streaming XML writer that cannot emit a broken document.
 *
 * Elements are opened and closed on a bounded stack, so tags always balance;
 * every attribute value and every text node goes through xml_escape(), which
 * escapes markup, drops what XML 1.0 forbids (C0 controls other than TAB, LF
 * and CR, U+FFFE, U+FFFF) and replaces invalid UTF-8 by U+FFFD.  Output goes
 * straight to the response as it is produced; nothing is buffered here.
 *
 * Attributes are given as NULL-terminated name/value pairs; a pair whose value
 * is NULL is skipped, so optional attributes need no special case:
 *	xmlw_open(w, "FIELD", "name", "ra", "unit", unit_or_null, NULL);
 */
#ifndef RIF_XMLW_H
#define RIF_XMLW_H

#include <stddef.h>

#include "response.h"
#include "strbuf.h"

#define XMLW_DEPTH	16

struct xmlw {
	struct response	*resp;
	const char	*stack[XMLW_DEPTH];	/* element names, static strings */
	int		 depth;
	int		 overflow;	/* an open beyond XMLW_DEPTH was refused */
};

void	xmlw_init(struct xmlw *, struct response *);
/* The XML declaration. */
void	xmlw_decl(struct xmlw *);
/* <elem attrs> and push; ELEM must outlive the element (a literal). */
void	xmlw_open(struct xmlw *, const char *elem, ...);
/* <elem attrs/> */
void	xmlw_empty(struct xmlw *, const char *elem, ...);
/* <elem attrs>text</elem>; TEXT may be NULL for an empty element. */
void	xmlw_elem(struct xmlw *, const char *elem, const char *text, ...);
void	xmlw_text(struct xmlw *, const char *);
/* Text of known length (may hold bytes that need repair). */
void	xmlw_textn(struct xmlw *, const char *, size_t);
/* Markup the caller vouches for, written as is (e.g. "<TR><TD>"). */
void	xmlw_raw(struct xmlw *, const char *);
void	xmlw_close(struct xmlw *);
void	xmlw_close_all(struct xmlw *);

/*
 * A snapshot: the bytes a writer produced and the elements it left open.
 * Taken once (xmlw_record) and sent as often as wanted (xmlw_replay), it
 * makes a fixed document head cost one write.  The snapshot owns its
 * text; xmlw_snapshot_free() releases it.
 */
struct xmlw_snapshot {
	struct strbuf	 text;
	const char	*stack[XMLW_DEPTH];
	int		 depth;
};

/* Run WRITE(w, CTX) into SNAP; -1 when memory ran out. */
int	xmlw_record(struct xmlw_snapshot *,
	    void (*write)(struct xmlw *, const void *ctx), const void *ctx);
/* Send SNAP through W's response; W goes on with its open elements. */
void	xmlw_replay(struct xmlw *, const struct xmlw_snapshot *);
void	xmlw_snapshot_free(struct xmlw_snapshot *);

/*
 * Escape S (LEN bytes) for XML, as text (ATTR 0) or as an attribute value
 * in double quotes (ATTR 1), appending to OUT.  Returns -1 on memory
 * exhaustion.  Used by xmlw and by anything that builds XML another way.
 */
int	xml_escape(struct strbuf *out, const char *s, size_t len, int attr);

#endif
