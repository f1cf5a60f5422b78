"""TAP through nginx and spawn-fcgi: the VOSI documents built from
TAP_SCHEMA, pyvo's view of them, and the rights of the role queries run
as."""
import base64
import os
import re
import signal
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import numpy
import pytest
import pyvo
from astropy.table import Table

from conftest import (HTTP, PGHOST, SKY_ROWS, TOP, as_postgres, brute_force,
                      psql, request, votlint, workers)

TAP = HTTP + "/tap"
VS = "{http://www.ivoa.net/xml/VODataService/v1.1}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def xml(reply):
    assert reply.status == 200, reply.text
    return ET.fromstring(reply.body)


def test_landing_names_the_endpoints():
    r = request("/tap")
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    for word in ("sync", "tables", "capabilities", "availability"):
        assert word in r.text


@pytest.mark.parametrize("path", ["/tap/async/1", "/tap/async/x-y",
                                  "/tap/examples/cone", "/tap/example"])
def test_what_is_not_there_is_404(path):
    assert request(path).status == 404


def test_capabilities():
    doc = xml(request("/tap/capabilities"))
    caps = {c.get("standardID"): c for c in doc.findall("capability")}
    assert set(caps) == {
        "ivo://ivoa.net/std/VOSI#capabilities",
        "ivo://ivoa.net/std/VOSI#availability",
        "ivo://ivoa.net/std/VOSI#tables-1.1", "ivo://ivoa.net/std/TAP",
        "ivo://ivoa.net/std/DALI#examples"}
    assert caps["ivo://ivoa.net/std/VOSI#tables-1.1"].find(
        "interface/accessURL").text == TAP + "/tables"
    examples = caps["ivo://ivoa.net/std/DALI#examples"].find("interface")
    assert examples.get(XSI + "type") == "vr:WebBrowser"
    assert examples.find("accessURL").text == TAP + "/examples"
    tap = caps["ivo://ivoa.net/std/TAP"]
    assert tap.get(XSI + "type") == "tr:TableAccess"
    intf = tap.find("interface")
    assert intf.get("role") == "std" and intf.get("version") == "1.1"
    assert intf.find("accessURL").text == TAP
    assert tap.find("dataModel").get("ivo-id") == \
        "ivo://ivoa.net/std/ObsCore#core-1.1"
    lang = tap.find("language")
    assert lang.find("name").text == "ADQL"
    assert {v.get("ivo-id") for v in lang.findall("version")} == {
        "ivo://ivoa.net/std/ADQL#v2.0", "ivo://ivoa.net/std/ADQL#v2.1"}
    geo = [f for f in lang.findall("languageFeatures")
           if f.get("type").endswith("#features-adqlgeo")][0]
    forms = {f.find("form").text for f in geo.findall("feature")}
    assert {"POINT", "CIRCLE", "POLYGON", "CONTAINS", "INTERSECTS",
            "DISTANCE"} <= forms
    assert "REGION" not in forms
    assert tap.find("outputLimit/hard").text == "1000000"


def test_availability():
    doc = xml(request("/tap/availability"))
    ns = "{http://www.ivoa.net/xml/VOSIAvailability/v1.0}"
    assert doc.find(ns + "available").text == "true"


def tables(detail=None):
    doc = xml(request("/tap/tables", {"detail": detail} if detail else None))
    return {t.find("name").text: t for s in doc.findall("schema")
            for t in s.findall("table")}


def test_tables_list_obscore_and_tap_schema():
    t = tables()
    assert set(t) == {"ivoa.ObsCore", "TAP_SCHEMA.schemas",
                      "TAP_SCHEMA.tables", "TAP_SCHEMA.columns",
                      "TAP_SCHEMA.keys", "TAP_SCHEMA.key_columns"}
    cols = {c.find("name").text: c for c in t["ivoa.ObsCore"].findall("column")}
    assert len(cols) == 62
    region = cols["s_region"]
    assert region.find("dataType").text == "char"
    assert region.find("dataType").get("arraysize") == "*"
    assert region.find("ucd").text == "pos.outline;obs.field"
    assert cols["s_ra"].find("unit").text == "deg"
    assert cols["s_ra"].get("std") == "true"
    assert cols["rucio_did_name"].get("std") is None
    assert cols["obs_release_date"].find("dataType").get(
        "extendedType") == "timestamp"
    assert cols["calib_level"].find("unit") is None
    keys = t["TAP_SCHEMA.columns"].findall("foreignKey")
    assert [k.find("targetTable").text for k in keys] == ["TAP_SCHEMA.tables"]


def test_detail_min_has_no_columns():
    t = tables("min")
    assert "ivoa.ObsCore" in t
    assert all(x.find("column") is None for x in t.values())
    assert request("/tap/tables", {"detail": "most"}).status == 400


@pytest.mark.parametrize("name", ["ivoa.ObsCore", "ivoa.obscore"])
def test_one_table(name):
    doc = xml(request("/tap/tables/" + name))
    assert doc.find("name").text == "ivoa.ObsCore"
    assert len(doc.findall("column")) == 62


