/*
 * uws: the UWS 1.1 phase table, the job documents written from a job
 * (element order, nil values, escaping), and a job's stored parameters
 * checked by the rules a sync request's are.
 */
#include <string.h>

#include "config.h"
#include "helpers.h"
#include "params.h"
#include "response.h"
#include "strbuf.h"
#include "tap_query.h"
#include "uws.h"
#include "uws_doc.h"

static void
test_phases(void)
{
	char	 buf[128];

	CU_ASSERT_EQUAL(uws_phase_parse("EXECUTING"), UWS_EXECUTING);
	CU_ASSERT_EQUAL(uws_phase_parse("executing"), -1);
	CU_ASSERT_EQUAL(uws_phase_parse("FOO"), -1);
	CU_ASSERT_STRING_EQUAL(uws_phase_name(UWS_ABORTED), "ABORTED");
	CU_ASSERT_PTR_NULL(uws_phase_name(UWS__PHASES));
	/* RUN queues what has not started, and nothing else. */
	CU_ASSERT_EQUAL(uws_next(UWS_PENDING, UWS_RUN), UWS_QUEUED);
	CU_ASSERT_EQUAL(uws_next(UWS_HELD, UWS_RUN), UWS_QUEUED);
	CU_ASSERT_EQUAL(uws_next(UWS_QUEUED, UWS_RUN), -1);
	CU_ASSERT_EQUAL(uws_next(UWS_COMPLETED, UWS_RUN), -1);
	/* ABORT ends what has not ended. */
	CU_ASSERT_EQUAL(uws_next(UWS_EXECUTING, UWS_ABORT), UWS_ABORTED);
	CU_ASSERT_EQUAL(uws_next(UWS_QUEUED, UWS_ABORT), UWS_ABORTED);
	CU_ASSERT_EQUAL(uws_next(UWS_ERROR, UWS_ABORT), -1);
	CU_ASSERT_EQUAL(uws_next(UWS_COMPLETED, UWS_ABORT), -1);
	/* A runner claims queued jobs and finishes its own. */
	CU_ASSERT_EQUAL(uws_next(UWS_QUEUED, UWS_CLAIM), UWS_EXECUTING);
	CU_ASSERT_EQUAL(uws_next(UWS_PENDING, UWS_CLAIM), -1);
	CU_ASSERT_EQUAL(uws_next(UWS_EXECUTING, UWS_FINISH), UWS_COMPLETED);
	CU_ASSERT_EQUAL(uws_next(UWS_ABORTED, UWS_FINISH), -1);
	/* Parameters change only before the job runs. */
	CU_ASSERT_EQUAL(uws_next(UWS_PENDING, UWS_EDIT), UWS_PENDING);
	CU_ASSERT_EQUAL(uws_next(UWS_QUEUED, UWS_EDIT), -1);
	/* What the SQL is given. */
	CU_ASSERT_STRING_EQUAL(uws_from(UWS_RUN, buf, sizeof(buf)),
	    "{PENDING,HELD}");
	CU_ASSERT_STRING_EQUAL(uws_from(UWS_ABORT, buf, sizeof(buf)),
	    "{PENDING,QUEUED,EXECUTING,HELD,SUSPENDED}");
	CU_ASSERT_STRING_EQUAL(uws_from(UWS_CLAIM, buf, sizeof(buf)),
	    "{QUEUED}");
	CU_ASSERT_TRUE(uws_phase_active(UWS_QUEUED));
	CU_ASSERT_FALSE(uws_phase_active(UWS_ERROR));
}

static void
sample(struct uws_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = "abc123";
	j->phase = UWS_PENDING;
	j->creation_time = "2026-12-04T10:00:00.000Z";
	j->execution_duration = 600;
	j->destruction = "2026-12-11T10:00:00.000Z";
	j->lang = "ADQL";
	j->query = "SELECT x FROM t WHERE a < 1 & \"b\"";
}

/* The position of NEEDLE in HAY, or -1. */
static long
at(const char *hay, const char *needle)
{
	const char	*p = strstr(hay, needle);

	return p != NULL ? p - hay : -1;
}

