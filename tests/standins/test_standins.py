"""Tests of the stand-in servers themselves.

Each server runs as a subprocess on a free port (module-scoped).  The
"reference client" tests combine Rucio, site-directory and GeoIP answers the
way links.fcgi will, and check that they give the fixture's known answers.

Run: /usr/bin/python3 -m pytest -q tests/standins
"""
import base64
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402

FX = common.load_fixture(common.DEFAULT_FIXTURE)
EXP = FX["expectations"]
UK = EXP["uk_client_ip"]
ERI = "sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits"
ERI_ES_PFN = ("https://spsrc14.iaa.csic.es:18027/disk/dev/deterministic/sp3531_soda/9b/98/"
              "2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits")
RUCIO_TOKEN = {"X-Rucio-Auth-Token": FX["rucio"]["tokens"][0]["token"]}
SITES_TOKEN = {"Authorization": "Bearer " + FX["sites"]["tokens"]["accepted"][0]}
DM_TOKEN = {"Authorization": "Bearer " + FX["dm_api"]["tokens"]["accepted"][0]}
EXPIRES_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct"
                        r"|Nov|Dec) \d{4} \d\d:\d\d:\d\d UTC$")


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def lines(self):
        return [json.loads(line) for line in self.body.decode().splitlines()]


class Server:
    def __init__(self, script, *args):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, script), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline() if ready else ""
        assert line.startswith("ready "), f"{script} did not start: {line!r}"
        self.port = int(line.split()[1])

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def request(self, method, path, body=None, headers=None, conn=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        own = conn is None
        conn = conn or self.connect()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Reply(r.status, r.headers, r.read())
        finally:
            if own:
                conn.close()

    def get(self, path, headers=None, **kw):
        return self.request("GET", path, headers=headers, **kw)

    def control(self, **knobs):
        r = self.request("POST", "/_control", knobs)
        assert r.status == 200, r.body
        return r.json()

    def stats(self):
        return self.get("/_stats").json()

    @contextlib.contextmanager
    def knobs(self, **knobs):
        self.control(**knobs)
        try:
            yield
        finally:
            self.control(reset=True)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)
        self.stderr.seek(0)
        return self.stderr.read()


@pytest.fixture(scope="module")
def servers():
    started = {name: Server(name + ".py") for name in ("rucio", "sites", "dm_api", "oauth2")}
    yield started
    for s in started.values():
        s.stop()


@pytest.fixture
def rucio(servers):
    return servers["rucio"]


@pytest.fixture
def sites(servers):
    return servers["sites"]


@pytest.fixture
def dm(servers):
    return servers["dm_api"]


@pytest.fixture
def oauth(servers):
    return servers["oauth2"]


