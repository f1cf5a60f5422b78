#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fcgi_loop.h"
#include "log.h"
#include "service.h"

/* The ROUTE_ bit of METHOD; 0 for a method no route takes. */
static unsigned
method_bit(const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return ROUTE_GET;
	if (strcmp(method, "DELETE") == 0)
		return ROUTE_DELETE;
	return strcmp(method, "POST") == 0 ? ROUTE_POST : 0;
}

static void
refuse_method(const struct service *svc, unsigned methods,
    struct response *r)
{
	char		 allow[32] = "", text[96];

	/* Allow lists the methods in this order, HEAD wherever GET is. */
	if (methods & ROUTE_GET)
		strcat(allow, "GET, ");
	if (methods & ROUTE_POST)
		strcat(allow, "POST, ");
	if (methods & ROUTE_DELETE)
		strcat(allow, "DELETE, ");
	if (methods & ROUTE_GET)
		strcat(allow, "HEAD, ");
	allow[strlen(allow) - 2] = '\0';

	resp_header(r, "Allow", allow);
	snprintf(text, sizeof(text), "this resource takes %s only", allow);
	svc->refuse(r, 405, text);
}

/* Liveness for probes: the process answers; it says nothing of upstreams. */
static void
ping(const struct service_run *run, const struct request *req,
    struct response *r)
{
	(void)req;
	resp_content_type(r, "application/json");
	resp_printf(r, "{\"status\":\"UP\",\"version\":\"%s\"}\n",
	    run->svc->version);
}

static void
availability(const struct service_run *run, const struct request *req,
    struct response *r)
{
	char	 note[256];
	int	 up;

	(void)req;
	up = run->svc->available(run->state, note, sizeof(note));
	vosi_availability(r, up, run->started, note);
}

static void
capabilities(const struct service_run *run, const struct request *req,
    struct response *r)
{
	char			 base[1024], url[1100];
	struct vosi_capability	 cap;

	memset(&cap, 0, sizeof(cap));
	vosi_base_url(req, run->svc->public_url(run->state), base,
	    sizeof(base));
	run->svc->capability(run->state, base, &cap, url, sizeof(url));
	vosi_capabilities(r, base, &cap, 1);
}

static const struct {
	const char	*segment;
	void		(*handle)(const struct service_run *,
			    const struct request *, struct response *);
} vosi_routes[] = {
	{ "availability", availability },
	{ "capabilities", capabilities },
	{ "ping", ping },
};

void
service_dispatch(const struct service_run *run, const struct request *req,
    struct response *r)
{
	const struct route	*rt, *endpoint = NULL;
	unsigned		 m = method_bit(req->method);

	for (size_t i = 0; i < sizeof(vosi_routes) / sizeof(vosi_routes[0]);
	    i++)
		if (request_path_ends(req, vosi_routes[i].segment)) {
			if (m != ROUTE_GET)
				refuse_method(run->svc, ROUTE_GET, r);
			else
				vosi_routes[i].handle(run, req, r);
			return;
		}
	for (rt = run->svc->routes; rt->handle != NULL; rt++) {
		if (rt->segment == NULL)
			endpoint = rt;
		else if (request_path_ends(req, rt->segment))
			break;
	}
	if (rt->handle == NULL)
		rt = endpoint;
	if (rt == NULL)
		run->svc->refuse(r, 404, "no such resource");
	else if ((rt->methods & m) == 0)
		refuse_method(run->svc, rt->methods, r);
	else
		rt->handle(run->state, req, r);
}

/* The request loop calls this with the running program. */
static void
dispatch(void *ctx, const struct request *req, struct response *r)
{
	service_dispatch(ctx, req, r);
}

static void
reload(void *ctx)
{
	const struct service_run	*run = ctx;

	run->svc->reload(run->state);
}

int
service_main(const struct service *svc, int argc, char *argv[])
{
	struct config		 cfg;
	struct config_request	 rq;
	struct service_run	 run = { svc, NULL, 0 };
	char			 err[1024];
	int			 rc, check;

	check = fcgi_startup(argc, argv, svc->program, svc->prog, &cfg);
	rq = cfg.request;
	if (svc->max_body != NULL)
		rq.max_body = svc->max_body(&cfg);
	if ((run.state = svc->start(&cfg, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		config_free(&cfg);
		return 1;
	}
	run.started = time(NULL);
	rc = check ? svc->check(run.state) != 0 :
	    fcgi_run(&rq, dispatch,
	    svc->reload != NULL ? reload : NULL, &run);
	svc->stop(run.state);
	config_free(&cfg);
	return rc;
}
