#include <stdio.h>

#include "uws_doc.h"
#include "xmlw.h"

#define NS_UWS		"http://www.ivoa.net/xml/UWS/v1.0"
#define NS_XLINK	"http://www.w3.org/1999/xlink"
#define NS_XSI		"http://www.w3.org/2001/XMLSchema-instance"

/* The root element ROOT with the namespaces every document uses. */
static void
open_root(struct xmlw *w, struct response *r, const char *root)
{
	resp_content_type(r, UWS_MIME);
	xmlw_init(w, r);
	xmlw_decl(w);
	xmlw_open(w, root, "xmlns:uws", NS_UWS, "xmlns:xlink", NS_XLINK,
	    "xmlns:xsi", NS_XSI, "version", "1.1", NULL);
	xmlw_raw(w, "\n");
}

/* ELEM with TEXT, or nil when there is none. */
static void
nillable(struct xmlw *w, const char *elem, const char *text)
{
	if (text != NULL)
		xmlw_elem(w, elem, text, NULL);
	else
		xmlw_empty(w, elem, "xsi:nil", "true", NULL);
	xmlw_raw(w, "\n");
}

static void
parameter(struct xmlw *w, const char *id, const char *value)
{
	if (value == NULL)
		return;
	xmlw_elem(w, "uws:parameter", value, "id", id, NULL);
	xmlw_raw(w, "\n");
}

static void
parameter_list(struct xmlw *w, const struct uws_job *j)
{
	parameter(w, "LANG", j->lang);
	parameter(w, "QUERY", j->query);
	parameter(w, "MAXREC", j->maxrec);
	parameter(w, "RESPONSEFORMAT", j->format);
	parameter(w, "REQUEST", j->request);
	parameter(w, "UPLOAD", j->upload);
}

static void
parameters(struct xmlw *w, const struct uws_job *j)
{
	xmlw_open(w, "uws:parameters", NULL);
	xmlw_raw(w, "\n");
	parameter_list(w, j);
	xmlw_close(w);
	xmlw_raw(w, "\n");
}

/* The one result, once there is one: .../results/result. */
static void
result_ref(struct xmlw *w, const struct uws_job *j, const char *job_url)
{
	char	 href[2048];

	if (j->phase != UWS_COMPLETED)
		return;
	snprintf(href, sizeof(href), "%s/results/result", job_url);
	xmlw_empty(w, "uws:result", "id", "result", "xlink:type", "simple",
	    "xlink:href", href, "mime-type", j->result_type, NULL);
}

static void
results(struct xmlw *w, const struct uws_job *j, const char *job_url)
{
	xmlw_open(w, "uws:results", NULL);
	result_ref(w, j, job_url);
	xmlw_close(w);
	xmlw_raw(w, "\n");
}

void
uws_doc_job(struct response *r, const struct uws_job *j, const char *job_url)
{
	struct xmlw	 w;
	char		 dur[32];

	open_root(&w, r, "uws:job");
	xmlw_elem(&w, "uws:jobId", j->id, NULL);
	xmlw_raw(&w, "\n");
	if (j->run_id != NULL) {
		xmlw_elem(&w, "uws:runId", j->run_id, NULL);
		xmlw_raw(&w, "\n");
	}
	nillable(&w, "uws:ownerId", j->owner);
	xmlw_elem(&w, "uws:phase", uws_phase_name(j->phase), NULL);
	xmlw_raw(&w, "\n");
	nillable(&w, "uws:quote", j->quote);
	xmlw_elem(&w, "uws:creationTime", j->creation_time, NULL);
	xmlw_raw(&w, "\n");
	nillable(&w, "uws:startTime", j->start_time);
	nillable(&w, "uws:endTime", j->end_time);
	snprintf(dur, sizeof(dur), "%ld", j->execution_duration);
	xmlw_elem(&w, "uws:executionDuration", dur, NULL);
	xmlw_raw(&w, "\n");
	nillable(&w, "uws:destruction", j->destruction);
	parameters(&w, j);
	results(&w, j, job_url);
	if (j->phase == UWS_ERROR) {
		xmlw_open(&w, "uws:errorSummary", "type", "fatal", "hasDetail",
		    "true", NULL);
		xmlw_elem(&w, "uws:message", j->error != NULL ? j->error :
		    "The job failed", NULL);
		xmlw_close(&w);
		xmlw_raw(&w, "\n");
	}
	xmlw_close_all(&w);
	xmlw_raw(&w, "\n");
}

void
uws_doc_parameters(struct response *r, const struct uws_job *j)
{
	struct xmlw	 w;

	resp_content_type(r, UWS_MIME);
	xmlw_init(&w, r);
	xmlw_decl(&w);
	xmlw_open(&w, "uws:parameters", "xmlns:uws", NS_UWS, NULL);
	xmlw_raw(&w, "\n");
	parameter_list(&w, j);
	xmlw_close_all(&w);
	xmlw_raw(&w, "\n");
}

void
uws_doc_results(struct response *r, const struct uws_job *j,
    const char *job_url)
{
	struct xmlw	 w;

	resp_content_type(r, UWS_MIME);
	xmlw_init(&w, r);
	xmlw_decl(&w);
	xmlw_open(&w, "uws:results", "xmlns:uws", NS_UWS, "xmlns:xlink",
	    NS_XLINK, NULL);
	xmlw_raw(&w, "\n");
	result_ref(&w, j, job_url);
	xmlw_close_all(&w);
	xmlw_raw(&w, "\n");
}

void
uws_doc_jobs_begin(struct xmlw *w, struct response *r)
{
	open_root(w, r, "uws:jobs");
}

void
uws_doc_jobref(struct xmlw *w, const struct uws_job *j, const char *job_url)
{
	xmlw_open(w, "uws:jobref", "id", j->id, "xlink:type", "simple",
	    "xlink:href", job_url, NULL);
	xmlw_elem(w, "uws:phase", uws_phase_name(j->phase), NULL);
	if (j->run_id != NULL)
		xmlw_elem(w, "uws:runId", j->run_id, NULL);
	if (j->owner != NULL)
		xmlw_elem(w, "uws:ownerId", j->owner, NULL);
	else
		xmlw_empty(w, "uws:ownerId", "xsi:nil", "true", NULL);
	xmlw_elem(w, "uws:creationTime", j->creation_time, NULL);
	xmlw_close(w);
	xmlw_raw(w, "\n");
}

void
uws_doc_jobs_end(struct xmlw *w)
{
	xmlw_close_all(w);
	xmlw_raw(w, "\n");
}