def test_unknown_table_is_404():
    r = request("/tap/tables/rucio.dids")
    assert r.status == 404
    assert 'value="ERROR"' in r.text


def test_pyvo_tables():
    service = pyvo.dal.TAPService(TAP)
    names = [t.name for t in service.tables]
    assert "ivoa.ObsCore" in names and "TAP_SCHEMA.columns" in names
    obscore = service.tables["ivoa.ObsCore"]
    assert "s_region" in [c.name for c in obscore.columns]


def obscore_descriptions(n):
    """The description of ivoa.ObsCore in N answers (each worker's)."""
    return {tables("min")["ivoa.ObsCore"].find("description").text
            for _ in range(n)}


def hang_up_workers():
    pids = workers("tap")
    assert len(pids) >= 2
    for pid in pids:
        os.kill(pid, signal.SIGHUP)
    return len(pids)


def test_sighup_reads_tap_schema_again():
    """Each worker reads TAP_SCHEMA once; a SIGHUP makes it read it again
    before its next request, and the worker goes on serving."""
    (old,) = obscore_descriptions(8)
    n = len(workers("tap"))
    try:
        psql("UPDATE tap_schema.tables SET description = 'Renamed by a test' "
             "WHERE table_name = 'ivoa.ObsCore'")
        assert obscore_descriptions(8) == {old}      # read once, kept
        assert hang_up_workers() == n
        assert obscore_descriptions(8) == {"Renamed by a test"}
        assert len(workers("tap")) == n              # none died of it
    finally:
        psql("UPDATE tap_schema.tables SET description = '%s' "
             "WHERE table_name = 'ivoa.ObsCore'" % old.replace("'", "''"))
        hang_up_workers()
    assert obscore_descriptions(8) == {old}


def test_tap_schema_agrees_with_the_cone_search():
    """scs.fcgi's column table and TAP_SCHEMA describe the same table; only
    the identifier and position UCDs differ (SCS 1.03's UCD1 words)."""
    fields = {f.name: f for f in request(
        "/scs", {"RA": 0, "DEC": 0, "SR": 0, "VERB": 3}).votable()
        .get_first_table().fields}
    out, _ = psql("SELECT column_name, ucd, coalesce(unit, ''), "
                  "coalesce(utype, '') FROM tap_schema.columns "
                  "WHERE table_name = 'ivoa.ObsCore'")
    ucd1 = {"obs_publisher_did": "ID_MAIN", "s_ra": "POS_EQ_RA_MAIN",
            "s_dec": "POS_EQ_DEC_MAIN"}
    seen = 0
    for line in out.splitlines():
        name, ucd, unit, utype = line.split("|")
        f = fields[name]
        assert (f.ucd or "") == ucd1.get(name, ucd), name
        assert str(f.unit or "") == unit, name
        assert (f.utype or "").lower() == utype.lower(), name
        seen += 1
    assert seen == len(fields) - 1     # all but scs's own _r


def test_the_reader_role_reads_the_published_tables_only():
    sql = "SET ROLE tap_reader; SELECT count(*) FROM %s"
    for t in ("ivoa.obscore", "tap_schema.columns"):
        psql(sql % t)
    for t in ("rucio.dids", "pg_catalog.pg_authid"):
        _, err = psql(sql % t, check=False)
        assert "permission denied" in err, t
    _, err = psql("SET ROLE tap_reader; DELETE FROM ivoa.obscore",
                  check=False)
    assert "permission denied" in err


def test_tap_schema_sql_applies_twice():
    before, _ = psql("SELECT count(*) FROM tap_schema.columns")
    with open(os.path.join(TOP, "sql", "40_tap_schema.sql")) as f:
        sql = f.read()
    p = subprocess.run(as_postgres(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PGHOST, "-U",
         "postgres", "-d", "rucio_ivoa", "-f", "-"]), input=sql, text=True,
        capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    after, _ = psql("SELECT count(*) FROM tap_schema.columns")
    assert before == after


# --- Synchronous queries ----------------------------------------------------

def sync(query, method="POST", **params):
    """One query through /tap/sync; the reply, 4xx and 5xx included."""
    params = dict({"LANG": "ADQL", "QUERY": query}, **params)
    if method == "GET":
        return request("/tap/sync", params)
    return request("/tap/sync", method="POST", data=params)


def statuses(reply):
    """Every QUERY_STATUS of a VOTable answer, in document order."""
    return re.findall(r'<INFO name="QUERY_STATUS" value="([A-Z]+)"',
                      reply.text)


def clean(reply):
    """The reply passes votlint; returned for chaining."""
    assert votlint(reply.body) == [], reply.text[:2000]
    return reply


def service():
    return pyvo.dal.TAPService(TAP)


def near_edge(d, r):
    return abs(d - r) < 1e-9


@pytest.mark.parametrize("ra, dec, r", [(0.5, 10, 6), (359.2, -40, 5),
                                        (180, 89, 4)])
