"""TAP_UPLOAD through nginx: tables sent inline (multipart/form-data, as
pyvo and STILTS send them) or fetched from a URL, queried as
TAP_UPLOAD.name alone and joined with ivoa.obscore, and every way an
upload can be refused."""
import http.server
import io
import threading
import time
import uuid
import xml.etree.ElementTree as ET

import numpy
import pytest
import pyvo
from astropy.table import Table

from conftest import HTTP, brute_force, psql, request, votlint

TAP = HTTP + "/tap"
UWS = "{http://www.ivoa.net/xml/UWS/v1.0}"
# The stack's [tap] upload_max_size and upload_max_rows.
MAX_SIZE = 4194304
MAX_ROWS = 20000


def votable_bytes(table, fmt="tabledata"):
    out = io.BytesIO()
    table.write(out, format="votable", tabledata_format=fmt)
    return out.getvalue()


def multipart(fields, files, filename=True):
    """A multipart/form-data body: FIELDS text, FILES name -> bytes."""
    boundary = "rif-" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(("--%s\r\nContent-Disposition: form-data; name=\"%s\""
                   "\r\n\r\n%s\r\n" % (boundary, name, value)).encode())
    for name, data in files.items():
        disp = 'form-data; name="%s"' % name
        if filename:
            disp += '; filename="%s.xml"' % name
        out.write(("--%s\r\nContent-Disposition: %s\r\nContent-Type: "
                   "application/x-votable+xml\r\n\r\n" % (boundary, disp))
                  .encode())
        out.write(data + b"\r\n")
    out.write(("--%s--\r\n" % boundary).encode())
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


def sync_multipart(query, files, filename=True, **extra):
    fields = {"LANG": "ADQL", "QUERY": query}
    fields.update(extra)
    if "UPLOAD" not in fields:
        fields["UPLOAD"] = ";".join("%s,param:%s" % (n, n) for n in files)
    body, ctype = multipart(fields, files, filename)
    return request("/tap/sync", method="POST", data=body,
                   headers={"Content-Type": ctype})


def error_text(reply):
    assert "QUERY_STATUS" in reply.text and 'value="ERROR"' in reply.text, \
        reply.text
    return reply.text


def no_upload_tables_left():
    out, _ = psql("SELECT count(*) FROM pg_catalog.pg_class "
                  "WHERE relname LIKE 'tap\\_upload\\_%'")
    return out.strip() == "0"


def mixed_table():
    t = Table()
    t["id"] = numpy.arange(5, dtype=numpy.int32)
    t["small"] = numpy.array([-3, 0, 7, 32767, -32768], dtype=numpy.int16)
    t["big"] = numpy.array([0, 1, -1, 2 ** 62, -2 ** 62], dtype=numpy.int64)
    t["flux"] = numpy.array([1.5, -0.25, 3e-30, 1e30, 0], dtype=numpy.float32)
    t["ra"] = numpy.array([0.0, 10.5, 180.25, 359.999, 42.0])
    t["ra"].unit = "deg"
    t["ra"].meta["ucd"] = "pos.eq.ra;meta.main"
    t["name"] = ["a", "tab\there", "quote ' and \"", "Observação", "<&>"]
    t["flag"] = [True, False, True, False, True]
    return t


def test_a_mixed_table_comes_back_as_it_went():
    t = mixed_table()
    for fmt in ("tabledata", "binary", "binary2"):
        r = sync_multipart("SELECT * FROM TAP_UPLOAD.mine ORDER BY id",
                           {"mine": votable_bytes(t, fmt)})
        assert r.status == 200, r.text
        votlint(r.body)
        got = r.votable().get_first_table()
        fields = {f.name: f for f in got.fields}
        assert list(fields) == list(t.colnames)
        assert fields["ra"].unit == "deg"
        assert fields["ra"].ucd == "pos.eq.ra;meta.main"
        assert fields["small"].datatype == "short"
        assert fields["big"].datatype == "long"
        assert fields["flag"].datatype == "bit"      # astropy writes bool so
        a = got.array
        for col in t.colnames:
            assert list(a[col]) == list(t[col]), (fmt, col)
    assert no_upload_tables_left()


