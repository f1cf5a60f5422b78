"""DataLink {links} through nginx and spawn-fcgi, against the Rucio and
site-directory stand-ins, read by pyvo, votlint and astropy."""
import base64
import json
import os
import time
import urllib.parse

import numpy
import pytest
import pyvo
from pyvo.dal.adhoc import DatalinkResults
from pyvo.dal.exceptions import DALQueryError

from conftest import HTTP, control, datalinklint, request, stand_in, votlint

RUCIO = os.environ["RIF_RUCIO"]
SITES = os.environ["RIF_SITES"]
FIXTURE = json.load(open(os.path.join(os.environ["RIF_TOP"], "tests",
                                      "standins", "fixture.json")))
UK = "130.246.210.120"
ERIDANUS = ("sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-"
            "574594-imagecube-42178.fits")
ERIDANUS_ES = ("https://spsrc14.iaa.csic.es:18027/disk/dev/deterministic/"
               "sp3531_soda/9b/98/2023-07-18-16-40-27_ASK-WALLABY_Eridanus_"
               "cutout-574594-imagecube-42178.fits")


@pytest.fixture(autouse=True)
def reset_standins():
    for base in (RUCIO, SITES):
        control(base, fail=None, delay_ms=0, times=None, routes=None)
    yield
    for base in (RUCIO, SITES):
        control(base, fail=None, delay_ms=0, times=None, routes=None)


def links(params):
    return request("/links", params)


def rows(reply):
    # Not astropy's strict mode: its UCD list predates SODA's UCDs
    # (pos.outline, stat.interval), which descriptors must carry; votlint
    # and datalinklint check these documents instead.
    return reply.votable(verify="ignore").get_first_table().array


def test_nearest_with_soda_is_the_spanish_replica():
    # The prototype notebook's request (prototype-examples.json).
    url = HTTP + "/links?id=%s&client_ip_address=%s&must_include_soda=True" % (
        ERIDANUS, UK)
    dl = DatalinkResults.from_result_url(url)
    this = next(dl.bysemantics("#this", include_narrower=False))
    assert this.access_url == ERIDANUS_ES
    assert "SPSRC_STORM" in this["description"]
    assert "client_ip_address 130.246.210.120" in this["description"]
    cutouts = list(dl.bysemantics("#cutout", include_narrower=False))
    assert cutouts and all(c["service_def"] for c in cutouts)
    # The descriptor is found and points at the site's SODA service.
    sync = dl.get_adhocservice_by_ivoid("ivo://ivoa.net/std/SODA#sync-1.0")
    params = {p.name: p.value for p in sync.params}
    assert params["standardID"] == "ivo://ivoa.net/std/SODA#sync-1.0"
    ids = {p.name: p.value for p in sync.groups[0].entries}
    assert ids["ID"].endswith("?sp3531_soda/9b/98/2023-07-18-16-40-27_ASK-"
                              "WALLABY_Eridanus_cutout-574594-imagecube-42178.fits")


def test_nearest_without_soda_is_in_the_uk():
    table = rows(links({"ID": ERIDANUS, "client_ip_address": UK}))
    first = [r for r in table if r["semantics"] == "#this"][0]
    # At RAL, 0 km; its PFNs are root:// first, https:// is preferred.
    assert "RSE STFC_STORM, 0 km" in first["description"]
    assert first["access_url"].startswith("https://")
    # Rucio is asked for the configured schemes only ([links] schemes).
    asked = stats(RUCIO)["last_by_route"]["POST /replicas/list"]
    assert json.loads(asked["body"]) == {
        "dids": [{"scope": ERIDANUS.split(":")[0],
                  "name": ERIDANUS.split(":", 1)[1]}],
        "schemes": ["https", "davs", "root"]}


def test_ranking_and_all_replicas():
    table = rows(links({"ID": ERIDANUS, "client_ip_address": UK,
                        "all_replicas": "true"}))
    this = [r for r in table if r["semantics"] == "#this"]
    assert len(this) >= 2
    dists = [float(r["description"].split(" km")[0].rsplit(" ", 1)[1])
             for r in this if " km from" in r["description"]]
    assert dists == sorted(dists)
    second = rows(links({"ID": ERIDANUS, "client_ip_address": UK,
                         "ranking": 1}))
    assert second[0]["access_url"] == this[1]["access_url"]