def test_cone_matches_brute_force(sky, ra, dec, r):
    result = service().search(
        "SELECT obs_publisher_did, s_ra, s_dec FROM ivoa.obscore WHERE "
        "CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', %r, %r, %r)) = 1"
        % (ra, dec, r), maxrec=100000)
    got = {str(row["obs_publisher_did"]) for row in result}
    want = brute_force(sky, ra, dec, r)
    edge = {did for d, did in want if near_edge(d, r)}
    assert got - edge == {did for _, did in want} - edge
    assert len(got) >= 3
    if ra < 1 or ra > 359:
        ras = [float(row["s_ra"]) for row in result]
        assert min(ras) < 5 and max(ras) > 355


def test_nearest_first_by_distance(sky):
    ra, dec = 52.5, -27.5
    result = service().search(
        "SELECT TOP 10 obs_publisher_did, DISTANCE(POINT('ICRS', s_ra, s_dec), "
        "POINT('ICRS', %r, %r)) AS d FROM ivoa.obscore WHERE "
        "DISTANCE(POINT('ICRS', s_ra, s_dec), POINT('ICRS', %r, %r)) < 10 "
        "ORDER BY d" % (ra, dec, ra, dec))
    got = [(float(row["d"]), str(row["obs_publisher_did"])) for row in result]
    want = brute_force(sky, ra, dec, 10)[:10]
    assert len(got) == 10
    assert [d for d, _ in got] == sorted(d for d, _ in got)
    for (gd, _), (wd, _) in zip(got, want):
        assert gd == pytest.approx(wd, abs=1e-9)
    dist = {did: d for d, did in brute_force(sky, ra, dec, 10)}
    for d, did in got:
        assert d == pytest.approx(dist[did], abs=1e-9)


def test_counts_by_collection():
    result = service().search(
        "SELECT obs_collection, COUNT(*) AS n FROM ivoa.obscore "
        "GROUP BY obs_collection ORDER BY n DESC")
    got = {str(r["obs_collection"]): int(r["n"]) for r in result}
    out, _ = psql("SELECT obs_collection, count(*) FROM ivoa.obscore "
                  "GROUP BY 1")
    want = {c: int(n) for c, n in (l.split("|") for l in out.splitlines())}
    assert got == want
    assert list(got.values()) == sorted(got.values(), reverse=True)


def test_offset_pages_through_an_order():
    out, _ = psql("SELECT obs_publisher_did FROM ivoa.obscore "
                  "ORDER BY obs_publisher_did LIMIT 30")
    every = out.split()
    pages = []
    for offset in (0, 10, 20):
        result = service().search(
            "SELECT TOP 10 obs_publisher_did FROM ivoa.obscore "
            "ORDER BY obs_publisher_did OFFSET %d" % offset)
        pages += [str(r["obs_publisher_did"]) for r in result]
    assert pages == every


def test_maxrec_overflow():
    q = "SELECT obs_id FROM ivoa.obscore"
    result = service().run_sync(q, maxrec=7)
    assert len(result) == 7
    assert result.query_status == "OVERFLOW"
    r = clean(sync(q, MAXREC=7))
    # DALI 1.1 §4.4: OK before the table, OVERFLOW after it.
    assert statuses(r) == ["OK", "OVERFLOW"]
    assert r.text.index('value="OVERFLOW"') > r.text.index("</TABLE>")


def test_top_below_maxrec_is_no_overflow():
    r = clean(sync("SELECT TOP 5 obs_id FROM ivoa.obscore", MAXREC=10))
    assert statuses(r) == ["OK"]
    assert len(r.votable(verify="ignore").get_first_table().array) == 5
    # Exactly MAXREC rows and no more: no overflow either.
    r = clean(sync("SELECT TOP 10 obs_id FROM ivoa.obscore", MAXREC=10))
    assert statuses(r) == ["OK"]


def test_maxrec_zero_is_the_metadata():
    r = clean(sync("SELECT obs_id, s_ra, s_region FROM ivoa.obscore",
                   MAXREC=0))
    table = r.votable(verify="ignore").get_first_table()
    assert len(table.array) == 0
    assert [f.name for f in table.fields] == ["obs_id", "s_ra", "s_region"]
    assert statuses(r) == ["OK", "OVERFLOW"]


def test_default_and_hard_row_limits():
    r = sync("SELECT obs_id FROM ivoa.obscore", MAXREC=10 ** 12)
    assert r.status == 200
    # The test sky is smaller than either limit: every row comes.
    assert len(r.votable(verify="ignore").get_first_table().array) == SKY_ROWS + 3


def test_metadata_comes_from_tap_schema():
    r = clean(sync("SELECT TOP 3 * FROM ivoa.obscore"))
    fields = {f.name: f for f in r.votable(verify="ignore").get_first_table().fields}
    assert len(fields) == 62
    assert fields["s_ra"].ucd == "pos.eq.ra" and str(fields["s_ra"].unit) == "deg"
    assert fields["s_region"].datatype == "char"
    assert fields["s_region"].arraysize == "*"
    assert fields["obs_release_date"].xtype == "timestamp"
    assert fields["access_estsize"].datatype == "long"