static void
test_job_document(void)
{
	static const char *const order[] = { "<uws:jobId>", "<uws:runId>",
	    "<uws:ownerId", "<uws:phase>", "<uws:quote", "<uws:creationTime>",
	    "<uws:startTime", "<uws:endTime", "<uws:executionDuration>",
	    "<uws:destruction>", "<uws:parameters>", "<uws:results>",
	    "<uws:errorSummary" };
	struct captured	 c;
	struct uws_job	 j;
	const char	*b;
	long		 prev = -1;

	sample(&j);
	j.run_id = "run<1>";
	j.phase = UWS_ERROR;
	j.error = "line 1, column 8: syntax error";
	cap_init(&c);
	uws_doc_job(&c.resp, &j, "http://h/tap/async/abc123");
	resp_finish(&c.resp);
	b = cap_body(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&c.out), "Content-Type: "
	    "text/xml"));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		CU_ASSERT(at(b, order[i]) > prev);
		prev = at(b, order[i]);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "version=\"1.1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<uws:ownerId xsi:nil=\"true\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<uws:startTime xsi:nil=\"true\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<uws:runId>run&lt;1&gt;</uws:runId>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "WHERE a &lt; 1 &amp; \"b\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<uws:message>line 1, column 8"));
	/* No result before the job is COMPLETED. */
	CU_ASSERT_PTR_NULL(strstr(b, "<uws:result "));
	cap_free(&c);

	sample(&j);
	j.phase = UWS_COMPLETED;
	j.result_type = "text/csv;header=present";
	cap_init(&c);
	uws_doc_job(&c.resp, &j, "http://h/tap/async/abc123");
	resp_finish(&c.resp);
	b = cap_body(&c);
	CU_ASSERT_PTR_NULL(strstr(b, "<uws:runId>"));
	CU_ASSERT_PTR_NULL(strstr(b, "errorSummary"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<uws:result id=\"result\" "
	    "xlink:type=\"simple\" xlink:href=\"http://h/tap/async/abc123/"
	    "results/result\" mime-type=\"text/csv;header=present\"/>"));
	cap_free(&c);
}

static void
test_job_list(void)
{
	struct captured	 c;
	struct uws_job	 j;
	struct xmlw	 w;
	const char	*b;

	sample(&j);
	cap_init(&c);
	uws_doc_jobs_begin(&w, &c.resp);
	uws_doc_jobref(&w, &j, "http://h/tap/async/abc123");
	uws_doc_jobs_end(&w);
	resp_finish(&c.resp);
	b = cap_body(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<uws:jobs "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<uws:jobref id=\"abc123\" "
	    "xlink:type=\"simple\" xlink:href=\"http://h/tap/async/abc123\">"
	    "<uws:phase>PENDING</uws:phase><uws:ownerId xsi:nil=\"true\"/>"
	    "<uws:creationTime>2026-12-04T10:00:00.000Z</uws:creationTime>"
	    "</uws:jobref>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "</uws:jobs>"));
	cap_free(&c);
}

static void
test_job_parameters(void)
{
	struct config		 cfg;
	struct params		 p;
	struct tap_query	 q;
	struct tap_query_text	 t = { "ADQL-2.1", "SELECT TOP 1 a FROM t",
				    "5", "csv", NULL, "r&1", NULL };
	char			 err[256];

	CU_ASSERT_FATAL(config_from_text("[database]\nconninfo = x\n",
	    PROG_TAP, &cfg, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(tap_query_from_text(&p, &t, &cfg, &q, err,
	    sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(q.adql, "SELECT TOP 1 a FROM t");
	CU_ASSERT_EQUAL(q.maxrec, 5);
	CU_ASSERT_STRING_EQUAL(q.out->name, "csv");
	CU_ASSERT_STRING_EQUAL(q.runid, "r&1");
	params_free(&p);
	/* Errors the job meets when it runs, worded as for sync. */
	t.lang = "OOBLECK";
	CU_ASSERT_EQUAL(tap_query_from_text(&p, &t, &cfg, &q, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "LANG: this service takes ADQL"));
	params_free(&p);
	t.lang = NULL;
	CU_ASSERT_EQUAL(tap_query_from_text(&p, &t, &cfg, &q, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "LANG: missing"));
	params_free(&p);
	t.lang = "ADQL";
	t.maxrec = "lots";
	CU_ASSERT_EQUAL(tap_query_from_text(&p, &t, &cfg, &q, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "MAXREC"));
	params_free(&p);
	t.maxrec = "99999999999";
	CU_ASSERT_EQUAL(tap_query_from_text(&p, &t, &cfg, &q, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(q.maxrec, cfg.tap.maxrec_limit);
	params_free(&p);
	config_free(&cfg);
}

void
suite_uws(void)
{
	CU_pSuite	 s = CU_add_suite("uws", NULL, NULL);

	CU_add_test(s, "phases and the actions between them", test_phases);
	CU_add_test(s, "job document: order, nil, escaping, result",
	    test_job_document);
	CU_add_test(s, "job list", test_job_list);
	CU_add_test(s, "a job's parameters, checked as sync's",
	    test_job_parameters);
}
