/*
 * tap_examples: the service's examples (DALI 1.1 §2.3, TAP 1.1 §2.6), the
 * ADQL queries an ObsCore user starts from.
 *
 * tap_examples_page() answers /examples with an XHTML document carrying
 * RDFa: one element per example, of type "example", whose id is also its
 * resource, with its name, a sentence on what it finds, its query and the
 * tables it reads.  TOPCAT lists them in its TAP window and taplint runs
 * each (but the one that needs an uploaded table, which it only parses).
 * The queries are a static table (tap_examples), which the ADQL
 * micro-benchmark also times.
 */
#ifndef RIF_TAP_EXAMPLES_H
#define RIF_TAP_EXAMPLES_H

#include "request.h"
#include "response.h"

struct tap_example {
	const char	*id;		/* an XML name: the fragment */
	const char	*name;
	const char	*what;		/* one sentence */
	const char	*query;		/* ADQL */
	const char	*table;		/* the table it reads, as published */
};

/* Every example, ended by one with a NULL id. */
extern const struct tap_example	tap_examples[];

void	tap_examples_page(void *state, const struct request *,
	    struct response *);

#endif
