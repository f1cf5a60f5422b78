/*
 * service: what every program of the suite is, declared once as a table,
 * and the one dispatcher and main() that serve it.
 *
 * A program declares a struct service: its name and version, how to build
 * and release its state from the configuration, what -t prints (the SQL or
 * upstream URLs it would call), its routes (the last path segment, the
 * methods allowed, the handler), how its protocol refuses a request, and
 * its VOSI capability and availability.  service_main() is then the whole
 * of main(); service_dispatch() routes one request:
 *
 *   - "availability", "capabilities" and "ping" are served here for every
 *     program (GET, HEAD);
 *   - otherwise the route whose segment ends the path, else the route with
 *     a NULL segment (the endpoint under any of its public paths), else 404;
 *   - HEAD is allowed wherever GET is; any other method that the route does
 *     not take is 405 with Allow, in the protocol's own error form.
 */
#ifndef RIF_SERVICE_H
#define RIF_SERVICE_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "request.h"
#include "response.h"
#include "vosi.h"

/* The suite's version, which every program reports (ping). */
#define RIF_VERSION	"0.1.0"

#define ROUTE_GET	0x1	/* and HEAD */
#define ROUTE_POST	0x2
#define ROUTE_DELETE	0x4	/* UWS: a job is deleted by HTTP DELETE */

typedef void	(*route_handler)(void *state, const struct request *,
		    struct response *);

struct route {
	const char	*segment;	/* NULL: the endpoint itself */
	unsigned	 methods;
	route_handler	 handle;
};

struct service {
	const char		*program;	/* "links.fcgi" */
	unsigned		 prog;		/* PROG_LINKS: the keys it reads */
	const char		*version;
	/* The state from CFG (which outlives it); NULL with ERR set. */
	void			*(*start)(const struct config *cfg, char *err,
				    size_t errsize);
	void			 (*stop)(void *state);
	/* -t: print what would be called; 0 when all is well. */
	int			 (*check)(void *state);
	const struct route	*routes;	/* ended by { NULL, 0, NULL } */
	/* The protocol's error document for STATUS and TEXT (no label). */
	void			 (*refuse)(struct response *, int status,
				    const char *text);
	/* The configured public URL of the endpoint, or "" (VOSI). */
	const char		*(*public_url)(void *state);
	/* Fill CAP for the endpoint at BASE; URL is room for its URL. */
	void			 (*capability)(void *state, const char *base,
				    struct vosi_capability *cap, char *url,
				    size_t urlsize);
	/*
	 * SIGHUP: drop what was read once from outside (not the
	 * configuration) so that it is read again; NULL: nothing to drop.
	 */
	void			 (*reload)(void *state);
	/* 1 when the service can answer; NOTE says so in a sentence. */
	int			 (*available)(void *state, char *note,
				    size_t size);
	/*
	 * The largest request body it reads (TAP's uploads want more than
	 * any parameters do); NULL: [request] max_body.
	 */
	long			 (*max_body)(const struct config *cfg);
};

/* One running program: its declaration, state and start time. */
struct service_run {
	const struct service	*svc;
	void			*state;
	time_t			 started;
};

/* Route REQ to its handler, or refuse it (see above). */
void	service_dispatch(const struct service_run *, const struct request *,
	    struct response *);

/* The whole of a program's main(): options, configuration, serve. */
int	service_main(const struct service *, int argc, char *argv[]);

#endif