def test_s_region_is_written_as_the_cone_search_writes_it():
    out, _ = psql("SELECT obs_publisher_did FROM ivoa.obscore "
                  "WHERE s_region IS NOT NULL AND s_ra BETWEEN 53 AND 54 "
                  "ORDER BY obs_publisher_did LIMIT 1")
    did = out.strip()
    tap = clean(sync("SELECT s_region FROM ivoa.obscore "
                     "WHERE obs_publisher_did = '%s'" % did))
    region = str(tap.votable(verify="ignore").get_first_table().array[0]["s_region"])
    assert region.startswith("Polygon ICRS ")
    scs = request("/scs", {"RA": 53.75308, "DEC": -24.93365, "SR": 1})
    rows = [r for r in scs.votable(verify="ignore").get_first_table().array
            if str(r["obs_publisher_did"]) == did]
    assert rows and str(rows[0]["s_region"]) == region


def test_computed_geometry_is_dali():
    r = clean(sync("SELECT TOP 1 POINT('ICRS', s_ra, s_dec) AS p, "
                   "CIRCLE('ICRS', s_ra, s_dec, 0.5) AS c, "
                   "POLYGON('ICRS', 10, 10, 11, 10, 11, 11) AS poly, "
                   "s_ra, s_dec FROM ivoa.obscore WHERE s_ra > 1"))
    t = r.votable(verify="ignore").get_first_table()
    f = {x.name: x for x in t.fields}
    assert (f["p"].xtype, f["p"].arraysize) == ("point", "2")
    assert (f["c"].xtype, f["c"].arraysize) == ("circle", "3")
    assert f["poly"].xtype == "polygon"
    row = t.array[0]
    assert list(row["p"]) == pytest.approx([row["s_ra"], row["s_dec"]])
    assert list(row["c"]) == pytest.approx([row["s_ra"], row["s_dec"], 0.5])
    assert list(row["poly"]) == pytest.approx([10, 10, 11, 10, 11, 11])


def test_timestamps_are_dali():
    r = clean(sync("SELECT obs_creation_date FROM ivoa.obscore "
                   "WHERE obs_creation_date IS NOT NULL", MAXREC=3))
    cells = re.findall(r"<TD>([^<]*)</TD>", r.text)
    assert cells
    for c in cells:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", c), c


def test_tap_schema_queries_as_clients_send_them():
    # TOPCAT's first question, and taplint's delimited "size".
    r = clean(sync("SELECT COUNT(*) AS nrow FROM TAP_SCHEMA.columns"))
    n = int(r.votable(verify="ignore").get_first_table().array[0]["nrow"])
    out, _ = psql("SELECT count(*) FROM tap_schema.columns")
    assert n == int(out)
    r = clean(sync('SELECT TOP 5 column_name, "size", std FROM '
                   'TAP_SCHEMA.columns WHERE table_name = \'ivoa.ObsCore\''))
    assert len(r.votable(verify="ignore").get_first_table().array) == 5
    assert sync("SELECT size FROM TAP_SCHEMA.columns").status == 400


@pytest.mark.parametrize("lang", ["ADQL", "ADQL-2.0", "ADQL-2.1", "adql"])
def test_every_declared_language(lang):
    r = clean(sync("SELECT TOP 1 obs_id FROM ivoa.obscore", LANG=lang))
    assert r.status == 200 and statuses(r) == ["OK"]


def test_get_post_and_the_other_parameters():
    q = "SELECT TOP 2 obs_id FROM ivoa.obscore"
    for method in ("GET", "POST"):
        r = clean(sync(q, method, REQUEST="doQuery", DUMMY="ignored",
                       RUNID="run-42"))
        assert r.status == 200
        assert r.headers["Content-Type"] == "application/x-votable+xml"
        assert '<INFO name="RUNID" value="run-42">' in r.text
    r = clean(sync(q, RESPONSEFORMAT="votable"))
    assert r.status == 200
    r = clean(sync(q, FORMAT="text/xml"))
    assert r.headers["Content-Type"].startswith("text/xml")


@pytest.mark.parametrize("params, status, words", [
    ({"LANG": "OOBLECK"}, 400, "LANG"),
    ({"LANG": None}, 400, "LANG: missing"),
    ({"QUERY": None}, 400, "QUERY: missing"),
    ({"QUERY": "DUFF QUERY"}, 400, "line 1, column 1"),
    ({"QUERY": "SELECT\n  obs_id\nFROM ivoa.obscore WHERE"}, 400,
     "line 3, column"),
    ({"REQUEST": "getCapabilities"}, 400, "REQUEST"),
    ({"MAXREC": "-1"}, 400, "MAXREC"),
    ({"MAXREC": "lots"}, 400, "MAXREC"),
    ({"RESPONSEFORMAT": "fits"}, 400, "RESPONSEFORMAT"),
    ({"LANG": ["ADQL", "ADQL"]}, 400, "LANG: given 2 times"),
])
def test_usage_errors(params, status, words):
    data = {"LANG": "ADQL", "QUERY": "SELECT TOP 1 obs_id FROM ivoa.obscore"}
    data.update(params)
    data = {k: v for k, v in data.items() if v is not None}
    r = clean(request("/tap/sync", method="POST", data=data))
    assert r.status == status
    assert statuses(r) == ["ERROR"]
    assert words in r.text