def test_pyvo_joins_an_upload_with_obscore_by_publisher_did():
    out, _ = psql("SELECT obs_publisher_did, obs_id FROM ivoa.obscore "
                  "ORDER BY obs_publisher_did LIMIT 40")
    rows = [line.split("|") for line in out.splitlines()]
    mine = Table({"did": [r[0] for r in rows] + ["ivo://nowhere?none"],
                  "n": numpy.arange(len(rows) + 1)})
    svc = pyvo.dal.TAPService(TAP)
    res = svc.run_sync(
        "SELECT u.n, o.obs_id FROM TAP_UPLOAD.mine AS u "
        "JOIN ivoa.obscore AS o ON o.obs_publisher_did = u.did ORDER BY u.n",
        uploads={"mine": mine})
    got = res.to_table()
    assert list(got["n"]) == list(range(len(rows)))
    assert list(got["obs_id"]) == [r[1] for r in rows]


def test_a_positional_cross_match_finds_what_brute_force_finds(sky):
    rng = numpy.random.default_rng(7)
    dids = sorted(sky)[:200]
    ra = numpy.array([sky[d][0][0] for d in dids]) + rng.normal(0, .01, 200)
    dec = numpy.array([sky[d][0][1] for d in dids]) + rng.normal(0, .01, 200)
    dec = numpy.clip(dec, -90, 90)
    ra = numpy.mod(ra, 360)
    mine = Table({"pid": numpy.arange(200), "ra": ra, "dec": dec})
    res = pyvo.dal.TAPService(TAP).run_sync(
        "SELECT u.pid, o.obs_publisher_did FROM TAP_UPLOAD.pos AS u "
        "JOIN ivoa.obscore AS o ON 1 = CONTAINS(POINT('ICRS', o.s_ra, "
        "o.s_dec), CIRCLE('ICRS', u.ra, u.dec, 0.05))", uploads={"pos": mine},
        maxrec=1000000)
    got = sorted((int(p), str(d)) for p, d in zip(res["pid"],
                                                  res["obs_publisher_did"]))
    want = sorted((i, did) for i in range(200)
                  for _, did in brute_force(sky, ra[i], dec[i], 0.05))
    assert got == want
    assert len(want) >= 200


def test_a_part_without_a_filename_is_taken_too():
    t = Table({"x": [1, 2, 3]})
    r = sync_multipart("SELECT SUM(x) AS s FROM TAP_UPLOAD.t",
                       {"t": votable_bytes(t)}, filename=False)
    assert r.status == 200, r.text
    assert int(r.votable().get_first_table().array["s"][0]) == 6


def test_two_uploads_in_one_query():
    a = Table({"k": [1, 2, 3], "va": ["x", "y", "z"]})
    b = Table({"k": [2, 3, 4], "vb": [20.0, 30.0, 40.0]})
    r = sync_multipart("SELECT a.k, va, vb FROM TAP_UPLOAD.a AS a JOIN "
                       "TAP_UPLOAD.b AS b ON a.k = b.k ORDER BY a.k",
                       {"a": votable_bytes(a), "b": votable_bytes(b)})
    assert r.status == 200, r.text
    got = r.votable().get_first_table().array
    assert list(got["k"]) == [2, 3] and list(got["vb"]) == [20.0, 30.0]


def test_an_upload_lives_for_its_query_alone():
    t = Table({"x": [1]})
    assert sync_multipart("SELECT x FROM TAP_UPLOAD.gone",
                          {"gone": votable_bytes(t)}).status == 200
    # Every worker, many times over: none of them still has it.
    for _ in range(8):
        r = request("/tap/sync", {"LANG": "ADQL",
                                  "QUERY": "SELECT x FROM TAP_UPLOAD.gone"})
        assert r.status == 400
        assert "no table TAP_UPLOAD.gone" in error_text(r)
    assert no_upload_tables_left()


def test_column_names_are_data_not_sql():
    t = Table({'a"b': [1], "x); DROP TABLE ivoa.obscore; --": [2]})
    r = sync_multipart('SELECT "a""b", "x); DROP TABLE ivoa.obscore; --" '
                       "FROM TAP_UPLOAD.evil", {"evil": votable_bytes(t)})
    assert r.status == 200, r.text
    assert [f.name for f in r.votable().get_first_table().fields] == \
        ['a"b', "x); DROP TABLE ivoa.obscore; --"]
    out, _ = psql("SELECT count(*) > 0 FROM ivoa.obscore")
    assert out.strip() == "t"


# --- URL uploads ------------------------------------------------------------

