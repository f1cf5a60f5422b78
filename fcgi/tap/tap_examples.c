#include <stddef.h>
#include <stdio.h>

#include "tap_examples.h"
#include "xmlw.h"

#define NS_XHTML	"http://www.w3.org/1999/xhtml"
#define VOCAB		"http://www.ivoa.net/rdf/examples#"

const struct tap_example tap_examples[] = {
	{ "cone", "Datasets near a position, nearest first",
	    "Every dataset whose centre lies within one degree of a position "
	    "(here the Chandra Deep Field South), with its distance.",
	    "SELECT obs_id, obs_publisher_did, s_ra, s_dec, access_url,\n"
	    "       DISTANCE(POINT('ICRS', s_ra, s_dec),\n"
	    "                POINT('ICRS', 53.75308, -24.93365)) AS dist\n"
	    "FROM ivoa.obscore\n"
	    "WHERE CONTAINS(POINT('ICRS', s_ra, s_dec),\n"
	    "               CIRCLE('ICRS', 53.75308, -24.93365, 1)) = 1\n"
	    "ORDER BY dist", "ivoa.ObsCore" },
	{ "footprint", "Footprints that overlap a field",
	    "Datasets whose footprint (s_region) overlaps a polygon on the "
	    "sky, however far their centres are from it.",
	    "SELECT obs_id, dataproduct_type, s_region, access_url\n"
	    "FROM ivoa.obscore\n"
	    "WHERE INTERSECTS(s_region,\n"
	    "                 POLYGON('ICRS', 53, -25.5, 54.5, -25.5, "
	    "54.5, -24, 53, -24)) = 1", "ivoa.ObsCore" },
	{ "time-band", "Images of a year that cover a wavelength",
	    "Images whose observation began in 2019 (MJD 58484 to 58849) and "
	    "whose spectral range covers 500 nm.",
	    "SELECT TOP 100 obs_id, t_min, t_max, em_min, em_max, access_url\n"
	    "FROM ivoa.obscore\n"
	    "WHERE dataproduct_type = 'image'\n"
	    "  AND t_min BETWEEN 58484 AND 58849\n"
	    "  AND em_min <= 5e-7 AND em_max >= 5e-7", "ivoa.ObsCore" },
	{ "collections", "How many datasets each collection holds",
	    "The collections of this service with their number of datasets, "
	    "largest first.",
	    "SELECT obs_collection, COUNT(*) AS n\n"
	    "FROM ivoa.obscore\n"
	    "GROUP BY obs_collection\n"
	    "ORDER BY n DESC", "ivoa.ObsCore" },
	{ "cubes", "Calibrated spectral cubes by resolving power",
	    "Cubes calibrated to science grade (calib_level 2 or more), those "
	    "with the highest spectral resolving power first.",
	    "SELECT TOP 50 obs_id, obs_collection, em_min, em_max, "
	    "em_res_power,\n"
	    "       s_ra, s_dec, access_url\n"
	    "FROM ivoa.obscore\n"
	    "WHERE dataproduct_type = 'cube' AND calib_level >= 2\n"
	    "ORDER BY em_res_power DESC", "ivoa.ObsCore" },
	{ "crossmatch", "Datasets around each position of a list of your own",
	    "Upload a table named mine with columns id, ra and dec (degrees, "
	    "ICRS): every dataset whose centre lies within 3 arcminutes of "
	    "one of its positions, with the distance.",
	    "SELECT m.id, o.obs_id, o.obs_publisher_did, o.access_url,\n"
	    "       DISTANCE(POINT('ICRS', o.s_ra, o.s_dec),\n"
	    "                POINT('ICRS', m.ra, m.dec)) AS dist\n"
	    "FROM TAP_UPLOAD.mine AS m\n"
	    "JOIN ivoa.obscore AS o\n"
	    "  ON 1 = CONTAINS(POINT('ICRS', o.s_ra, o.s_dec),\n"
	    "                  CIRCLE('ICRS', m.ra, m.dec, 0.05))\n"
	    "ORDER BY m.id, dist", "ivoa.ObsCore" },
	{ NULL, NULL, NULL, NULL, NULL }
};

static void
example(struct xmlw *w, const struct tap_example *e)
{
	char	 resource[64];

	resource[0] = '#';
	snprintf(resource + 1, sizeof(resource) - 1, "%s", e->id);
	xmlw_open(w, "div", "typeof", "example", "id", e->id, "resource",
	    resource, NULL);
	xmlw_raw(w, "\n");
	xmlw_elem(w, "h2", e->name, "property", "name", NULL);
	xmlw_elem(w, "p", e->what, NULL);
	xmlw_elem(w, "pre", e->query, "property", "query", NULL);
	xmlw_open(w, "p", NULL);
	xmlw_text(w, "Reads ");
	xmlw_elem(w, "span", e->table, "property", "table", NULL);
	xmlw_text(w, ".");
	xmlw_close(w);
	xmlw_close(w);
	xmlw_raw(w, "\n");
}

void
tap_examples_page(void *state, const struct request *req,
    struct response *r)
{
	struct xmlw	 w;

	(void)state;
	(void)req;
	resp_content_type(r, "application/xhtml+xml;charset=UTF-8");
	xmlw_init(&w, r);
	xmlw_decl(&w);
	xmlw_raw(&w, "<!DOCTYPE html>\n");
	xmlw_open(&w, "html", "xmlns", NS_XHTML, "xml:lang", "en", NULL);
	xmlw_open(&w, "head", NULL);
	xmlw_elem(&w, "title", "Example queries of this TAP service", NULL);
	xmlw_close(&w);
	xmlw_raw(&w, "\n");
	xmlw_open(&w, "body", "vocab", VOCAB, NULL);
	xmlw_raw(&w, "\n");
	xmlw_elem(&w, "h1", "Example queries of this TAP service", NULL);
	xmlw_elem(&w, "p", "ADQL 2.1 queries on the ObsCore 1.1 table "
	    "ivoa.ObsCore: send one to ./sync with LANG=ADQL, or open this "
	    "page from TOPCAT's TAP window (Examples menu).", NULL);
	for (const struct tap_example *e = tap_examples; e->id != NULL; e++)
		example(&w, e);
	xmlw_close_all(&w);
	resp_puts(r, "\n");
}