def obscore_state():
    out, _ = psql("SELECT count(*), md5(string_agg(obs_publisher_did, ',' "
                  "ORDER BY obs_publisher_did)) FROM ivoa.obscore")
    return out


@pytest.mark.parametrize("query, words", [
    ("SELECT TOP 1 obs_id FROM ivoa.obscore; DELETE FROM ivoa.obscore",
     "syntax error"),
    ("SELECT pg_sleep(10) FROM ivoa.obscore", "unknown function pg_sleep"),
    ("SELECT s_ra::text FROM ivoa.obscore", "'::' is not ADQL"),
    ("SELECT * FROM pg_catalog.pg_authid", "no table pg_catalog.pg_authid"),
    ("SELECT * FROM rucio.dids", "no table rucio.dids"),
    ("SELECT * FROM information_schema.tables", "no table"),
    ("DELETE FROM ivoa.obscore", "syntax error"),
    ("SELECT TOP 1 set_config('role', 'postgres', false) FROM ivoa.obscore",
     "unknown function set_config"),
])
def test_refused_statements_leave_the_table_alone(query, words):
    before = obscore_state()
    r = clean(sync(query))
    assert r.status == 400
    assert statuses(r) == ["ERROR"] and words in r.text
    assert obscore_state() == before


def test_quotes_stay_inside_their_literals():
    before = obscore_state()
    for q in ("SELECT obs_id FROM ivoa.obscore WHERE obs_id = "
              "'x''; DELETE FROM ivoa.obscore; --'",
              'SELECT "obs_id"";DELETE FROM ivoa.obscore;--" '
              'FROM ivoa.obscore'):
        r = clean(sync(q))
        assert statuses(r) in (["OK"], ["ERROR"])
        if r.status == 200:
            assert len(r.votable(verify="ignore").get_first_table().array) == 0
    assert obscore_state() == before


def test_a_failing_query_is_the_clients_error():
    r = clean(sync("SELECT TOP 1 1/0 AS x FROM ivoa.obscore"))
    assert r.status == 400 and "division by zero" in r.text


def test_a_long_query_times_out_with_503():
    r = clean(sync("SELECT COUNT(*) AS n FROM ivoa.obscore AS a, "
                   "ivoa.obscore AS b, ivoa.obscore AS c"))
    assert r.status == 503
    assert "longer than" in r.text
    # The worker is free again at once.
    assert clean(sync("SELECT TOP 1 obs_id FROM ivoa.obscore")).status == 200


@pytest.mark.parametrize("fmt, ctype, sep", [
    ("csv", "text/csv;header=present", ","),
    ("text/csv", "text/csv;header=present", ","),
    ("tsv", "text/tab-separated-values", "\t"),
])
def test_csv_and_tsv(fmt, ctype, sep):
    r = sync("SELECT TOP 3 obs_id, s_ra, s_region FROM ivoa.obscore "
             "WHERE s_region IS NOT NULL ORDER BY obs_id", RESPONSEFORMAT=fmt)
    assert r.status == 200
    assert r.headers["Content-Type"] == ctype
    lines = r.text.splitlines()
    assert lines[0].split(sep) == ["obs_id", "s_ra", "s_region"]
    assert len(lines) == 4
    assert lines[1].split(sep)[2].startswith("Polygon ICRS ")


def test_csv_quotes_what_needs_it():
    r = sync("SELECT TOP 1 'a,\"b\"' AS t, 'plain' AS u FROM ivoa.obscore",
             RESPONSEFORMAT="csv")
    assert r.text.splitlines()[1] == '"a,""b""",plain'


def test_every_answer_passes_votlint():
    for q in ("SELECT TOP 50 * FROM ivoa.obscore",
              "SELECT TOP 20 * FROM TAP_SCHEMA.columns",
              "SELECT TOP 5 s_region, AREA(s_region) AS a, "
              "CENTROID(CIRCLE(s_ra, s_dec, 1)) AS c, "
              "COORD1(POINT(s_ra, s_dec)) AS x "
              "FROM ivoa.obscore WHERE s_region IS NOT NULL",
              "SELECT TOP 5 obs_id, LOWER(obs_collection) AS c, "
              "CAST(calib_level AS DOUBLE PRECISION) AS l, "
              "CAST(obs_creation_date AS VARCHAR(32)) AS t FROM ivoa.obscore"):
        r = clean(sync(q))
        assert r.status == 200, r.text
        r.votable(verify="ignore")


# --- BINARY2 ------------------------------------------------------------------

B2 = "application/x-votable+xml;serialization=BINARY2"


