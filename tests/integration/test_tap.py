"""TAP through nginx and spawn-fcgi: the VOSI documents built from
TAP_SCHEMA, pyvo's view of them, and the rights of the role queries run
as."""
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest
import pyvo

from conftest import HTTP, PGHOST, TOP, as_postgres, psql, request

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


@pytest.mark.parametrize("path", ["/tap/async", "/tap/async/1",
                                  "/tap/examples"])
def test_what_is_not_there_is_404(path):
    assert request(path).status == 404


def test_capabilities():
    doc = xml(request("/tap/capabilities"))
    caps = {c.get("standardID"): c for c in doc.findall("capability")}
    assert set(caps) == {
        "ivo://ivoa.net/std/VOSI#capabilities",
        "ivo://ivoa.net/std/VOSI#availability",
        "ivo://ivoa.net/std/VOSI#tables-1.1", "ivo://ivoa.net/std/TAP"}
    assert caps["ivo://ivoa.net/std/VOSI#tables-1.1"].find(
        "interface/accessURL").text == TAP + "/tables"
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