def test_container_rows_describe_each_file():
    # The container's own metadata names the DataLink type; its files are
    # FITS of Rucio's byte counts, and their rows must not say otherwise.
    table = rows(links({"ID": "testing:PTF10tce_all"}))
    this = [r for r in table if r["semantics"] == "#this"]
    assert len(this) == 4      # the four files of its datasets with replicas
    for r in this:
        assert r["ID"] == "testing:PTF10tce_all"
        assert "datalink" not in str(r["content_type"])
        assert r["content_length"] == 2880000


def test_ids_answered_in_request_order_and_echoed():
    ids = ["testing:PTF10tce.fits", "nope:missing.fits", "bad id", ERIDANUS]
    reply = request("/links", method="POST", data={"ID": ids})
    got = []
    for r in rows(reply):
        if not got or got[-1] != r["ID"]:
            got.append(r["ID"])
    assert got == ids
    faults = {r["ID"]: r["error_message"] for r in rows(reply) if r["error_message"]}
    assert faults["nope:missing.fits"].startswith("NotFoundFault: ")
    assert faults["bad id"].startswith("UsageFault: ")


def test_pyvo_reads_errors_per_id():
    dl = DatalinkResults.from_result_url(HTTP + "/links?ID=nope:missing.fits")
    with pytest.raises(pyvo.dal.DALServiceError, match="NotFoundFault"):
        dl[0].getdataurl()


def test_random_replica():
    seen = set()
    for _ in range(12):
        table = rows(links({"ID": ERIDANUS, "sort": "random"}))
        seen.add(table[0]["access_url"])
    assert len(seen) >= 2


@pytest.mark.parametrize("params,status,message", [
    ({"ID": "a:b", "sort": "closest"}, 400, "UsageFault: sort"),
    ({"ID": "a:b", "ranking": "-1"}, 400, "UsageFault: ranking"),
    ({"ID": "a:b", "must_include_soda": "perhaps"}, 400, "UsageFault: must_include_soda"),
    ({"ID": "a:b", "RESPONSEFORMAT": "text/csv"}, 400, "UsageFault: RESPONSEFORMAT"),
])
def test_malformed_requests_get_dali_errors(params, status, message):
    reply = links(params)
    assert reply.status == status
    assert message in reply.text
    assert votlint(reply.body) == []
    with pytest.raises(DALQueryError):
        DatalinkResults.from_result_url(HTTP + "/links?" +
                                        urllib.parse.urlencode(params))


def test_no_id_gives_an_empty_table():
    reply = links({})
    assert reply.status == 200 and len(rows(reply)) == 0


def test_every_answer_passes_votlint():
    for params in ({"ID": [ERIDANUS, "x:y", "bad"], "client_ip_address": UK,
                    "must_include_soda": "true"}, {"ID": "testing:PTF10tce.fits"}):
        reply = links(params)
        assert reply.status == 200
        assert votlint(reply.body) == []
        assert datalinklint(reply.body) == []


def test_rucio_down_gives_transient_faults_then_recovers():
    control(RUCIO, fail="down")
    reply = links({"ID": "testing:PTF10tce.fits"})
    assert reply.status == 503 and "TransientFault" in reply.text
    control(RUCIO, fail=None)
    reply = links({"ID": "testing:PTF10tce.fits"})
    assert reply.status == 200 and rows(reply)[0]["access_url"]


def test_rucio_slow_past_the_timeout():
    control(RUCIO, delay_ms=12000)
    reply = links({"ID": "testing:PTF10tce.fits"})
    assert reply.status == 503 and "TransientFault" in reply.text


def test_expired_token_is_renewed_once():
    control(RUCIO, fail="401_once")
    reply = links({"ID": "testing:PTF10tce.fits"})
    assert reply.status == 200 and rows(reply)[0]["access_url"]


def test_site_directory_down_serves_the_table_of_before():
    assert links({"ID": ERIDANUS, "client_ip_address": UK}).status == 200
    control(SITES, fail="down")
    reply = links({"ID": ERIDANUS, "client_ip_address": UK,
                   "must_include_soda": "true"})
    assert reply.status == 200
    assert rows(reply)[0]["access_url"] == ERIDANUS_ES