def lint_b2(reply):
    """votlint of a BINARY2 answer.  votlint 3.4.7 reads the count of a
    variable xtype="polygon" array twice in a BINARY2 stream (the first
    coordinate's high bytes become a second count), so that xtype is taken
    off for it; stil_rows() checks what STIL's reader makes of them."""
    body = re.sub(rb'(arraysize="[0-9]*\*") xtype="polygon"', rb"\1",
                  reply.body)
    assert votlint(body) == [], reply.text[:2000]
    return reply


def stil_rows(reply):
    """The rows as STIL (TOPCAT's library) reads them, in CSV."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(reply.body)
        f.flush()
        p = subprocess.run(["stilts", "tpipe", "in=" + f.name, "ifmt=votable",
                            "ofmt=csv"], capture_output=True, text=True,
                           timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def both(query, **params):
    """QUERY's answers in TABLEDATA and in BINARY2, both lint-clean and
    read alike by STIL."""
    td = clean(sync(query, **params))
    b2 = lint_b2(sync(query, RESPONSEFORMAT="votable/b2", **params))
    assert td.status == b2.status == 200, b2.text[:2000]
    assert b2.headers["Content-Type"] == B2
    assert '<DATA><BINARY2><STREAM encoding="base64">' in b2.text
    assert "<TR>" not in b2.text
    assert stil_rows(b2) == stil_rows(td)
    return td, b2


def same_cells(a, b):
    """Two cells as astropy reads them: masked alike, equal, NaN = NaN."""
    ma, mb = numpy.ma.getmaskarray(a), numpy.ma.getmaskarray(b)
    assert numpy.array_equal(ma, mb)
    a, b = numpy.ma.getdata(a), numpy.ma.getdata(b)
    if numpy.asarray(a).dtype.kind == "f":
        keep = ~numpy.asarray(ma)
        assert numpy.array_equal(numpy.asarray(a)[keep], numpy.asarray(b)[keep],
                                 equal_nan=True)
    elif not numpy.all(ma):
        assert numpy.array_equal(numpy.asarray(a), numpy.asarray(b))


def same_table(td, b2):
    """The two serializations give astropy the same table: fields, dtypes,
    values and masks.  A string of bounded size ("N*") is declared "*" in
    BINARY2 (tap_b2.h), which astropy reads as an object column."""
    t1 = td.votable(verify="ignore").get_first_table()
    t2 = b2.votable(verify="ignore").get_first_table()
    assert [f.name for f in t1.fields] == [f.name for f in t2.fields]
    assert len(t1.array) == len(t2.array)
    for f1, f2 in zip(t1.fields, t2.fields):
        assert (f1.datatype, f1.xtype) == (f2.datatype, f2.xtype)
        a, b = t1.array[f1.name], t2.array[f2.name]
        if f1.arraysize != f2.arraysize:
            assert (f1.datatype, f2.arraysize) == ("char", "*")
        else:
            assert a.dtype == b.dtype, f1.name
        for x, y in zip(a, b):
            same_cells(x, y)
    return t2


@pytest.mark.parametrize("query", [
    "SELECT TOP 40 * FROM ivoa.obscore ORDER BY obs_publisher_did",
    "SELECT * FROM TAP_SCHEMA.columns",
    # NULLs of every kind, from columns and written out
    "SELECT TOP 20 obs_id, t_min, s_xel1, obs_release_date, NULL AS n, "
    "CAST(NULL AS INTEGER) AS ni, CAST(NULL AS DOUBLE PRECISION) AS nd "
    "FROM ivoa.obscore ORDER BY t_min DESC",
    # computed columns: geometry in DALI's forms, numbers, casts
    "SELECT TOP 10 s_region, POINT(s_ra, s_dec) AS p, "
    "CIRCLE(s_ra, s_dec, 0.5) AS c, "
    "POLYGON(s_ra, s_dec, s_ra + 1, s_dec, s_ra, s_dec + 1) AS g, "
    "CENTROID(CIRCLE(s_ra, s_dec, 1)) AS m, AREA(s_region) AS a, "
    "COORD1(POINT(s_ra, s_dec)) AS x, LOWER(obs_collection) AS l, "
    "CAST(calib_level AS SMALLINT) AS sm, CAST(calib_level AS REAL) AS r, "
    "CAST(obs_creation_date AS VARCHAR(32)) AS t, "
    "CAST(obs_id AS CHAR(4)) AS c4 "
    "FROM ivoa.obscore WHERE s_region IS NOT NULL ORDER BY obs_id",
    "SELECT obs_collection, COUNT(*) AS n, MIN(s_ra) AS lo, MAX(t_max) AS hi, "
    "AVG(s_dec) AS av, MAX(obs_id) AS top_id FROM ivoa.obscore "
    "GROUP BY obs_collection ORDER BY n DESC",
])
def test_binary2_is_the_same_table_as_tabledata(query):
    same_table(*both(query))


@pytest.mark.parametrize("query", [
    "SELECT * FROM TAP_SCHEMA.columns ORDER BY table_name, column_index",
    # every column, a thousand rows or so
    "SELECT * FROM ivoa.obscore WHERE s_dec > 60 ORDER BY obs_publisher_did",
    "SELECT obs_id, t_min, s_xel1, obs_release_date, NULL AS n, "
    "CAST(NULL AS INTEGER) AS ni, CAST(NULL AS DOUBLE PRECISION) AS nd "
    "FROM ivoa.obscore WHERE s_dec < -80 ORDER BY obs_publisher_did",
    "SELECT s_region, POINT(s_ra, s_dec) AS p, CIRCLE(s_ra, s_dec, 0.5) AS c, "
    "AREA(s_region) AS a, LOWER(obs_collection) AS l, "
    "CAST(calib_level AS SMALLINT) AS sm, CAST(calib_level AS REAL) AS r, "
    "CAST(obs_creation_date AS VARCHAR(32)) AS t, "
    "CAST(obs_id AS CHAR(4)) AS c4, 0.5 AS d "
    "FROM ivoa.obscore WHERE s_dec > 80 ORDER BY obs_publisher_did",
    "SELECT obs_collection, COUNT(*) AS n, MIN(s_ra) AS lo, MAX(t_max) AS hi, "
    "MAX(obs_id) AS top_id FROM ivoa.obscore GROUP BY obs_collection "
    "ORDER BY n DESC, obs_collection",
    # a value refused
    "SELECT obs_id, CAST('\u00e9\u00e9\u00e9' AS CHAR(3)) AS e "
    "FROM ivoa.obscore ORDER BY obs_id",
])
def test_binary2_from_copy_is_the_same_bytes(query):
    """An answer that may have more than 10,000 rows is read from a COPY
    in PostgreSQL's binary format (tap_b2pg.h), a smaller one as text:
    asked with both MAXRECs, a smaller answer is the very same bytes."""
    text = sync(query, RESPONSEFORMAT="votable/b2", MAXREC=10000)
    copy = sync(query, RESPONSEFORMAT="votable/b2", MAXREC=1000000)
    assert text.status == copy.status == 200
    assert text.body == copy.body


def test_binary2_point_and_region_as_declared():
    t = same_table(*both(
        "SELECT TOP 3 POINT(s_ra, s_dec) AS p, s_ra, s_dec, s_region "
        "FROM ivoa.obscore WHERE s_region IS NOT NULL ORDER BY obs_id"))
    f = {f.name: f for f in t.fields}
    assert (f["p"].datatype, f["p"].arraysize, f["p"].xtype) == \
        ("double", "2", "point")
    for row in t.array:
        assert list(row["p"]) == [row["s_ra"], row["s_dec"]]
        assert str(row["s_region"]).startswith("Polygon ICRS ")


def test_binary2_overflow_after_the_table():
    q = "SELECT obs_id, s_ra FROM ivoa.obscore"
    r = lint_b2(sync(q, MAXREC=7, RESPONSEFORMAT="votable/b2"))
    assert statuses(r) == ["OK", "OVERFLOW"]
    assert r.text.index('value="OVERFLOW"') > r.text.index("</TABLE>")
    assert len(r.votable(verify="ignore").get_first_table().array) == 7
    r = lint_b2(sync(q, MAXREC=0, RESPONSEFORMAT="votable/b2"))
    assert statuses(r) == ["OK", "OVERFLOW"]
    assert len(r.votable(verify="ignore").get_first_table().array) == 0


def test_binary2_value_not_of_its_datatype_ends_with_error():
    # Three characters, six bytes: more than CHAR(3) holds as VOTable char.
    r = lint_b2(sync("SELECT TOP 3 obs_id, CAST('\u00e9\u00e9\u00e9' AS CHAR(3)) "
                   "AS e FROM ivoa.obscore", RESPONSEFORMAT="votable/b2"))
    assert r.status == 200
    assert statuses(r) == ["OK", "ERROR"]
    assert r.text.index('value="ERROR"') > r.text.index("</TABLE>")
    assert "BINARY2" in r.text
    assert len(r.votable(verify="ignore").get_first_table().array) == 0
    # The worker goes on.
    assert statuses(lint_b2(sync("SELECT TOP 1 obs_id FROM ivoa.obscore",
                                 RESPONSEFORMAT="votable/b2"))) == ["OK"]


def b2_bytes(reply):
    """The decoded STREAM of a BINARY2 answer."""
    text = reply.text
    start = text.index('<STREAM encoding="base64">') + 26
    return base64.b64decode(text[start:text.index("</STREAM>")])


def test_binary2_bytes_as_votable_says():
    r = sync("SELECT TOP 1 CAST(7 AS SMALLINT) AS s, CAST(NULL AS INTEGER) "
             "AS i, 'h\u00e9' AS u, 0.5 AS d FROM ivoa.obscore",
             RESPONSEFORMAT="votable/b2")
    # Null flags (the second column), short, a null int's 4 bytes, the
    # UTF-8 bytes after their count, a big-endian double.
    assert b2_bytes(r) == (b"\x40" + b"\x00\x07" + b"\x00" * 4 +
                           b"\x00\x00\x00\x03h\xc3\xa9" +
                           struct.pack(">d", 0.5))


@pytest.mark.parametrize("fmt", [
    "votable/b2", "application/x-votable+xml;serialization=BINARY2",
    "application/x-votable+xml; serialization=binary2"])
def test_binary2_through_pyvo(fmt):
    q = "SELECT TOP 5 obs_id, s_ra, s_region FROM ivoa.obscore ORDER BY obs_id"
    got = service().run_sync(q, RESPONSEFORMAT=fmt)
    want = service().run_sync(q)
    assert got.fieldnames == want.fieldnames
    assert [str(r["obs_id"]) for r in got] == [str(r["obs_id"]) for r in want]
    assert [float(r["s_ra"]) for r in got] == [float(r["s_ra"]) for r in want]


def test_binary2_is_declared_and_the_others_refused():
    tap = xml(request("/tap/capabilities")).find(
        "capability[@standardID='ivo://ivoa.net/std/TAP']")
    outs = {o.findtext("alias"): (o.get("ivo-id"), o.findtext("mime"))
            for o in tap.findall("outputFormat")}
    assert outs["votable/b2"] == (
        "ivo://ivoa.net/std/TAPRegExt#output-votable-binary2", B2)
    for fmt in ("application/x-votable+xml;serialization=BINARY",
                "votable/b2;charset=UTF-8"):
        r = sync("SELECT TOP 1 obs_id FROM ivoa.obscore", RESPONSEFORMAT=fmt)
        assert r.status == 400 and "RESPONSEFORMAT" in r.text


XHTML = "{http://www.w3.org/1999/xhtml}"


def examples():
    """The examples of /tap/examples as pyvo and TOPCAT find them: every
    element typeof="example", with its properties' text."""
    r = request("/tap/examples")
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("application/xhtml+xml")
    doc = ET.fromstring(r.body)
    assert doc.tag == XHTML + "html"
    assert doc.find(XHTML + "body").get("vocab") == \
        "http://www.ivoa.net/rdf/examples#"
    found = []
    for el in doc.iter():
        if el.get("typeof") != "example":
            continue
        props = {p.get("property"): "".join(p.itertext())
                 for p in el.iter() if p.get("property")}
        found.append((el.get("id"), el.get("resource"), props))
    return found


