/*
 * cut: one SODA 1.0 sync request, checked and ready to send on.
 *
 * soda_cut_parse() reads the parameters the proxy accepts (SODA §3 plus
 * the DataLink service's client_ip_address, sort and ranking), checks every
 * one before any upstream is called, and keeps the cutout parameters in
 * their canonical form.  soda_cut_url() then writes the request for one
 * site's SODA service: its access URL, the dataset ID in the form that
 * service expects, and the cutout parameters percent-encoded.
 *
 * A struct soda_cut owns its strings; soda_cut_free() releases them.
 */
#ifndef RIF_SODA_CUT_H
#define RIF_SODA_CUT_H

#include <stddef.h>

#include "choose.h"
#include "config.h"
#include "did.h"
#include "params.h"
#include "request.h"
#include "strbuf.h"

struct soda_cut {
	struct did		 did;
	struct strbuf		 query;		/* "&POS=...&POL=I..." */
	enum choose_sort	 sort;
	long			 ranking;
	const char		*client_ip;	/* NULL: the request's address */
	struct params		 params;	/* client_ip points into it */
};

/* What a refused request gets: an HTTP status and a SODA error text. */
struct soda_refusal {
	int	 status;
	char	 text[400];	/* "UsageError: ..." */
};

/*
 * Read REQ.  0 when the request may go on; -1 with the refusal in WHY.
 * MAX_PARAMS bounds the number of parameters.  Call soda_cut_free() in
 * either case.
 */
int	soda_cut_parse(struct soda_cut *, const struct request *req,
	    size_t max_params, struct soda_refusal *why);
void	soda_cut_free(struct soda_cut *);

/*
 * The upstream URL for the SODA service at SERVICE_URL into OUT; AUTHORITY
 * is the IVOA authority of the path form.  -1 on ENOMEM.
 */
int	soda_cut_url(const struct soda_cut *, const char *service_url,
	    enum soda_id_form, const char *authority, struct strbuf *out);

#endif