def test_unlocatable_client_falls_back_to_rucio_order():
    table = rows(links({"ID": ERIDANUS, "client_ip_address": "10.1.2.3"}))
    assert "could not be located" in table[0]["description"]
    # A value that is no address at all is refused instead
    # (test_malformed_client_address_is_a_usage_error).


def test_prototype_path_ping_and_vosi():
    assert request("/rucio/links", {"id": "testing:PTF10tce.fits"}).status == 200
    ping = request("/links/ping")
    assert json.loads(ping.body)["status"] == "UP"
    assert "<vosi:available>true" in request("/links/availability").text
    assert "DataLink#links-1.1" in request("/links/capabilities").text


def test_cone_search_access_url_leads_here():
    results = pyvo.dal.conesearch(HTTP + "/scs", pos=(53.75308, -24.93365),
                                  radius=0.001)
    row = [r for r in results if r["rucio_did_scope"] == "sp3531_soda"][0]
    dl = DatalinkResults.from_result_url(
        row["access_url"] + "&client_ip_address=" + UK + "&must_include_soda=True")
    this = next(dl.bysemantics("#this", include_narrower=False))
    assert this.access_url == ERIDANUS_ES


DM = "http://127.0.0.1:%d" % (int(HTTP.rsplit(":", 1)[1]) + 13)
OAUTH2 = "http://127.0.0.1:%d" % (int(HTTP.rsplit(":", 1)[1]) + 14)


def spanish_replica_with_soda(path):
    """The notebook's question (Eridanus, a UK client, SODA) at PATH: the
    Spanish replica comes first, with #cutout rows, and the document
    passes votlint and datalinklint.  Returns the rows."""
    reply = request(path, {"ID": ERIDANUS, "client_ip_address": UK,
                           "must_include_soda": "true"})
    assert reply.status == 200
    table = rows(reply)
    assert table[0]["access_url"] == ERIDANUS_ES
    assert "#cutout" in list(table["semantics"])
    assert votlint(reply.body) == [] and datalinklint(reply.body) == []
    return table


def test_data_management_backend():
    # The same question through the data-management API (links-dm).
    table = spanish_replica_with_soda("/links-dm")
    assert "data-management API" in table[0]["description"]
    missing = rows(request("/links-dm", {"ID": "nope:missing.fits"}))
    assert missing[0]["error_message"].startswith("NotFoundFault: ")


def test_data_management_token_and_failures():
    for base in (DM, OAUTH2):
        control(base, fail=None, delay_ms=0)
    try:
        control(DM, fail="401_once")
        assert rows(request("/links-dm", {"ID": ERIDANUS}))[0]["access_url"]
        control(DM, fail="500")
        reply = request("/links-dm", {"ID": ERIDANUS})
        assert reply.status == 503 and "TransientFault" in reply.text
        control(DM, fail=None)
        control(OAUTH2, fail="down")
        # The token is kept, so the service goes on while the IAM is down.
        assert rows(request("/links-dm", {"ID": ERIDANUS}))[0]["access_url"]
    finally:
        for base in (DM, OAUTH2):
            control(base, fail=None, delay_ms=0)


def test_maxrec_cuts_between_ids():
    ids = ["testing:PTF10tce.fits", ERIDANUS, "testing:PTF10tce.fits"]
    whole = rows(links({"ID": ids}))
    first = sum(1 for r in whole if r["ID"] == ids[0]) // 2
    reply = links({"ID": ids, "MAXREC": first + 1})
    got = rows(reply)
    assert {r["ID"] for r in got} == {ids[0]}
    assert 'value="OVERFLOW"' in reply.text


def test_forwarded_address_from_a_trusted_proxy():
    # nginx believes X-Forwarded-For from 127.0.0.1 (trusted-proxies.conf).
    reply = request("/links", {"ID": ERIDANUS},
                    headers={"X-Forwarded-For": "203.0.113.9, " + UK})
    first = rows(reply)[0]
    assert "the forwarded client address " + UK in first["description"]
    assert "RSE STFC_STORM, 0 km" in first["description"]
    # Without the header, the peer itself (which GeoIP cannot place).
    first = rows(links({"ID": ERIDANUS}))[0]
    assert "the client address 127.0.0.1 could not be located" in first["description"]