def oauth_token(oauth, client_id, audience="", scope=""):
    secret = next(c["client_secret"] for c in FX["oauth2"]["clients"] if c["client_id"] == client_id)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "audience": audience, "scope": scope})
    r = oauth.request("POST", "/token", form, {"Authorization": "Basic " + basic,
                                               "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r.body
    return r.json()["access_token"]


def list_replicas(rucio, dids, headers=None, query="", **body):
    body["dids"] = [dict(zip(("scope", "name"), d.split(":", 1))) for d in dids]
    return rucio.request("POST", "/replicas/list" + query, body, dict(RUCIO_TOKEN, **(headers or {})))


def rucio_error(reply, status, cls):
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == "application/octet-stream"
    assert reply.headers["ExceptionClass"] == cls
    body = reply.json()
    assert set(body) == {"ExceptionClass", "ExceptionMessage"} and body["ExceptionClass"] == cls
    return body["ExceptionMessage"]


# ------------------------------------------------------------------ Rucio §1

def test_rucio_token_rules(rucio):
    rucio_error(list_replicas(rucio, [ERI], {"X-Rucio-Auth-Token": ""}), 400, "ValueError")
    r = rucio.request("POST", "/replicas/list", {"dids": []})
    assert rucio_error(r, 400, "ValueError") == "Token must be set."
    for bad in ("nonsense", FX["rucio"]["tokens"][1]["token"], "a.b.c"):
        r = list_replicas(rucio, [ERI], {"X-Rucio-Auth-Token": bad})
        assert rucio_error(r, 401, "CannotAuthenticate") == "Cannot authenticate with given credentials"
    r = list_replicas(rucio, [ERI], {"X-Rucio-Auth-Token": "", "Authorization": "Bearer x"})
    rucio_error(r, 400, "ValueError")  # Authorization: Bearer is ignored (§1.1)
    assert rucio.request("OPTIONS", "/replicas/list").status == 200
    assert rucio.get("/ping").json() == {"version": FX["rucio"]["version"]}


def test_rucio_userpass(rucio):
    ok = {"X-Rucio-Username": "datalink", "X-Rucio-Password": "datalink-password"}
    r = rucio.get("/auth/userpass", ok)
    assert r.status == 200 and r.body == b""
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert EXPIRES_RE.match(r.headers["X-Rucio-Auth-Token-Expires"])
    assert r.headers["X-Rucio-Auth-Account"] == "datalink"
    token = r.headers["X-Rucio-Auth-Token"]
    assert token.count(".") != 2
    assert list_replicas(rucio, [ERI], {"X-Rucio-Auth-Token": token}).status == 200
    v = rucio.get("/auth/validate", {"X-Rucio-Auth-Token": token})
    assert v.status == 200 and v.body.startswith(b"{'account'")
    rucio_error(rucio.get("/auth/validate", {"X-Rucio-Auth-Token": "nope"}), 500, "CannotAuthenticate")

    msg = rucio_error(rucio.get("/auth/userpass", {"X-Rucio-Username": "datalink"}), 401, "CannotAuthenticate")
    assert msg == "Cannot authenticate without passing all required arguments"
    r = rucio.get("/auth/userpass", dict(ok, **{"X-Rucio-Password": "wrong", "X-Rucio-Account": "datalink"}))
    assert rucio_error(r, 401, "CannotAuthenticate") == \
        "Cannot authenticate to account datalink with given credentials"
    rucio_error(rucio.get("/auth/userpass", {"X-Rucio-Username": "nobody", "X-Rucio-Password": "x"}),
                401, "IdentityError")
    multi = {"X-Rucio-Username": "ops", "X-Rucio-Password": "ops-password"}
    r = rucio.get("/auth/userpass", multi)
    assert r.status == 206 and r.json() == ["datalink", "root"]
    assert r.headers["X-Rucio-Auth-Accounts"] == "datalink,root"
    r = rucio.get("/auth/userpass", dict(multi, **{"X-Rucio-Account": "root"}))
    assert r.status == 200 and r.headers["X-Rucio-Auth-Account"] == "root"


def test_rucio_token_expiry(rucio):
    # Long enough to be used at once on a busy machine (a sanitizer build
    # beside it), short enough to wait out.
    with rucio.knobs(token_lifetime_s=3):
        r = rucio.get("/auth/userpass", {"X-Rucio-Username": "datalink", "X-Rucio-Password": "datalink-password"})
    token = {"X-Rucio-Auth-Token": r.headers["X-Rucio-Auth-Token"]}
    assert list_replicas(rucio, [ERI], token).status == 200
    time.sleep(3.2)
    rucio_error(list_replicas(rucio, [ERI], token), 401, "CannotAuthenticate")


def test_rucio_accepts_oidc_jwt(rucio, oauth):
    good = oauth_token(oauth, "datalink-rucio", "rucio", "openid profile wlcg.groups")
    assert list_replicas(rucio, [ERI], {"X-Rucio-Auth-Token": good}).status == 200
    wrong_aud = oauth_token(oauth, "datalink-rucio", "other", "openid profile")
    narrow = oauth_token(oauth, "datalink-rucio", "rucio", "openid")
    unmapped = oauth_token(oauth, "datalink-dm", "rucio", "openid profile")
    for t in (wrong_aud, narrow, unmapped, good[:-2] + "xx"):
        rucio_error(list_replicas(rucio, [ERI], {"X-Rucio-Auth-Token": t}), 401, "CannotAuthenticate")


def test_rucio_accept_rules(rucio):
    for accept in (None, "*/*", "application/x-json-stream", "application/json, */*;q=0.1", "application/*"):
        r = list_replicas(rucio, [ERI], {"Accept": accept} if accept else {})
        assert r.status == 200, accept
        assert r.headers["Content-Type"] == "application/x-json-stream"
    for accept in ("application/json", "text/html", "application/xml"):
        msg = rucio_error(list_replicas(rucio, [ERI], {"Accept": accept}), 406, "UnsupportedRequestedContentType")
        assert accept in msg
    r = list_replicas(rucio, [ERI], {"Accept": "application/metalink4+xml"})
    assert r.status == 200 and r.headers["Content-Type"] == "application/metalink4+xml"
    ns = {"m": "urn:ietf:params:xml:ns:metalink"}
    urls = [u.text for u in ET.fromstring(r.body).findall("m:file/m:url", ns)]
    assert ERI_ES_PFN in urls
    r = list_replicas(rucio, ["testing:does-not-exist.fits"], {"Accept": "application/metalink4+xml"})
    assert ET.fromstring(r.body).findall("m:file", ns) == []


def test_rucio_line_stream(rucio):
    for did, count in EXP["rucio"]["replica_lines"].items():
        r = list_replicas(rucio, [did])
        assert r.status == 200 and r.body.count(b"\n") == count, did
        assert r.body == b"" or r.body.endswith(b"\n")
        for line in r.lines():
            assert {"scope", "name", "bytes", "md5", "adler32", "pfns", "rses"} <= set(line)
            for rse, pfns in line["rses"].items():
                for pfn in pfns:
                    assert line["pfns"][pfn]["rse"] == rse
                    assert set(line["pfns"][pfn]) == {"rse_id", "rse", "type", "volatile", "domain",
                                                      "priority", "client_extract"}
            prios = sorted(p["priority"] for p in line["pfns"].values())
            assert prios == list(range(1, len(prios) + 1))
    [empty] = list_replicas(rucio, [EXP["rucio"]["no_replica_did"]]).lines()
    assert empty["pfns"] == {} and empty["rses"] == {} and "states" not in empty
    names = {f["name"] for f in list_replicas(rucio, ["testing:PTF10tce_all"]).lines()}
    assert "PTF10tce_noreplica.fits" not in names and "PTF10tce.fits" in names


def test_rucio_replica_content(rucio):
    [line] = list_replicas(rucio, [ERI]).lines()
    assert ERI_ES_PFN in line["rses"]["SPSRC_STORM"]
    assert line["rses"]["STFC_STORM"][0].startswith("root://")  # RSE protocol priority
    assert "STFC_TAPE" not in line["states"]
    [line] = list_replicas(rucio, [ERI], ignore_availability=True).lines()
    assert line["states"]["STFC_TAPE"] == "AVAILABLE" and line["pfns"][line["rses"]["STFC_TAPE"][0]]["type"] == "TAPE"
    [line] = list_replicas(rucio, [ERI], schemes=["https"]).lines()
    assert all(p.startswith("https://") for p in line["pfns"])
    assert "CHSRC_DCACHE" in line["states"] and "CHSRC_DCACHE" not in line["rses"]
    unavailable = EXP["rucio"]["unavailable_replica"]
    [line] = list_replicas(rucio, [unavailable["id"]]).lines()
    assert unavailable["rse"] not in line["states"]
    [line] = list_replicas(rucio, [unavailable["id"]], all_states=True).lines()
    assert line["states"][unavailable["rse"]] == unavailable["state"]
    nd = EXP["rucio"]["non_deterministic"]
    [line] = list_replicas(rucio, [nd["id"]]).lines()
    assert line["rses"][nd["rse"]] == [nd["pfn"]]
    [line] = list_replicas(rucio, [nd["id"]], resolve_parents=True).lines()
    assert set(line["parents"]) == {"testing:PTF10tce_set", "testing:PTF10tce_all"}
    [line] = list_replicas(rucio, [ERI], rse_expression="SPSRC_STORM|CNSRC_SHAO_STORM").lines()
    assert set(line["rses"]) == {"SPSRC_STORM", "CNSRC_SHAO_STORM"}


def test_rucio_geoip_sort_and_limit(rucio):
    [line] = list_replicas(rucio, [ERI], {"X-Forwarded-For": UK}).lines()
    first = min(line["pfns"].items(), key=lambda i: i[1]["priority"])
    assert first[1]["rse"] == "STFC_STORM"
    es = {"X-Forwarded-For": "161.111.10.20"}
    [line] = list_replicas(rucio, [ERI], es, client_location={"ip": UK}).lines()
    assert min(line["pfns"].values(), key=lambda p: p["priority"])["rse"] == "SPSRC_STORM"
    [line] = list_replicas(rucio, [ERI], es, query="?limit=2").lines()
    assert len(line["pfns"]) == 2 and len(sum(line["rses"].values(), [])) == 9
    [line] = list_replicas(rucio, [ERI], query="?sort=random").lines()
    assert len(line["pfns"]) == 9


def test_rucio_body_errors(rucio):
    post = lambda body: rucio.request("POST", "/replicas/list/", body, RUCIO_TOKEN)  # noqa: E731
    assert rucio_error(post("{not json"), 400, "ValueError") == "cannot decode json parameter dictionary"
    assert rucio_error(post("[]"), 400, "TypeError") == "body must be a json dictionary"
    rucio_error(post({}), 400, "InvalidObject")
    rucio_error(post({"dids": []}), 400, "InvalidObject")
    rucio_error(post({"dids": [{"scope": "testing"}]}), 400, "InvalidObject")
    rucio_error(post({"dids": [{"scope": "--", "name": "x"}]}), 400, "InvalidObject")
    rucio_error(list_replicas(rucio, [ERI], sort="nearest"), 400, "SortingAlgorithmNotSupported")
    rucio_error(list_replicas(rucio, [ERI], query="?select=bogus"), 400, "SortingAlgorithmNotSupported")
    # nothing to sort, so no error (R replica_sorter returns early)
    assert list_replicas(rucio, ["testing:does-not-exist.fits"], sort="nearest").status == 200
    rucio_error(list_replicas(rucio, [ERI], rse_expression="NOPE"), 500, "InvalidRSEExpression")


def test_rucio_meta(rucio):
    get = lambda path, **h: rucio.get(path, dict(RUCIO_TOKEN, **h))  # noqa: E731
    r = get("/dids/testing/PTF10tce.fits/meta?plugin=POSTGRES_JSON")
    assert r.status == 200 and r.headers["Content-Type"] == "application/json"
    assert r.json()["datalinks"].startswith("[{'access_url'")
    r = get("/dids/sp3531_soda/" + ERI.split(":")[1] + "/meta?plugin=postgres_json")
    assert isinstance(r.json()["datalinks"], list)
    assert get("/dids/testing/PTF10tce.fits/meta").json()["did_type"] == "FILE"  # DID_COLUMN
    row = get("/dids/testing/PTF10tce_all/meta").json()
    assert row["did_type"] == "CONTAINER" and row["length"] == 2
    assert row["bytes"] == 5 * 2880000
    both = get("/dids/testing/PTF10tce.fits/meta?plugin=all").json()
    assert both["did_type"] == "FILE" and both["content_type"] == "image/fits"
    slash = EXP["rucio"]["slash_meta_path"]
    assert get(slash + "?plugin=POSTGRES_JSON").json()["obs_id"] == "NGC5044_cube"
    assert get(urllib.parse.unquote(slash) + "?plugin=POSTGRES_JSON").status == 200
    for did in EXP["rucio"]["no_metadata_dids"] + [EXP["rucio"]["unknown_did"]]:
        scope, name = did.split(":")
        msg = rucio_error(get(f"/dids/{scope}/{name}/meta?plugin=POSTGRES_JSON"), 404, "DataIdentifierNotFound")
        assert msg == f"No metadata found for did '{did}"
    msg = rucio_error(get("/dids/testing/does-not-exist.fits/meta"), 404, "DataIdentifierNotFound")
    assert msg == "Data identifier 'testing:does-not-exist.fits' not found"
    long_name = "X" * 120
    r = get(f"/dids/testing/PTF10tce.fits/meta?plugin={long_name}")
    msg = rucio_error(r, 400, "UnsupportedMetadataPlugin")
    assert msg == f'Metadata plugin "{long_name}" is not enabled on the server.'
    assert r.headers["ExceptionMessage"] == msg[:125] + "..."
    rucio_error(get("/dids/testing/PTF10tce.fits/meta", Accept="text/html"), 406, "UnsupportedRequestedContentType")
    assert get("/dids/testing/PTF10tce.fits/meta/obs_id").status == 405
    rucio_error(rucio.get("/dids/testing/PTF10tce.fits/meta"), 400, "ValueError")


def test_rucio_encoded_slash_modes(rucio):
    slash = EXP["rucio"]["slash_meta_path"] + "?plugin=POSTGRES_JSON"
    with rucio.knobs(encoded_slashes="nodecode"):
        assert rucio.get(slash, RUCIO_TOKEN).status == 200
        rucio_error(rucio.get(urllib.parse.unquote(slash), RUCIO_TOKEN), 400, "ValueError")
    with rucio.knobs(encoded_slashes="off"):
        r = rucio.get(slash, RUCIO_TOKEN)
        assert r.status == 404 and r.headers["Content-Type"] == "text/html"


# ------------------------------------------------------------ sites §2

def test_scapi_grafana_and_quirks(sites):
    r = sites.get("/v1/storage-areas/grafana")
    assert r.status == 200
    entries = r.json()
    dup = EXP["sites"]["duplicate_area_name"]
    assert len({(e["latitude"], e["longitude"]) for e in entries if e["name"] == dup["name"]}) == 3
    names = {e["name"] for e in entries}
    assert EXP["sites"]["area_in_downtime"] not in names and None in names
    all_names = {e["name"] for e in sites.get("/v1/storage-areas/grafana?include_inactive=true").json()}
    assert EXP["sites"]["area_in_downtime"] in all_names
    only = sites.get("/v1/storage-areas/grafana?site_names=ESPSRC,CHSRC-CSCS").json()
    assert {e["name"] for e in only} == {"SPSRC_STORM", None, "CHSRC_DCACHE"}
    assert sites.get("/v1/storage-areas/grafana?include_inactive=maybe").status == 422
    assert "soda_sync" in sites.get("/v1/services/types").json()["local"]
    assert sites.get("/v1/ping").json()["status"] == "UP"


def test_scapi_bearer_rules(sites, oauth):
    for path in ("/v1/storage-areas", "/v1/services", "/v1/sites/x", "/v1/storage-areas/x"):
        r = sites.get(path)
        assert r.status == 401 and r.json() == {"detail": "Not authenticated"}
        assert r.headers["WWW-Authenticate"] == "Bearer"
    assert sites.get("/v1/services", {"Authorization": "Basic abc"}).status == 401
    denied = sites.get("/v1/services", {"Authorization": "Bearer " + FX["sites"]["tokens"]["denied"][0]})
    assert denied.status == 403 and denied.json()["detail"] == "You do not have permission to access this resource."
    assert sites.get("/v1/services", {"Authorization": "Bearer unknown"}).status == 403
    jwt = oauth_token(oauth, "datalink-sc", "site-capabilities-api", "openid profile site-capabilities-api-service")
    assert sites.get("/v1/services", {"Authorization": "Bearer " + jwt}).status == 200
    other = oauth_token(oauth, "datalink-dm", "data-management-api")
    assert sites.get("/v1/services", {"Authorization": "Bearer " + other}).status == 403
    expired = common.jwt_encode({"aud": "site-capabilities-api", "exp": time.time() - 5},
                                FX["oauth2"]["signing_key"])
    assert sites.get("/v1/services", {"Authorization": "Bearer " + expired}).status == 403


def test_scapi_lookups(sites):
    areas = sites.get("/v1/storage-areas", SITES_TOKEN).json()
    es = next(a for a in areas if a["name"] == "SPSRC_STORM")
    assert es["parent_site_name"] == "ESPSRC" and es["parent_node_name"] == "ESPSRC"
    assert sites.get("/v1/storage-areas/" + es["id"], SITES_TOKEN).json()["name"] == "SPSRC_STORM"
    r = sites.get("/v1/storage-areas/nope", SITES_TOKEN)
    assert r.status == 404 and r.json() == {"detail": "Storage area with identifier 'nope' could not be found"}
    site = sites.get("/v1/sites/" + es["parent_site_id"], SITES_TOKEN).json()
    assert site["parent_node_name"] == "ESPSRC" and site["latitude"] == 37.1342
    assert sites.get("/v1/sites/nope", SITES_TOKEN).status == 404
    soda = sites.get("/v1/services?service_types=soda_sync,%20soda_async&associated_storage_area_id="
                     + es["id"], SITES_TOKEN).json()
    assert sorted(s["type"] for s in soda) == ["soda_async", "soda_sync"]
    assert all(s["scope"] == "local" and s["parent_site_name"] == "ESPSRC" for s in soda)
    services = {s["id"]: s for s in sites.get("/v1/services", SITES_TOKEN).json()}
    q = EXP["sites"]
    assert all(services[i]["port"] is None for i in q["null_port_services"])
    assert all(services[i]["prefix"] == "https://" for i in q["prefix_with_separator_services"])
    assert all(services[i]["associated_storage_area_id"] is None for i in q["null_area_services"])
    assert all(services[i]["other_attributes"] == {} for i in q["empty_other_attributes_services"])
    assert q["force_disabled_service"] not in services
    everything = sites.get("/v1/services?include_inactive=true", SITES_TOKEN).json()
    assert q["force_disabled_service"] in {s["id"] for s in everything}
    glob = sites.get("/v1/services?service_scope=global", SITES_TOKEN).json()
    assert [s["type"] for s in glob] == ["rucio"] and glob[0]["scope"] == "global"
    assert sites.get("/v1/services?service_scope=nope", SITES_TOKEN).status == 422


def test_site_directory_2023(sites):
    grafana = sites.get("/storages/grafana").json()
    assert {"key": "SPSRC_STORM", "latitude": 37.1342, "longitude": -3.613, "name": "SPSRC_STORM"} in grafana
    assert sum(e["name"] == "UKSRC_RAL_XRD_DEVCEPHFS" for e in grafana) == 3
    services = {s["name"]: s["services"] for s in sites.get("/services").json()}
    es = services["ESPSRC"]
    rse = next(s for s in es if s["type"] == "Rucio Storage Element (RSE)")
    assert (rse["identifier"], rse["host"], rse["port"]) == ("SPSRC_STORM", "spsrc14.iaa.csic.es", 18027)
    sync = next(s for s in es if s["type"] == "SODA (sync)")
    assert sync["other_attributes"]["resourceIdentifier"]["value"] == "ivo://skao.src/spsrc-soda/"
    assert "port" not in next(s for s in services["SWESRC-OSO"] if s["type"] == "SODA (sync)")
    assert not any(s["type"].startswith("SODA") for s in services["UKSRC-RAL"])
    with sites.knobs(services_2023_auth=True):
        r = sites.get("/services")
        assert r.status == 403 and r.json() == {"detail": "Not authenticated"}
        assert sites.get("/services", SITES_TOKEN).status == 200
        assert sites.get("/storages/grafana").status == 200


# --------------------------------------------------------------- DM API §3

def locate(dm, did, query="", headers=DM_TOKEN):
    scope, name = did.split(":", 1)
    return dm.get(f"/data/locate/{scope}/{name}{query}", headers)


def test_dm_auth(dm, oauth):
    r = locate(dm, ERI, headers={})
    assert r.status == 401 and r.json() == {"detail": "Not authenticated"}
    assert locate(dm, ERI, headers={"Authorization": "Bearer " + FX["dm_api"]["tokens"]["denied"][0]}).status == 403
    assert locate(dm, ERI, headers={"Authorization": "Bearer nope"}).status == 401
    jwt = oauth_token(oauth, "datalink-dm", "data-management-api",
                      "openid profile data-management-api-service ")  # trailing space, as the prototype
    assert locate(dm, ERI, headers={"Authorization": "Bearer " + jwt}).status == 200
    no_aud = oauth_token(oauth, "datalink-dm")  # the empty-audience bug B-17
    assert locate(dm, ERI, headers={"Authorization": "Bearer " + no_aud}).status == 403
    expired = common.jwt_encode({"aud": "data-management-api", "exp": time.time() - 5}, FX["oauth2"]["signing_key"])
    assert locate(dm, ERI, headers={"Authorization": "Bearer " + expired}).status == 401


def test_dm_locate(dm):
    want = EXP["dm_locate_nearest_by_ip_order"]
    q = "?sort=nearest_by_ip&ip_address=" + want["ip_address"] + "&colocated_services=" + \
        urllib.parse.quote(want["colocated_services"])
    entries = locate(dm, want["id"], q).json()
    assert [e["identifier"] for e in entries] == want["identifiers"]
    assert [e["identifier"] for e in entries if e["colocated_services"]] == want["with_services"]
    es = next(e for e in entries if e["identifier"] == "SPSRC_STORM")
    assert ERI_ES_PFN in es["replicas"] and es["is_dataset"] is False
    assert es["associated_storage_area_id"] == "dcbae756-21a9-4787-bff2-2af3b7bfa1b0"
    assert {s["type"] for s in es["colocated_services"]} == {"soda_sync", "soda_async"}
    only_sync = locate(dm, ERI, "?colocated_services=soda_sync").json()
    assert all(s["type"] == "soda_sync" for e in only_sync for s in e["colocated_services"])
    assert "colocated_services" not in locate(dm, ERI).json()[0]
    shuffled = locate(dm, ERI, "?sort=random").json()
    assert sorted(e["identifier"] for e in shuffled) == sorted(want["identifiers"])
    assert locate(dm, ERI, "?sort=nearest_by_ip&ip_address=1.1.1.1").status == 500
    assert locate(dm, ERI, "?sort=nearest_by_ip").status == 500  # the caller's own IP, 127.0.0.1
    assert locate(dm, ERI, "?sort=bogus").status == 400
    r = locate(dm, EXP["rucio"]["unknown_did"])
    assert r.status == 404 and "detail" in r.json()
    assert locate(dm, EXP["rucio"]["no_replica_did"]).json() == []
    ds = locate(dm, "testing:PTF10tce_set").json()
    assert all(e["is_dataset"] for e in ds)
    assert {e["identifier"] for e in ds} == {"SPSRC_STORM", "AUSSRC_ACACIA_NONDET", "NLSRC_DCACHE",
                                             "CHSRC_DCACHE", "STFC_STORM"}
    slash = EXP["rucio"]["slash_did"]
    assert locate(dm, slash).status == 200
    assert locate(dm, slash.replace("/", "%2F")).status == 200


def test_dm_locate_knobs(dm):
    q = "?sort=nearest_by_ip&ip_address=" + UK + "&colocated_services=soda_sync,soda_async"
    with dm.knobs(drop_without_services=True):
        assert locate(dm, ERI, q).json()[0]["identifier"] == "SPSRC_STORM"
    with dm.knobs(nearest_by_ip_fails=True):
        assert locate(dm, ERI, q).status == 500
        assert locate(dm, ERI, "?sort=random").status == 200
    with dm.knobs(locate_schemes=["davs"]):
        entries = locate(dm, ERI).json()
        assert {e["identifier"] for e in entries} == {"SPSRC_STORM", "CHSRC_DCACHE"}
        assert all(p.startswith("davs://") for e in entries for p in e["replicas"])
    with dm.knobs(locate_shape="dict"):
        assert ERI_ES_PFN in locate(dm, ERI).json()["SPSRC_STORM"]


def test_dm_metadata(dm):
    r = dm.get("/metadata/testing/PTF10tce.fits", DM_TOKEN)
    assert r.status == 200 and r.json()["content_length"] == 2880000
    assert dm.get("/metadata/testing/PTF10tce.fits?plugin=bogus", DM_TOKEN).json() == r.json()
    assert dm.get("/metadata/testing/PTF10tce.fits?plugin=DID_COLUMN", DM_TOKEN).json()["did_type"] == "FILE"
    slash = EXP["rucio"]["slash_did"].replace(":", "/", 1)
    assert dm.get("/metadata/" + slash, DM_TOKEN).json()["obs_id"] == "NGC5044_cube"
    r = dm.get("/metadata/testing/PTF10tce_r.fits", DM_TOKEN)
    assert r.status == 404 and r.json()["detail"].startswith("No metadata found")
    assert dm.get("/metadata/testing/PTF10tce.fits").status == 401


# --------------------------------------------------------------- OAuth2

def form_post(oauth, form, headers=None):
    h = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
    h.update(headers or {})
    return oauth.request("POST", "/token", urllib.parse.urlencode(form), h)


def test_oauth2_token(oauth):
    basic = {"Authorization": "Basic " + base64.b64encode(b"datalink-dm:dm-secret").decode()}
    r = form_post(oauth, {"grant_type": "client_credentials", "audience": "data-management-api",
                          "scope": "openid profile data-management-api-service "}, basic)
    assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == FX["oauth2"]["expires_in"]
    parts = body["access_token"].split(".")
    assert len(parts) == 3 and all(re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in parts)
    claims = common.fixture_jwt(FX, body["access_token"])
    assert claims["aud"] == "data-management-api" and claims["sub"] == "datalink-dm"
    assert claims["exp"] > time.time() + 3000
    r = form_post(oauth, {"grant_type": "client_credentials", "client_id": "datalink-sc", "client_secret": "sc-secret"})
    assert r.status == 200
    with oauth.knobs(expires_in=5):
        assert form_post(oauth, {"grant_type": "client_credentials", "client_id": "datalink-sc",
                                 "client_secret": "sc-secret"}).json()["expires_in"] == 5
    assert oauth.get("/.well-known/openid-configuration").json()["token_endpoint"].endswith("/token")


def test_oauth2_errors(oauth):
    def err(reply, status, error):
        assert reply.status == status and reply.json()["error"] == error, reply.body
        return reply
    cc = {"grant_type": "client_credentials"}
    bad = {"Authorization": "Basic " + base64.b64encode(b"datalink-dm:wrong").decode()}
    r = err(form_post(oauth, cc, bad), 401, "invalid_client")
    assert r.headers["WWW-Authenticate"].startswith("Basic")
    err(form_post(oauth, cc), 401, "invalid_client")
    good = {"Authorization": "Basic " + base64.b64encode(b"datalink-dm:dm-secret").decode()}
    err(form_post(oauth, dict(cc, client_id="datalink-dm", client_secret="dm-secret"), good), 400, "invalid_request")
    err(form_post(oauth, {}, good), 400, "invalid_request")
    err(form_post(oauth, {"grant_type": "password"}, good), 400, "unsupported_grant_type")
    err(form_post(oauth, dict(cc, scope="openid admin"), good), 400, "invalid_scope")
    err(form_post(oauth, dict(cc, client_id="web-portal", client_secret="portal-secret")), 400, "unauthorized_client")
    err(oauth.request("POST", "/token", json.dumps(cc), dict(good, **{"Content-Type": "application/json"})),
        400, "invalid_request")


# ------------------------------------------------------ knobs, stats, HTTP

def test_knob_delay_and_concurrency(sites):
    with sites.knobs(delay_ms=300):
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            replies = list(pool.map(lambda _: sites.get("/v1/storage-areas/grafana"), range(6)))
        elapsed = time.monotonic() - start
    assert all(r.status == 200 for r in replies)
    assert 0.3 <= elapsed < 1.2  # concurrent, not 6 x 300 ms


def test_knob_failures(rucio, sites, dm):
    with rucio.knobs(fail="down"):
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            list_replicas(rucio, [ERI])
    with rucio.knobs(fail="500"):
        rucio_error(list_replicas(rucio, [ERI]), 500, "RucioException")
    with sites.knobs(fail=503):
        r = sites.get("/v1/storage-areas/grafana")
        assert r.status == 503 and "detail" in r.json()
    with rucio.knobs(fail="malformed"):
        r = list_replicas(rucio, [ERI])
        assert r.status == 200
        with pytest.raises(ValueError):
            r.lines()
    with dm.knobs(fail="malformed"):
        with pytest.raises(ValueError):
            locate(dm, ERI).json()
    with rucio.knobs(fail="503", times=2):
        assert [list_replicas(rucio, [ERI]).status for _ in range(3)] == [503, 503, 200]
    with sites.knobs(fail="500", routes=["GET /v1/services"]):
        assert sites.get("/v1/storage-areas/grafana").status == 200
        assert sites.get("/v1/services", SITES_TOKEN).status == 500
    r = sites.request("POST", "/_control", {"fail": "sometimes"})
    assert r.status == 400
    assert sites.request("POST", "/_control", {"no_such_knob": 1}).status == 400


def test_knob_401_once(rucio, sites, dm):
    rucio.control(fail="401_once")
    assert rucio.get("/ping").status == 200  # not an authenticated route
    rucio_error(list_replicas(rucio, [ERI]), 401, "CannotAuthenticate")
    assert list_replicas(rucio, [ERI]).status == 200
    assert rucio.control()["fail"] is None
    sites.control(fail="401_once")
    assert sites.get("/v1/storage-areas/grafana").status == 200
    assert sites.get("/v1/storage-areas", SITES_TOKEN).status == 401
    assert sites.get("/v1/storage-areas", SITES_TOKEN).status == 200
    dm.control(fail="401_once")
    assert locate(dm, ERI).status == 401 and locate(dm, ERI).status == 200


def test_stats(rucio):
    rucio.control(reset_stats=True)
    list_replicas(rucio, [ERI], {"Accept": "application/x-json-stream"})
    rucio.get("/dids/testing/PTF10tce.fits/meta?plugin=POSTGRES_JSON", RUCIO_TOKEN)
    rucio.get("/nowhere")
    s = rucio.stats()
    assert s["total"] == 3
    assert s["routes"] == {"POST /replicas/list": 1, "GET /dids/{scope}/{name}/meta": 1, "unmatched": 1}
    last = s["last_by_route"]["POST /replicas/list"]
    assert last["headers"]["X-Rucio-Auth-Token"] == RUCIO_TOKEN["X-Rucio-Auth-Token"]
    assert last["headers"]["Accept"] == "application/x-json-stream"
    assert json.loads(last["body"])["dids"][0]["name"] == ERI.split(":")[1]
    assert s["last_by_route"]["GET /dids/{scope}/{name}/meta"]["query"] == "plugin=POSTGRES_JSON"
    assert s["last"]["path"] == "/nowhere"


def test_keep_alive_and_chunked(rucio):
    conn = rucio.connect()
    try:
        dataset = {"dids": [{"scope": "testing", "name": "PTF10tce_set"}]}
        assert rucio.request("POST", "/replicas/list", dataset, RUCIO_TOKEN, conn=conn).status == 200
        sock = conn.sock
        r = rucio.request("GET", "/dids/testing/PTF10tce.fits/meta", headers=RUCIO_TOKEN, conn=conn)
        assert r.status == 200 and conn.sock is sock  # the same connection served both
        assert int(r.headers["Content-Length"]) == len(r.body)
        with rucio.knobs(chunked=True):
            r = rucio.request("POST", "/replicas/list", dataset, RUCIO_TOKEN, conn=conn)
            assert r.headers["Transfer-Encoding"] == "chunked" and len(r.lines()) == 3
        assert rucio.get("/ping", conn=conn).status == 200 and conn.sock is sock
    finally:
        conn.close()


def test_prefix_soda_endpoint_and_quiet_logging():
    r = Server("rucio.py", "--prefix", "/rucio-dev")
    s = Server("sites.py", "--soda-endpoint", "http://127.0.0.1:18022")
    try:
        assert r.get("/rucio-dev/ping").status == 200 and r.get("/ping").status == 404
        assert r.get("/_stats").status == 200
        soda = s.get("/v1/services?service_types=soda_sync", SITES_TOKEN).json()
        assert {(x["prefix"], x["host"], x["port"]) for x in soda} == {("http", "127.0.0.1", 18022)}
    finally:
        assert r.stop() == b"" and s.stop() == b""


# ------------------------------------------------------------- GeoIP §4

@pytest.fixture(scope="module")
def mmdb():
    if not shutil.which("mmdblookup"):
        pytest.skip("mmdblookup missing (Debian package mmdb-bin)")
    if subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e1"], capture_output=True).returncode:
        pytest.skip("MaxMind::DB::Writer missing (Debian package libmaxmind-db-writer-perl)")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "test.mmdb")
        subprocess.run(["perl", os.path.join(HERE, "make-geoip.pl"), common.DEFAULT_FIXTURE, out], check=True)
        yield out


def mmdblookup(db, ip, *path):
    p = subprocess.run(["mmdblookup", "--file", db, "--ip", ip, *path], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def test_geoip_database(mmdb):
    for ip, want in EXP["geoip"].items():
        rec = common.geolocate(FX, ip)
        rc, out = mmdblookup(mmdb, ip, "location", "latitude")
        if want == "absent":
            assert rec is None and "Could not find an entry" in out, ip
        elif want == "unlocatable":
            assert rec is not None and "latitude" not in rec
            assert "latitude" not in mmdblookup(mmdb, ip)[1]
            assert '"' + rec["country"] + '"' in mmdblookup(mmdb, ip, "country", "iso_code")[1]
        else:
            assert rec["site"] == want["site"], ip
            assert re.search(r"%.4f\d* <double>" % rec["latitude"], out), (ip, out)
            lon = mmdblookup(mmdb, ip, "location", "longitude")[1]
            assert re.search(r"%.4f\d* <double>" % rec["longitude"], lon), (ip, lon)
            assert f'"{want["country"]}"' in mmdblookup(mmdb, ip, "country", "iso_code")[1]
            assert f'"{want["city"]}"' in mmdblookup(mmdb, ip, "city", "names", "en")[1]
    meta = subprocess.run(["mmdblookup", "--file", mmdb, "--ip", UK, "--verbose"],
                          capture_output=True, text=True).stdout
    assert "GeoIP2-City" in meta


# ------------------------------------------------ known answers (fixture)

def soda_url(svc):
    port = f":{svc['port']}" if svc.get("port") else ""
    return f"{svc['prefix'].split('://')[0]}://{svc['host']}{port}/{svc['path'].lstrip('/')}"


def reference_nearest(rucio, sites, did, ip, must_include_soda):
    """The selection links.fcgi is expected to make, from the stand-ins' answers."""
    [line] = list_replicas(rucio, [did]).lines()
    coords, area_ids = {}, {}
    for e in sites.get("/v1/storage-areas/grafana").json():
        coords.setdefault(e["name"], (e["latitude"], e["longitude"]))
    for a in sites.get("/v1/storage-areas", SITES_TOKEN).json():
        area_ids.setdefault(a["name"], a["id"])
    client = common.located(FX, ip)
    best = None
    for rse, pfns in line["rses"].items():
        if rse not in coords:
            continue  # no coordinates: dropped (§4)
        soda = []
        if must_include_soda:
            soda = sites.get("/v1/services?service_types=soda_sync,soda_async&associated_storage_area_id="
                             + area_ids[rse], SITES_TOKEN).json()
            if not soda:
                continue
        km = common.great_circle_km(*client, *coords[rse])
        if best is None or km < best[0]:
            pfn = min(pfns, key=lambda p: EXP["scheme_preference"].index(p.split("://")[0]))
            best = (km, rse, pfn, soda)
    return best


def test_known_answers(rucio, sites):
    first = EXP["nearest"][0]
    assert (first["id"], first["client_ip"], first["must_include_soda"]) == (ERI, UK, True)
    assert first["rse"] == "SPSRC_STORM" and first["access_url"] == ERI_ES_PFN
    second = EXP["nearest"][1]
    assert (second["id"], second["client_ip"], second["must_include_soda"]) == (ERI, UK, False)
    assert second["site"].startswith("UKSRC")
    for want in EXP["nearest"]:
        km, rse, pfn, soda = reference_nearest(rucio, sites, want["id"], want["client_ip"], want["must_include_soda"])
        assert (rse, pfn, int(km)) == (want["rse"], want["access_url"], want["distance_km"]), want
        assert pfn.split(want["id"].split(":")[0], 1)[1].lstrip("/") == want["path_on_storage"].split("/", 1)[1]
        for kind in ("soda_sync", "soda_async"):
            if want["must_include_soda"]:
                svc = next(s for s in soda if s["type"] == kind)
                assert (svc["id"], soda_url(svc)) == (want[kind]["service_id"], want[kind]["url"])
    distances = {r: int(common.great_circle_km(*common.located(FX, UK), *common.rse_location(FX, r)))
                 for r in FX["rucio"]["rses"] if common.rse_location(FX, r)}
    assert distances == EXP["distances_km_from_uk_client"]
    trap = EXP["rucio"]["scope_in_base_path"]
    [line] = list_replicas(rucio, [trap["id"]]).lines()
    pfn = line["rses"][trap["rse"]][0]
    assert pfn.endswith("/" + trap["path_on_storage"])
    naive = "testing/" + pfn.split("testing")[1].lstrip("/")  # the prototype's split (§5.6)
    assert naive != trap["path_on_storage"]
    orphan = EXP["rucio"]["replicas_without_coordinates"]
    [line] = list_replicas(rucio, [orphan["id"]]).lines()
    grafana = {e["name"] for e in sites.get("/v1/storage-areas/grafana").json()}
    assert set(line["rses"]) == set(orphan["rses"]) and not grafana & set(orphan["rses"])