def mine_positions():
    """A few catalogue positions, as the cross-match example wants them."""
    out, _ = psql("SELECT obs_id, s_ra, s_dec FROM ivoa.obscore WHERE "
                  "s_ra IS NOT NULL ORDER BY obs_id LIMIT 5")
    rows = [line.split("|") for line in out.splitlines()]
    return Table({"id": [r[0] for r in rows],
                  "ra": [float(r[1]) for r in rows],
                  "dec": [float(r[2]) for r in rows]})


def test_examples_are_served_and_each_runs():
    found = examples()
    assert len(found) >= 5
    service = pyvo.dal.TAPService(TAP)
    for ident, resource, props in found:
        assert resource == "#" + ident
        assert set(props) == {"name", "query", "table"}, ident
        assert props["table"] == "ivoa.ObsCore"
        # The cross-match is given the table its text asks for.
        uploads = {"mine": mine_positions()} \
            if "TAP_UPLOAD.mine" in props["query"] else None
        res = service.search(props["query"], uploads=uploads)
        assert res.query_status == "OK", ident
        if uploads is None:
            r = request("/tap/sync", {"LANG": "ADQL",
                                      "QUERY": props["query"]})
            assert r.status == 200, (ident, r.text[:300])
            assert 'value="ERROR"' not in r.text, ident
            votlint(r.body)
        else:
            assert len(res) > 0, ident
    # The demo data answers the cone and the counts.
    queries = {i: p["query"] for i, _, p in found}
    assert len(pyvo.dal.TAPService(TAP).search(queries["collections"])) > 0


def test_taplint_finds_no_error():
    """STILTS taplint, every stage that applies (LOC is ObsLocTAP's)."""
    p = subprocess.run(
        ["stilts", "taplint", "tapurl=" + TAP, "report=EWF", "maxrepeat=50",
         "stages=TMV TME TMS TMC CPV CAP AVV QGE QPO QAS UWS MDQ OBS UPL "
         "EXA"],
        capture_output=True, text=True, timeout=600)
    out = p.stdout + p.stderr
    totals = re.search(r"Totals: Errors: (\d+); Warnings: (\d+); "
                       r"Failures: (\d+)", out)
    assert totals is not None, out
    assert (totals.group(1), totals.group(3)) == ("0", "0"), out
    assert "EXNO" not in out, out           # it found the examples
    assert "NOUP" not in out, out           # it made its uploads
    for stage in ("QGE", "QPO", "QAS", "UWS", "MDQ", "OBS", "UPL", "EXA"):
        assert "Section %s" % stage in out