def test_max_ids_cap_flags_overflow():
    # [links] max_ids = 20: the 21st ID is left out, never half answered.
    ids = ["nope:f%03d.fits" % i for i in range(21)]
    reply = request("/links", method="POST", data={"ID": ids})
    assert reply.status == 200
    got = [r["ID"] for r in rows(reply)]
    assert got == ids[:20]
    assert 'value="OVERFLOW"' in reply.text


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def stats(base):
    return stand_in(base, "/_stats")


def test_oauth2_tokens_for_rucio_and_the_site_directory():
    # /links-oauth2: no userpass, no fixed site-directory token; both get
    # client-credentials JWTs from the IAM stand-in.
    for base in (RUCIO, SITES, OAUTH2):
        control(base, reset_stats=True)
    time.sleep(1.1)
    spanish_replica_with_soda("/links-oauth2")
    rucio = stats(RUCIO)["last"]["headers"]["X-Rucio-Auth-Token"]
    assert jwt_claims(rucio)["sub"] == "datalink-rucio"
    assert "rucio" in str(jwt_claims(rucio)["aud"])
    # Its site table lives 1 s ([sites] ttl in the stack), so it was fetched
    # for this request, with a site-directory token.
    auths = [e["headers"]["Authorization"] for e in
             stats(SITES)["last_by_route"].values()
             if "Authorization" in e["headers"]]
    assert auths
    for a in auths:
        assert a.startswith("Bearer ")
        claims = jwt_claims(a[len("Bearer "):])
        assert claims["sub"] == "datalink-sc"
        assert "site-capabilities-api" in str(claims["aud"])
    # A refused Rucio token is dropped and a fresh one fetched.
    control(RUCIO, fail="401_once")
    before = stats(OAUTH2)["total"]
    reply = request("/links-oauth2", {"ID": ERIDANUS, "client_ip_address": UK})
    assert reply.status == 200 and rows(reply)[0]["access_url"]
    assert stats(OAUTH2)["total"] == before + 1


def test_2023_site_directory():
    # /links-2023 reads the 2023 site directory (/storages/grafana and
    # /services, SODA services named "SODA (sync)"): the same choice.
    table = spanish_replica_with_soda("/links-2023")
    assert "SPSRC_STORM" in table[0]["description"]
    plain = rows(request("/links-2023", {"ID": ERIDANUS, "client_ip_address": UK}))
    assert "RSE STFC_STORM, 0 km" in plain[0]["description"]
    assert request("/links-2023/availability").status == 200


def test_link_auth_per_storage_and_link_authorized():
    # The stack's [links] link_auth_rses makes SPSRC_STORM optional.
    es = rows(links({"ID": ERIDANUS, "client_ip_address": UK,
                     "must_include_soda": "true"}))[0]
    assert (es["link_auth"], es["link_authorized"]) == ("optional", True)
    uk = rows(links({"ID": ERIDANUS, "client_ip_address": UK}))[0]
    assert "STFC_STORM" in uk["description"]
    assert (uk["link_auth"], uk["link_authorized"]) == ("true", False)
    reply = request("/links", {"ID": ERIDANUS, "client_ip_address": UK},
                    headers={"Authorization": "Bearer user-token"})
    row = rows(reply)[0]
    assert row["link_auth"] == "true" and row["link_authorized"] is numpy.ma.masked
    assert votlint(reply.body) == [] and datalinklint(reply.body) == []


def test_malformed_upstream_answers():
    # Rucio's replica list cut short: a FatalFault row, then recovery.
    control(RUCIO, fail="malformed", routes=["POST /replicas/list"])
    reply = links({"ID": ["testing:PTF10tce.fits", ERIDANUS]})
    assert reply.status == 200
    faults = [r["error_message"] for r in rows(reply)]
    assert len(faults) == 2 and all(f.startswith("FatalFault: ") for f in faults)
    assert votlint(reply.body) == [] and datalinklint(reply.body) == []
    # Metadata cut short: the links still come, sized from Rucio's record
    # (at /links-2023, which keeps no metadata).
    control(RUCIO, fail="malformed", routes=["GET /dids/{scope}/{name}/meta"])
    this = rows(request("/links-2023", {"ID": "testing:PTF10tce.fits"}))[0]
    assert this["semantics"] == "#this" and this["access_url"]
    assert this["content_length"] == 2880000
    control(RUCIO, fail=None, routes=None)
    assert rows(links({"ID": "testing:PTF10tce.fits"}))[0]["access_url"]