class Served(http.server.BaseHTTPRequestHandler):
    """Tables at /NAME.xml; /moved answers 302; anything else 404."""
    tables = {}

    def do_GET(self):
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/t.xml")
            self.end_headers()
            return
        body = self.tables.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-votable+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Served)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield "http://127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()


def test_a_table_at_a_url(served):
    Served.tables["/t.xml"] = votable_bytes(Table({"x": [5, 6, 7]}), "binary")
    r = request("/tap/sync", {"LANG": "ADQL", "UPLOAD": "t," + served +
                              "/t.xml", "QUERY": "SELECT MAX(x) AS m FROM "
                              "TAP_UPLOAD.t"})
    assert r.status == 200, r.text
    assert int(r.votable().get_first_table().array["m"][0]) == 7
    res = pyvo.dal.TAPService(TAP).run_sync(
        "SELECT COUNT(*) AS n FROM TAP_UPLOAD.t", uploads={"t": served +
                                                           "/t.xml"})
    assert int(res["n"][0]) == 3


@pytest.mark.parametrize("path,words", [
    ("/moved", "redirect (HTTP 302), which is not followed"),
    ("/missing.xml", "the URL answered HTTP 404")])
def test_a_url_that_does_not_give_a_table(served, path, words):
    r = request("/tap/sync", {"LANG": "ADQL", "UPLOAD": "t," + served + path,
                              "QUERY": "SELECT * FROM TAP_UPLOAD.t"})
    assert r.status == 400
    assert words in error_text(r)


def test_a_url_from_a_host_not_named_is_not_fetched():
    r = request("/tap/sync", {"LANG": "ADQL",
                              "UPLOAD": "t,http://192.0.2.1/t.xml",
                              "QUERY": "SELECT * FROM TAP_UPLOAD.t"})
    assert r.status == 400
    assert "192.0.2.1 is not one of them" in error_text(r)


# --- Refusals ---------------------------------------------------------------

@pytest.mark.parametrize("upload,words", [
    ("t", "'t' is not name,URI"),
    ("1t,param:t", "'1t' is not a table name"),
    ("select,param:t", "'select' is not a table name"),
    ("t,ftp://example.org/t.xml", "neither param:NAME nor an http"),
    ("t,param:t;T,param:t", "the table T is given twice"),
    ("t,param:nothere", "the request has no part named nothere")])
def test_bad_upload_parameters(upload, words):
    t = votable_bytes(Table({"x": [1]}))
    r = sync_multipart("SELECT * FROM TAP_UPLOAD.t", {"t": t}, UPLOAD=upload)
    assert r.status == 400
    assert words in error_text(r)


@pytest.mark.parametrize("data,words", [
    (b"this is not XML", "UPLOAD t: "),
    (b"<?xml version='1.0'?><html><body>no</body></html>", "UPLOAD t: "),
    (b"<VOTABLE><RESOURCE><TABLE><FIELD name='a' datatype='int'/><DATA>"
     b"<TABLEDATA><TR><TD>x</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE>"
     b"</VOTABLE>", "UPLOAD t: ")])
def test_uploads_that_are_not_votables(data, words):
    r = sync_multipart("SELECT * FROM TAP_UPLOAD.t", {"t": data})
    assert r.status == 400
    assert words in error_text(r)
    assert no_upload_tables_left()


