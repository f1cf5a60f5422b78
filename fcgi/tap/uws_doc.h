/*
 * uws_doc: the UWS 1.1 documents of a job, written to a response: the job
 * itself, the job list, and the parameters and results sub-resources.
 *
 * Elements come in the order of the UWS 1.1 schema (jobId, runId,
 * ownerId, phase, quote, creationTime, startTime, endTime,
 * executionDuration, destruction, parameters, results, errorSummary), with
 * xsi:nil="true" for the nillable ones that have no value.  Every value
 * is escaped (xmlw.h).  URLs are the caller's: JOB_URL is the job's
 * absolute URL, LIST_URL the job list's.
 */
#ifndef RIF_UWS_DOC_H
#define RIF_UWS_DOC_H

#include "response.h"
#include "uws.h"
#include "xmlw.h"

#define UWS_MIME	"text/xml;charset=UTF-8"

void	uws_doc_job(struct response *, const struct uws_job *,
	    const char *job_url);
void	uws_doc_parameters(struct response *, const struct uws_job *);
void	uws_doc_results(struct response *, const struct uws_job *,
	    const char *job_url);

/* The job list: begin, one jobref per job (its URL), end. */
void	uws_doc_jobs_begin(struct xmlw *, struct response *);
void	uws_doc_jobref(struct xmlw *, const struct uws_job *,
	    const char *job_url);
void	uws_doc_jobs_end(struct xmlw *);

#endif
