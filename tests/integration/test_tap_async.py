"""TAP async (UWS 1.1) through nginx: tap.fcgi's /tap/async and the
tap-runner daemon beside it, as pyvo and a UWS client use them."""
import os
import re
import signal
import subprocess
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
import pyvo

from conftest import HTTP, STATE, TOP, psql, request, votlint

TAP = HTTP + "/tap"
UWS = "{http://www.ivoa.net/xml/UWS/v1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
SMALL = "SELECT TOP 7 obs_id, s_ra, s_dec FROM ivoa.obscore ORDER BY obs_id"
# Many seconds of work on the test sky (20,000 rows squared), sending
# nothing until its end: a query only a cancel stops soon.
SLOW = ("SELECT COUNT(*) AS n FROM ivoa.obscore AS a, ivoa.obscore AS b "
        "WHERE a.s_ra + b.s_dec > 1e9")


def create(**params):
    """POST /tap/async; the job's URL (from the 303)."""
    params.setdefault("LANG", "ADQL")
    r = request("/tap/async", method="POST", data=params)
    assert r.status == 200, r.text          # urllib followed the 303
    return job_url_of(r)


def job_url_of(reply):
    doc = ET.fromstring(reply.body)
    assert doc.tag == UWS + "job", reply.text
    return "/tap/async/" + doc.find(UWS + "jobId").text


