/*
 * Fuzz target: an uploaded VOTable (TAP_UPLOAD) through upload_vot_read(),
 * the path every upload takes before COPY, and upload_vot_columns() on the
 * same bytes.  Whatever the input, the reader must neither crash nor leak;
 * every line it gives must be one COPY row of the table's columns (a tab
 * between cells, no raw newline, CR or NUL, one newline at its end); a
 * refusal must come with a sentence and leave the table empty; a table
 * read must have columns, each with a name and an SQL type, and count the
 * rows it gave; and the columns alone must be read from whatever was read
 * whole, the same ones.
 *
 * Built by tools/fuzz.sh with libFuzzer, ASan and UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upload_vot.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	const struct upload_table	*t;
	long				 rows;
};

static int
row(void *ctx, const char *line, size_t len)
{
	struct seen	*s = ctx;
	int		 tabs = 0;

	/* The columns are all known before the first row. */
	if (s->t->ncols < 1 || len == 0 || line[len - 1] != '\n' ||
	    line[len] != '\0')
		abort();
	for (size_t i = 0; i + 1 < len; i++) {
		if (line[i] == '\n' || line[i] == '\r' || line[i] == '\0')
			abort();
		tabs += line[i] == '\t';
	}
	if (tabs != s->t->ncols - 1)
		abort();
	s->rows++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct upload_limits lim = { .max_rows = 1000,
					    .max_cols = 64,
					    .max_cell = 4096 };
	struct upload_table	 t, c;
	struct seen		 s = { &t, 0 };
	const char		*buf = (const char *)data;
	char			 why[400];
	int			 rc;

	rc = upload_vot_read(buf, size, &lim, &t, row, &s, why, sizeof(why));
	if (rc == -1 && (why[0] == '\0' || t.ncols != 0 || t.cols != NULL))
		abort();
	if (rc == 0) {
		if (t.ncols < 1 || t.nrows != s.rows)
			abort();
		for (int k = 0; k < t.ncols; k++)
			if (t.cols[k].name == NULL || t.cols[k].sqltype == NULL ||
			    t.cols[k].datatype == NULL)
				abort();
	}
	if (upload_vot_columns(buf, size, &lim, &c, why, sizeof(why)) == 0) {
		/* What the columns give, the read agrees to, or refuses. */
		if (rc == 0 && c.ncols != t.ncols)
			abort();
		for (int k = 0; rc == 0 && k < c.ncols; k++)
			if (strcmp(c.cols[k].name, t.cols[k].name) != 0 ||
			    strcmp(c.cols[k].sqltype, t.cols[k].sqltype) != 0)
				abort();
	} else if (rc == 0)
		abort();
	upload_table_free(&c);
	upload_table_free(&t);
	return 0;
}