def test_a_malformed_multipart_body():
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"LANG\"\r\n\r\nADQL"
    r = request("/tap/sync", method="POST", data=body,
                headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert r.status == 400
    error_text(r)


def test_too_many_rows():
    t = Table({"x": numpy.arange(MAX_ROWS + 1, dtype=numpy.int32)})
    r = sync_multipart("SELECT COUNT(*) FROM TAP_UPLOAD.t",
                       {"t": votable_bytes(t, "binary2")})
    assert r.status == 400
    assert "UPLOAD t: " in error_text(r)
    assert no_upload_tables_left()


def test_a_body_over_the_limit_is_413():
    r = sync_multipart("SELECT * FROM TAP_UPLOAD.t",
                       {"t": b"<" * (MAX_SIZE + 1)})
    assert r.status == 413
    error_text(r)


def test_the_capabilities_declare_both_methods_and_the_limit():
    r = request("/tap/capabilities")
    assert "ivo://ivoa.net/std/TAPRegExt#upload-inline" in r.text
    assert "ivo://ivoa.net/std/TAPRegExt#upload-http" in r.text
    assert "<uploadLimit><default unit=\"byte\">%d</default>" % MAX_SIZE \
        in r.text


# --- Async jobs ---------------------------------------------------------------

def stored_parts(job_id):
    out, _ = psql("SELECT count(*) FROM uws.upload WHERE job_id = '%s'" %
                  job_id)
    return int(out)


def test_run_async_with_an_upload_gives_what_run_sync_gives():
    mine = Table({"k": numpy.arange(50, dtype=numpy.int32),
                  "w": numpy.linspace(0, 1, 50)})
    q = "SELECT k, w FROM TAP_UPLOAD.mine WHERE k >= 10 ORDER BY k"
    svc = pyvo.dal.TAPService(TAP)
    sync = svc.run_sync(q, uploads={"mine": mine}).to_table()
    res = svc.run_async(q, uploads={"mine": mine}).to_table()
    assert list(res["k"]) == list(sync["k"]) == list(range(10, 50))


def test_a_job_keeps_its_tables_until_it_goes(served):
    Served.tables["/u.xml"] = votable_bytes(Table({"x": [1, 2]}))
    svc = pyvo.dal.TAPService(TAP)
    j = svc.submit_job("SELECT a.x, b.x AS y FROM TAP_UPLOAD.a AS a, "
                       "TAP_UPLOAD.b AS b ORDER BY a.x, b.x",
                       uploads={"a": Table({"x": [10, 20, 30]})})
    job_id = j.job_id
    assert stored_parts(job_id) == 1
    # pyvo's job.upload(): more tables while the job is PENDING.
    j.upload(b=served + "/u.xml")
    r = request(urllib_path(j.url) + "/parameters")
    assert "a,param:a;b," + served + "/u.xml" in r.text, r.text
    j.run().wait()
    assert j.phase == "COMPLETED", j.job.errorsummary
    got = j.fetch_result().to_table()
    assert [(int(a), int(b)) for a, b in zip(got["x"], got["y"])] == \
        [(a, b) for a in (10, 20, 30) for b in (1, 2)]
    j.delete()
    # The runner's sweep removes the job, and its tables with it.
    deadline = time.time() + 20
    while stored_parts(job_id) and time.time() < deadline:
        time.sleep(0.2)
    assert stored_parts(job_id) == 0


def test_a_job_whose_upload_is_refused_ends_in_error():
    svc = pyvo.dal.TAPService(TAP)
    j = svc.submit_job("SELECT * FROM TAP_UPLOAD.t",
                       uploads={"t": io.BytesIO(b"not a VOTable")})
    j.run()
    j.wait(phases={"COMPLETED", "ERROR", "ABORTED"})
    assert j.phase == "ERROR"
    assert "UPLOAD t: " in error_summary(j)
    # Accepted at creation, as TAP 1.1 §2.3 has it, refused when run.
    j2 = svc.submit_job("SELECT * FROM TAP_UPLOAD.t",
                        UPLOAD="t,param:nowhere")
    assert j2.phase == "PENDING"
    j2.run()
    j2.wait(phases={"COMPLETED", "ERROR", "ABORTED"})
    assert "no part named nowhere" in error_summary(j2)
    j.delete()
    j2.delete()


def error_summary(j):
    doc = ET.fromstring(request(urllib_path(j.url)).body)
    return doc.find(UWS + "errorSummary/" + UWS + "message").text


def urllib_path(url):
    import urllib.parse
    return urllib.parse.urlparse(url).path


def now():
    out, _ = psql("SELECT now()")
    return out.strip()


def jobs_since(t0):
    out, _ = psql("SELECT count(*) FROM uws.job WHERE creation_time >= '%s'"
                  % t0)
    return int(out)


def test_a_job_refused_at_creation_stores_nothing():
    t0 = now()
    # A malformed body, and one over the limit: no job, no table.
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"LANG\"\r\n\r\nADQL"
    r = request("/tap/async", method="POST", data=body,
                headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert r.status == 400
    error_text(r)
    fields = {"LANG": "ADQL", "QUERY": "SELECT * FROM TAP_UPLOAD.t",
              "UPLOAD": "t,param:t"}
    body, ctype = multipart(fields, {"t": b"<" * (MAX_SIZE + 1)})
    r = request("/tap/async", method="POST", data=body,
                headers={"Content-Type": ctype})
    assert r.status == 413
    assert jobs_since(t0) == 0