def test_malformed_site_directory_keeps_the_table_of_before():
    # /links-oauth2 fetches its site table every second ([sites] ttl 1).
    good = rows(request("/links-oauth2", {"ID": ERIDANUS, "client_ip_address": UK}))
    control(SITES, fail="malformed")
    time.sleep(1.1)
    reply = request("/links-oauth2", {"ID": ERIDANUS, "client_ip_address": UK})
    assert reply.status == 200
    assert rows(reply)[0]["access_url"] == good[0]["access_url"]
    avail = request("/links-oauth2/availability")
    assert b"serving the site table fetched before" in avail.body


def test_malformed_data_management_answer():
    try:
        control(DM, fail="malformed")
        reply = request("/links-dm", {"ID": ERIDANUS})
        assert reply.status == 200
        assert rows(reply)[0]["error_message"].startswith("FatalFault: ")
    finally:
        control(DM, fail=None)
    assert rows(request("/links-dm", {"ID": ERIDANUS}))[0]["access_url"]


def test_metadata_is_kept_for_its_ttl():
    # /links keeps a DID's metadata per worker ([links] meta_ttl, 60 s by
    # default): 20 requests over its 8 workers ask Rucio at most 8 times;
    # /links-2023 keeps none and asks every time.
    did = "testing:PTF10tce_psf.fits"
    meta = "GET /dids/{scope}/{name}/meta"
    for path in ("/links", "/links-2023"):
        control(RUCIO, reset_stats=True)
        for _ in range(20):
            assert rows(request(path, {"ID": did}))[0]["access_url"]
        routes = stats(RUCIO)["routes"]
        assert routes["POST /replicas/list"] == 20
        if path == "/links":
            assert routes.get(meta, 0) <= 8, routes
        else:
            assert routes[meta] == 20, routes


def test_user_scope_gets_rucio_deterministic_path():
    # Rucio's hash lfn2pfn stores user.jdoe as user/jdoe/: the descriptor's
    # ID must name the same path, or the site cannot find the file.
    reply = links({"ID": "user.jdoe:notebook_output.fits",
                   "must_include_soda": "true", "client_ip_address": UK})
    assert reply.status == 200
    this = [r for r in rows(reply) if r["semantics"] == "#this"][0]
    assert this["access_url"].endswith("/user/jdoe/a9/2d/notebook_output.fits")
    assert ('value="ivo://auth.example.org/datasets/fits?user/jdoe/a9/2d/'
            'notebook_output.fits"') in reply.text


def test_utf8_name_reaches_rucio_and_its_pfn_comes_back_encoded():
    # Rucio holds and serves such names; which exist is its policy.
    did = "testing:Observa\u00e7\u00e3o M1 \u2013 Crab nebula.fits"
    reply = links({"ID": did})
    assert reply.status == 200
    this = rows(reply)[0]
    assert this["ID"] == did and not this["error_message"]
    assert this["access_url"] == (
        "https://spsrc14.iaa.csic.es:18027/disk/dev/deterministic/testing/"
        "b0/ce/Observa%C3%A7%C3%A3o%20M1%20%E2%80%93%20Crab%20nebula.fits")
    # Its metadata came too: the name reached /dids/{scope}/{name}/meta.
    assert this["content_type"] == "image/fits"
    last = stand_in(RUCIO, "/_stats")["last_by_route"]["POST /replicas/list"]
    assert json.loads(last["body"])["dids"] == [
        {"scope": "testing", "name": did.split(":", 1)[1]}]


def test_malformed_client_address_is_a_usage_error():
    # Declared once for DataLink and SODA: an IPv4 or IPv6 address.
    reply = links({"ID": ERIDANUS, "client_ip_address": "localhost"})
    assert reply.status == 400
    assert ("UsageFault: client_ip_address: 'localhost' is not an IPv4 or "
            "IPv6 address") in reply.text
    reply = request("/soda/sync", {"ID": ERIDANUS,
                                   "client_ip_address": "10.0.0.300"})
    assert reply.status == 400
    assert reply.text.startswith("UsageError: client_ip_address:")
    assert links({"ID": ERIDANUS, "client_ip_address": "2001:720::1"}).status == 200