def post_raw(path, data=None, method="POST"):
    """A request whose 303 is not followed: (status, Location)."""
    import http.client
    conn = http.client.HTTPConnection(urllib.parse.urlparse(HTTP).netloc,
                                      timeout=30)
    body = urllib.parse.urlencode(data or {})
    conn.request(method, path, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status, r.getheader("Location")


def job(path):
    r = request(path)
    assert r.status == 200, r.text
    return ET.fromstring(r.body)


def phase(path):
    return request(path + "/phase").text.strip()


def wait_for(path, phases, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        p = phase(path)
        if p in phases:
            return p
        time.sleep(0.1)
    raise AssertionError("%s still %s" % (path, p))


def rows(table):
    return [tuple(str(v) for v in row) for row in table]


def test_run_async_gives_the_rows_of_run_sync():
    tap = pyvo.dal.TAPService(TAP)
    sync = tap.run_sync(SMALL).to_table()
    result = tap.run_async(SMALL)
    assert rows(result.to_table()) == rows(sync)
    assert len(sync) == 7


def test_submit_run_wait_fetch_delete():
    tap = pyvo.dal.TAPService(TAP)
    j = tap.submit_job(SMALL, maxrec=3)
    assert j.phase == "PENDING"
    j.run().wait()
    assert j.phase == "COMPLETED"
    res = j.fetch_result()
    assert res.query_status == "OVERFLOW"
    assert rows(res.to_table()) == rows(tap.run_sync(SMALL, maxrec=3)
                                        .to_table())
    path = urllib.parse.urlparse(j.url).path
    j.delete()
    assert request(path).status == 404
    assert request(path + "/phase").status == 404


def test_job_document_and_sub_resources_agree():
    path = create(QUERY=SMALL, RUNID="run-7")
    doc = job(path)
    names = [c.tag[len(UWS):] for c in doc]
    assert names == ["jobId", "runId", "ownerId", "phase", "quote",
                     "creationTime", "startTime", "endTime",
                     "executionDuration", "destruction", "parameters",
                     "results"]
    assert doc.get("version") == "1.1"
    assert doc.find(UWS + "ownerId").get(XSI + "nil") == "true"
    assert doc.find(UWS + "runId").text == "run-7"
    for t in ("creationTime", "destruction"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                            doc.find(UWS + t).text)
    for sub, elem in (("phase", "phase"), ("executionduration",
                      "executionDuration"), ("destruction", "destruction")):
        r = request(path + "/" + sub)
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        assert r.text.strip() == doc.find(UWS + elem).text
    assert request(path + "/quote").text == ""
    assert request(path + "/owner").text == ""
    assert request(path + "/runId").text.strip() == "run-7"
    params = ET.fromstring(request(path + "/parameters").body)
    assert {p.get("id"): p.text for p in params} == {
        "LANG": "ADQL", "QUERY": SMALL}
    assert request(path + "/results").status == 200
    assert request(path + "/results/result").status == 404
    assert request(path + "/error").status == 404
    assert request(path + "/nothing").status == 404


def test_changes_while_pending():
    path = create(QUERY="SELECT TOP 1 obs_id FROM ivoa.obscore")
    assert post_raw(path + "/parameters", {"QUERY": SMALL, "RUNID": "r2"}) \
        == (303, HTTP + path)
    assert post_raw(path + "/executionduration",
                    {"EXECUTIONDURATION": "30"}) == (303, HTTP + path)
    assert post_raw(path + "/destruction",
                    {"DESTRUCTION": "2000-01-01T00:00:00Z"})[0] == 303
    doc = job(path)
    assert doc.find(UWS + "runId").text == "r2"
    assert doc.find(UWS + "executionDuration").text == "30"
    assert doc.find(UWS + "destruction").text.startswith("2000-01-01T00:00")
    assert post_raw(path + "/phase", {"PHASE": "FOO"})[0] == 400
    assert post_raw(path + "/executionduration",
                    {"EXECUTIONDURATION": "soon"})[0] == 400
    assert post_raw(path + "/destruction", {"DESTRUCTION": "tomorrow"})[0] \
        == 400
    # Past its destruction time, the runner removes it.
    deadline = time.time() + 10
    while request(path).status != 404:
        assert time.time() < deadline
        time.sleep(0.2)


def test_phase_run_at_creation_and_wait():
    r = request("/tap/async", method="POST", data={
        "LANG": "ADQL", "QUERY": SMALL, "PHASE": "RUN",
        "RESPONSEFORMAT": "csv"})
    path = job_url_of(r)
    t0 = time.time()
    doc = job(path + "?WAIT=10")
    assert doc.find(UWS + "phase").text in ("EXECUTING", "COMPLETED")
    wait_for(path, {"COMPLETED"})
    assert time.time() - t0 < 5
    # WAIT on a job that has ended returns at once.
    t0 = time.time()
    job(path + "?WAIT=5")
    assert time.time() - t0 < 1
    # WAIT on a PENDING job blocks, up to n seconds.
    pending = create(QUERY=SMALL)
    t0 = time.time()
    assert job(pending + "?WAIT=1").find(UWS + "phase").text == "PENDING"
    assert 0.9 < time.time() - t0 < 3


def test_result_is_sent_by_nginx():
    path = create(QUERY=SMALL, RESPONSEFORMAT="csv", PHASE="RUN")
    wait_for(path, {"COMPLETED"})
    doc = job(path)
    result = doc.find(UWS + "results/" + UWS + "result")
    href = result.get(XLINK + "href")
    assert href == HTTP + path + "/results/result"
    assert result.get("id") == "result"
    r = request(path + "/results/result")
    assert r.status == 200
    assert r.headers["Content-Type"] == "text/csv;header=present"
    assert "X-Accel-Redirect" not in r.headers
    assert int(r.headers["Content-Length"]) == len(r.body)
    assert r.text.splitlines()[0] == "obs_id,s_ra,s_dec"
    assert len(r.text.splitlines()) == 8
    job_id = path.rsplit("/", 1)[1]
    assert os.path.exists(os.path.join(STATE, "tap-results", job_id))
    # The internal location is not reachable from outside.
    assert request("/rucio-ivoa-tap-results/" + job_id).status == 404
    # VOTable: valid, with the same rows as sync.
    path = create(QUERY=SMALL, PHASE="RUN")
    wait_for(path, {"COMPLETED"})
    r = request(path + "/results/result")
    assert r.headers["Content-Type"] == "application/x-votable+xml"
    assert votlint(r.body) == []
    # Deleted: the job goes, and so does its file.
    assert post_raw(path, {"ACTION": "DELETE"}) == (303, HTTP + "/tap/async")
    deadline = time.time() + 10
    job_id = path.rsplit("/", 1)[1]
    while os.path.exists(os.path.join(STATE, "tap-results", job_id)):
        assert time.time() < deadline
        time.sleep(0.2)


def test_delete_both_ways():
    for how in ("ACTION", "DELETE"):
        path = create(QUERY=SMALL)
        if how == "ACTION":
            got = post_raw(path, {"ACTION": "DELETE"})
        else:
            got = post_raw(path, method="DELETE")
        assert got == (303, HTTP + "/tap/async")
        assert request(path).status == 404
        assert post_raw(path, {"ACTION": "DELETE"})[0] == 404
    assert post_raw("/tap/async/0123456789abcdef/phase",
                    {"PHASE": "RUN"})[0] == 404
    assert request("/tap/async/not-a-job").status == 404


def test_job_list_filters():
    pending = create(QUERY=SMALL)
    done = create(QUERY=SMALL, PHASE="RUN")
    wait_for(done, {"COMPLETED"})

    def listed(params):
        r = request("/tap/async", params)
        assert r.status == 200, r.text
        doc = ET.fromstring(r.body)
        assert doc.tag == UWS + "jobs" and doc.get("version") == "1.1"
        return ["/tap/async/" + j.get("id") for j in doc]

    every = listed({})
    assert pending in every and done in every
    assert pending in listed({"PHASE": "PENDING"})
    assert done not in listed({"PHASE": "PENDING"})
    both = listed([("PHASE", "PENDING"), ("PHASE", "COMPLETED")])
    assert pending in both and done in both
    assert listed({"LAST": "1"}) == [done]
    created = job(done).find(UWS + "creationTime").text
    assert pending not in listed({"AFTER": created})
    assert request("/tap/async", {"PHASE": "FOO"}).status == 400
    assert request("/tap/async", {"AFTER": "yesterday"}).status == 400


def test_bad_query_is_an_error_when_the_job_runs():
    # TAP 1.1 §2.3: accepted at creation, refused when run.
    for params, words in (({"QUERY": "DUFF QUERY"}, "line 1, column 1"),
                          ({"QUERY": SMALL, "LANG": "OOBLECK"}, "LANG"),
                          ({"QUERY": "SELECT nothing FROM ivoa.obscore"},
                           "nothing")):
        path = create(**params)
        assert phase(path) == "PENDING"
        post_raw(path + "/phase", {"PHASE": "RUN"})
        assert wait_for(path, {"ERROR", "COMPLETED"}) == "ERROR"
        summary = job(path).find(UWS + "errorSummary")
        assert summary.get("type") == "fatal"
        assert words in summary.find(UWS + "message").text
        r = request(path + "/error")
        assert r.status == 200
        assert r.headers["Content-Type"] == "application/x-votable+xml"
        assert '<INFO name="QUERY_STATUS" value="ERROR">' in r.text
        assert words in r.text
        assert votlint(r.body) == []


def running_queries():
    out, _ = psql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                  "'%1e9%' AND pid <> pg_backend_pid() AND state = 'active'")
    return int(out)


def test_execution_duration_ends_the_job():
    path = create(QUERY=SLOW, EXECUTIONDURATION="1")
    t0 = time.time()
    post_raw(path + "/phase", {"PHASE": "RUN"})
    assert wait_for(path, {"ERROR", "COMPLETED"}) == "ERROR"
    assert time.time() - t0 < 10
    msg = job(path).find(UWS + "errorSummary/" + UWS + "message").text
    assert "executionDuration of 1 s" in msg


def test_abort_cancels_the_query_and_the_runner_goes_on():
    path = create(QUERY=SLOW, PHASE="RUN")
    wait_for(path, {"EXECUTING"})
    time.sleep(0.5)
    assert running_queries() == 1
    t0 = time.time()
    assert post_raw(path + "/phase", {"PHASE": "ABORT"}) == (303, HTTP + path)
    assert phase(path) == "ABORTED"
    deadline = time.time() + 5
    while running_queries() > 0:
        assert time.time() < deadline, "the query was not cancelled"
        time.sleep(0.1)
    cancelled = time.time() - t0
    doc = job(path)
    assert doc.find(UWS + "endTime").text is not None
    assert doc.find(UWS + "results/" + UWS + "result") is None
    # The runner takes the next job.
    after = create(QUERY=SMALL, PHASE="RUN")
    assert wait_for(after, {"COMPLETED", "ERROR"}) == "COMPLETED"
    print("query cancelled %.3f s after ABORT" % cancelled)


def runner_pid():
    with open(os.path.join(STATE, "tap-runner.pid")) as f:
        return int(f.read().split()[0])


def test_runner_killed_mid_job_leaves_no_job_executing():
    path = create(QUERY=SLOW, PHASE="RUN", EXECUTIONDURATION="20")
    wait_for(path, {"EXECUTING"})
    os.kill(runner_pid(), signal.SIGKILL)
    time.sleep(0.5)
    subprocess.run([os.path.join(TOP, "tools", "stack.sh"), "runner"],
                   check=True, timeout=60)
    # [tap] runner_stale is 3 s in the test stack.
    assert wait_for(path, {"ERROR", "COMPLETED"}, seconds=20) == "ERROR"
    msg = job(path).find(UWS + "errorSummary/" + UWS + "message").text
    assert "runner" in msg
    after = create(QUERY=SMALL, PHASE="RUN")
    assert wait_for(after, {"COMPLETED", "ERROR"}) == "COMPLETED"
    out, _ = psql("SELECT count(*) FROM uws.job WHERE phase = 'EXECUTING'")
    assert out.strip() == "0"
    # The killed runner's query does not run on: the server sees its
    # client gone (client_connection_check_interval).
    deadline = time.time() + 10
    while running_queries() > 0:
        assert time.time() < deadline, "the orphaned query runs on"
        time.sleep(0.2)


def test_the_workers_share_the_queue():
    # The runner's two workers claim with SKIP LOCKED: each job once.
    paths = [create(QUERY=SMALL, PHASE="RUN") for _ in range(6)]
    for p in paths:
        assert wait_for(p, {"COMPLETED", "ERROR"}) == "COMPLETED"
    ids = "','".join(p.rsplit("/", 1)[1] for p in paths)
    out, _ = psql("SELECT count(DISTINCT id), count(*) FROM uws.job "
                  "WHERE id IN ('%s') AND start_time IS NOT NULL" % ids)
    assert out.strip() == "6|6"


def test_the_query_role_cannot_see_the_jobs():
    out, err = psql("SET ROLE tap_reader; SELECT count(*) FROM uws.job",
                    check=False)
    assert "permission denied" in err
    r = request("/tap/sync", {"LANG": "ADQL",
                              "QUERY": "SELECT TOP 1 * FROM uws.job"})
    assert r.status == 400


def test_capabilities_declare_the_job_limits():
    # TAPRegExt: pyvo takes its async timeout from executionDuration.
    doc = ET.fromstring(request("/tap/capabilities").body)
    tap = [c for c in doc.findall("capability")
           if c.get("standardID") == "ivo://ivoa.net/std/TAP"][0]
    assert tap.find("executionDuration/default").text == "600"
    assert tap.find("executionDuration/hard").text == "3600"
    assert tap.find("retentionPeriod/default").text == "604800"
    assert pyvo.dal.TAPService(TAP).hardlimit == 1000000
