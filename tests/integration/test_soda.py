"""The SODA proxy through nginx and spawn-fcgi: replicas from the Rucio and
site-directory stand-ins, cutouts from the SODA stand-in (tests/standins/
soda.py), which every site's SODA service points at in the test stack."""
import hashlib
import http.client
import json
import os
import socket
import sys
import time
import urllib.parse

import pytest

from conftest import HTTP, TOP, STATE, control, request, stand_in, workers

sys.path.insert(0, os.path.join(TOP, "tests", "standins"))
import soda as standin  # noqa: E402

SODA = os.environ["RIF_SODA"]
RUCIO = os.environ["RIF_RUCIO"]
SITES = os.environ["RIF_SITES"]
ASAN = "asan" in os.environ.get("BUILD", "")
UK = "130.246.210.120"
SCOPE = "sp3531_soda"
NAME = "2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits"
ERIDANUS = SCOPE + ":" + NAME
# What the sites' SODA services expect (ivo://authority?scope/h1/h2/name).
SITE_ID = "ivo://auth.example.org/datasets/fits?%s/9b/98/%s" % (SCOPE, NAME)
ES = "/soda/ska/datasets/soda"   # ESPSRC, the nearest with SODA from the UK
OTHERS = "/soda/sync"            # every other site
TEXT = "text/plain;charset=UTF-8"


def site_requests():
    return stand_in(SODA, "/_requests")


@pytest.fixture(autouse=True)
def reset_standins():
    for base in (RUCIO, SITES, SODA):
        control(base, reset=True, reset_stats=True)
    yield
    for base in (RUCIO, SITES, SODA):
        control(base, reset=True)


def cutout(params=None, path="/soda/sync", **kw):
    q = {"ID": ERIDANUS, "CIRCLE": "10 20 0.5", "client_ip_address": UK}
    q.update(params or {})
    return request(path, {k: v for k, v in q.items() if v is not None}, **kw)


def open_stream(path="/soda/sync", timeout=30, **params):
    """Start a GET and return (connection, response) without reading the
    body, so that short or cut answers can be seen."""
    q = {"ID": ERIDANUS, "client_ip_address": UK}
    q.update(params)
    conn = http.client.HTTPConnection(HTTP.split("//")[1], timeout=timeout)
    conn.request("GET", path + "?" + urllib.parse.urlencode(q))
    return conn, conn.getresponse()


def header_names(record):
    return {name.lower() for name, _ in record["headers"]}


# --- what reaches the client, and what reaches the site ------------------

def test_bytes_arrive_identical_with_the_sites_headers():
    size = 3 * 1024 * 1024
    control(SODA, size=size)
    r = cutout()
    assert r.status == 200
    assert r.headers["Content-Type"] == "application/fits"
    assert int(r.headers["Content-Length"]) == standin.fits_size(size)
    assert NAME[:-5] + "_cutout.fits" in r.headers["Content-Disposition"]
    assert hashlib.sha256(r.body).hexdigest() == standin.fits_sha256(size)
    (rec,) = site_requests()
    assert rec["path"] == ES
    assert rec["params"] == [["ID", SITE_ID], ["CIRCLE", "10 20 0.5"]]


def test_only_the_authorization_header_reaches_the_site():
    # Over https only: a token never goes to a plain http service
    # (test_attacks.py).  /soda-tls reaches the stand-in through nginx.
    r = cutout(path="/soda-tls/sync",
               headers={"Authorization": "Bearer user-token-123",
                        "Cookie": "session=secret", "X-Custom": "mine",
                        "X-Forwarded-For": "1.2.3.4", "Referer": "http://x/"})
    assert r.status == 200
    (rec,) = site_requests()
    auth = [v for n, v in rec["headers"] if n.lower() == "authorization"]
    assert auth == ["Bearer user-token-123"]
    # Host, User-Agent and Accept are the proxy's own.
    assert header_names(rec) == {"host", "user-agent", "accept", "authorization"}
    assert dict(rec["headers"])["User-Agent"] == "rucio-ivoa-fcgi"
    # Without one, none goes out.
    control(SODA, reset_stats=True)
    assert cutout(path="/soda-tls/sync").status == 200
    assert "authorization" not in header_names(site_requests()[0])


def test_astropy_opens_the_cutout():
    from astropy.io import fits
    import io
    r = cutout({"POS": "CIRCLE 10 20 0.5", "CIRCLE": None})
    with fits.open(io.BytesIO(r.body)) as hdul:
        assert hdul[0].header["NAXIS"] == 1


@pytest.mark.parametrize("given", [
    ERIDANUS,
    "ivo://auth.example.org/datasets/fits?" + ERIDANUS,
    SITE_ID,
])
def test_every_id_form_reaches_the_site_in_its_own_form(given):
    assert cutout({"ID": given}).status == 200
    assert site_requests()[0]["params"][0] == ["ID", SITE_ID]


def test_post_and_canonical_cutout_parameters():
    body = {"id": ERIDANUS, "pos": "circle 10 20 5e-1", "band": "5e-07 inf",
            "time": "55000 55001", "pol": ["I", "Q"], "client_ip_address": UK,
            "unknown": "ignored"}
    r = request("/soda/sync", method="POST", data=body)
    assert r.status == 200
    assert site_requests()[0]["params"] == [
        ["ID", SITE_ID], ["POS", "CIRCLE 10 20 0.5"], ["BAND", "5e-07 +Inf"],
        ["TIME", "55000 55001"], ["POL", "I"], ["POL", "Q"]]


def test_rucio_is_asked_for_the_configured_schemes():
    # The same replica finding as /links: [links] schemes goes to Rucio.
    assert cutout().status == 200
    asked = stand_in(RUCIO, "/_stats")["last_by_route"]["POST /replicas/list"]
    assert json.loads(asked["body"])["schemes"] == ["https", "davs", "root"]


def test_ranking_and_sort_choose_other_sites():
    assert cutout({"ranking": 1}).status == 200
    assert site_requests()[-1]["path"] == OTHERS
    r = cutout({"ranking": 9})
    assert r.status == 400 and r.text.startswith("UsageError: ranking 9")
    # ES is one of several SODA sites, so a fixed handful of tries would
    # miss it now and then; 64 tries miss it with odds below 1e-5.
    paths = set()
    for _ in range(64):
        assert cutout({"sort": "random"}).status == 200
        paths.add(site_requests()[-1]["path"])
        if paths == {ES, OTHERS}:
            break
    assert paths == {ES, OTHERS}


# --- requests refused before any upstream is called -----------------------

@pytest.mark.parametrize("query,status,label", [
    ("CIRCLE=10+20+0.5", 400, "UsageError: ID: missing"),
    ("ID=a:b&ID=a:c", 400, "MultiValuedParamNotSupported: ID"),
    ("ID=a:b&CIRCLE=1+2+3&CIRCLE=1+2+4", 400, "MultiValuedParamNotSupported: CIRCLE"),
    ("ID=a:b&POS=CIRCLE+1+2+3&pos=CIRCLE+1+2+4", 400, "MultiValuedParamNotSupported: POS"),
    ("ID=a:b&TIME=1+2&TIME=3+4", 400, "MultiValuedParamNotSupported: TIME"),
    ("ID=not-a-did", 400, "UsageError"),
    ("ID=ivo://auth/x?", 400, "UsageError"),
    ("ID=a:b&CIRCLE=10+95+1", 400, "UsageError: CIRCLE"),
    ("ID=a:b&CIRCLE=10+20", 400, "UsageError: CIRCLE"),
    ("ID=a:b&POLYGON=1+1+2+2", 400, "UsageError: POLYGON"),
    ("ID=a:b&POS=BOX+1+2+3+4", 400, "UsageError: POS"),
    ("ID=a:b&POS=RANGE+11+10+0+1", 400, "UsageError: POS"),
    ("ID=a:b&BAND=6e-07+5e-07", 400, "UsageError: BAND"),
    ("ID=a:b&BAND=nan+1", 400, "UsageError: BAND"),
    ("ID=a:b&TIME=x", 400, "UsageError: TIME"),
    ("ID=a:b&POL=I&POL=W", 400, "UsageError: POL"),
    ("ID=a:b&sort=closest", 400, "UsageError: sort"),
    ("ID=a:b&ranking=-1", 400, "UsageError: ranking"),
    ("ID=a:b&ranking=x", 400, "UsageError: ranking"),
    ("ID=a:b&CIRCLE=%ZZ", 400, "UsageError"),
])
def test_bad_requests_get_soda_errors_and_reach_no_upstream(query, status, label):
    r = request("/soda/sync", query)
    assert r.status == status
    assert r.headers["Content-Type"] == TEXT
    assert r.text.startswith(label), r.text
    assert site_requests() == []
    assert stand_in(RUCIO, "/_stats")["total"] == 0


def test_other_methods_and_large_bodies():
    r = request("/soda/sync", "ID=" + ERIDANUS, method="DELETE")
    assert r.status == 405 and r.text.startswith("UsageError")
    assert "GET" in r.headers["Allow"]
    r = request("/soda/sync", method="POST", data=b"ID=a:b&POS=" + b"1" * 300000,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400 and r.text.startswith("UsageError: POS")


@pytest.mark.parametrize("did,status,text", [
    ("testing:does-not-exist.fits", 404, "UsageError: no such DID"),
    ("testing:PTF10tce_set", 400, "is a collection of files"),
    ("testing:PTF10tce_noreplica.fits", 404, "UsageError"),
])
def test_datasets_without_a_cutout(did, status, text):
    r = cutout({"ID": did})
    assert r.status == status
    assert r.text.startswith("UsageError") and text in r.text, r.text
    assert site_requests() == []


# --- the sites' answers ---------------------------------------------------

def test_no_overlap_is_204():
    control(SODA, empty=True)
    r = cutout()
    assert r.status == 204 and r.body == b""


def test_chunked_answer_streams_through():
    control(SODA, chunked=True, size=200000)
    r = cutout()
    assert r.status == 200
    assert hashlib.sha256(r.body).hexdigest() == standin.fits_sha256(200000)


def test_site_error_documents_are_passed_on():
    control(SODA, fail="400")
    r = cutout()
    assert r.status == 400 and r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("UsageError")
    control(SODA, fail="403")
    r = cutout()
    assert r.status == 403 and r.text.startswith("AuthorizationError")


def test_site_401_passes_on_with_its_challenge():
    control(SODA, fail="401_once")
    r = cutout(path="/soda-tls/sync", headers={"Authorization": "Bearer expired"})
    assert r.status == 401
    assert r.text.startswith("AuthenticationError")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_other_error_bodies_are_wrapped():
    control(SODA, fail="500", error_body="html")
    r = cutout()
    assert r.status == 500
    assert r.headers["Content-Type"] == TEXT
    assert r.text.startswith("Error: the SODA service at 127.0.0.1:")
    assert "<html" not in r.text.lower()


def test_unavailable_site_gives_way_to_the_next():
    control(SODA, fail="503", routes=[ES])
    r = cutout()
    assert r.status == 200
    assert [x["path"] for x in site_requests()] == [ES, OTHERS]


def test_site_that_drops_the_connection_gives_way_to_the_next():
    control(SODA, fail="down", routes=[ES])
    assert cutout().status == 200
    # libcurl itself asks once more when a kept connection dies unanswered.
    paths = [x["path"] for x in site_requests()]
    assert paths[-1] == OTHERS and set(paths[:-1]) == {ES}


def test_slow_site_gives_way_to_the_next():
    # [soda] first_byte_timeout is 2 s in the test stack.
    control(SODA, delay_ms=4000, routes=[ES])
    t0 = time.monotonic()
    r = cutout()
    assert r.status == 200
    assert 1.9 < time.monotonic() - t0 < 3.9
    assert site_requests()[-1]["path"] == OTHERS


def test_every_site_down_is_503_and_every_site_slow_is_504():
    control(SODA, fail="down")
    r = cutout()
    assert r.status == 503 and r.text.startswith("ServiceUnavailable")
    control(SODA, fail=None, delay_ms=4000)
    t0 = time.monotonic()
    r = cutout({"ID": "testing:PTF10tce.fits"})
    assert r.status == 504 and r.text.startswith("ServiceUnavailable")
    # Two sites hold it: two tries of 2 s each, then the answer.
    assert time.monotonic() - t0 < 6


def test_last_site_503_is_passed_on():
    control(SODA, fail="503")
    r = cutout()
    assert r.status == 503 and r.text.startswith("ServiceUnavailable")
    # Three RSEs have SODA, but two share one service: it is asked once.
    assert [x["path"] for x in site_requests()] == [ES, OTHERS]


def test_site_cut_mid_stream_is_a_short_answer_never_a_whole_one():
    size = 8 * 1024 * 1024
    control(SODA, size=size, drop_after=1024 * 1024)
    conn, resp = open_stream()
    assert resp.status == 200
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    conn.close()


def test_site_stalled_mid_stream_is_cut_after_the_stall_timeout():
    # [soda] stall_timeout is 3 s in the test stack.
    control(SODA, size=4 * 1024 * 1024, stall_after=1024 * 1024)
    t0 = time.monotonic()
    conn, resp = open_stream()
    assert resp.status == 200
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    assert 2.5 < time.monotonic() - t0 < 8
    conn.close()
    control(SODA, reset=True)
    assert cutout().status == 200


def test_rucio_down_is_503():
    control(RUCIO, fail="down")
    r = cutout()
    assert r.status == 503 and r.text.startswith("ServiceUnavailable")
    control(RUCIO, fail=None)
    assert cutout().status == 200


# --- streaming: memory, back-pressure, disconnects -----------------------

def peak_rss_kib():
    peak = 0
    for pid in workers("soda"):
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak


def stream_digest(size):
    """GET a cutout of SIZE bytes and hash it as it comes; (bytes, sha256)."""
    control(SODA, size=size)
    conn, resp = open_stream(timeout=60)
    assert resp.status == 200
    h, n = hashlib.sha256(), 0
    while True:
        piece = resp.read(1 << 20)
        if not piece:
            break
        h.update(piece)
        n += len(piece)
    conn.close()
    return n, h.hexdigest()


def test_large_cutout_in_flat_memory():
    small = stream_digest(1024 * 1024)
    assert small == (standin.fits_size(1024 * 1024),
                     standin.fits_sha256(1024 * 1024))
    before = peak_rss_kib()
    size = (256 if ASAN else 1024) * 1024 * 1024
    t0 = time.monotonic()
    n, digest = stream_digest(size)
    took = time.monotonic() - t0
    assert n == standin.fits_size(size)
    assert digest == standin.fits_sha256(size)
    after = peak_rss_kib()
    print("\n%d MiB in %.1f s; peak worker RSS %d KiB before, %d KiB after"
          % (size >> 20, took, before, after))
    if not ASAN:
        assert after < 16 * 1024
        assert after - before < 2 * 1024


def test_client_disconnect_stops_the_site_transfer():
    size = 1024 * 1024 * 1024
    control(SODA, size=size)
    s = socket.create_connection(("127.0.0.1", int(HTTP.rsplit(":", 1)[1])))
    q = urllib.parse.urlencode({"ID": ERIDANUS, "client_ip_address": UK})
    s.sendall(("GET /soda/sync?%s HTTP/1.1\r\nHost: x\r\n\r\n" % q).encode())
    got = 0
    while got < 2 * 1024 * 1024:
        got += len(s.recv(1 << 16))
    s.close()
    for _ in range(100):
        recs = site_requests()
        if recs and recs[-1]["complete"] is not None:
            break
        time.sleep(0.1)
    rec = site_requests()[-1]
    assert rec["complete"] is False
    assert rec["sent"] < size // 4
    # The worker is free again at once.
    assert cutout().status == 200


# --- redirect mode, VOSI, pyvo ---------------------------------------------

def test_redirect_mode_sends_the_client_to_the_site():
    r = cutout(path="/soda-redirect/sync", headers={"Authorization": "Bearer t"})
    assert r.status == 200   # urllib followed the 303 to the site itself
    assert site_requests()[0]["path"] == ES
    conn, resp = open_stream("/soda-redirect/sync", CIRCLE="10 20 0.5")
    assert resp.status == 303
    loc = urllib.parse.urlsplit(resp.getheader("Location"))
    assert loc.path == ES and loc.netloc == SODA.split("//")[1]
    assert urllib.parse.parse_qsl(loc.query) == [("ID", SITE_ID),
                                                 ("CIRCLE", "10 20 0.5")]
    conn.close()


def test_data_management_backend():
    # /soda-dm: the same proxy with [links] backend = dm; the API orders the
    # sites by the client address and lists their SODA services.
    control(SODA, size=3 * 2880)
    r = cutout(path="/soda-dm/sync")
    assert r.status == 200
    assert hashlib.sha256(r.body).hexdigest() == standin.fits_sha256(3 * 2880)
    assert site_requests()[0]["path"] == ES
    r = cutout({"ID": "testing:does-not-exist.fits"}, path="/soda-dm/sync")
    assert r.status == 404 and r.text.startswith("UsageError")


def test_sites_over_tls_are_verified():
    # The second site directory lists https:// SODA services whose
    # certificate only the stack's own CA file vouches for.
    control(SODA, size=3 * 2880)
    r = cutout(path="/soda-tls/sync", headers={"Authorization": "Bearer t"})
    assert r.status == 200
    assert hashlib.sha256(r.body).hexdigest() == standin.fits_sha256(3 * 2880)
    assert site_requests()[0]["params"][0] == ["ID", SITE_ID]
    # Without it ([http] ca_file empty: the system's CAs) no site is
    # trusted, and nothing, the token least of all, is sent.
    control(SODA, reset_stats=True)
    r = cutout(path="/soda-untrusted/sync", headers={"Authorization": "Bearer t"})
    assert r.status == 503 and r.text.startswith("ServiceUnavailable")
    assert site_requests() == []


def test_vosi_and_ping():
    r = request("/soda/availability")
    assert r.status == 200 and b"<vosi:available>true" in r.body
    r = request("/soda/capabilities")
    assert b"ivo://ivoa.net/std/SODA#sync-1.0" in r.body
    assert (HTTP + "/soda/sync").encode() in r.body
    assert json.loads(request("/soda/ping").body)["status"] == "UP"


def test_pyvo_cutout_through_the_datalink_descriptor():
    import io
    import pyvo
    from astropy.io import fits
    from pyvo.dal.adhoc import DatalinkResults
    control(SODA, size=5 * 2880)
    # links-dm's descriptors point at the proxy (the test stack's config).
    dl = DatalinkResults.from_result_url(
        HTTP + "/links-dm?ID=%s&must_include_soda=true&client_ip_address=%s"
        % (ERIDANUS, UK))
    row = next(dl.bysemantics("#cutout", include_narrower=False))
    stream = row.processed(circle=(10, 20, 0.5))
    with fits.open(io.BytesIO(stream.read())) as hdul:
        assert hdul[0].header["BITPIX"] == 8
    rec = site_requests()[-1]
    assert ["CIRCLE", "10 20 0.5"] in rec["params"]
    assert rec["params"][0] == ["ID", SITE_ID]
    # The prototype notebook's way: a plain GET with the DID.
    r = pyvo.dal.adhoc.SodaQuery(HTTP + "/soda/sync", circle=(10, 20, 0.5))
    r["ID"] = ERIDANUS
    with fits.open(io.BytesIO(r.execute_stream().read())) as hdul:
        assert hdul[0].header["NAXIS"] == 1


def test_user_scope_and_utf8_names_reach_the_site_as_their_path():
    user = "ivo://auth.example.org/datasets/fits?user/jdoe/a9/2d/notebook_output.fits"
    utf8 = ("ivo://auth.example.org/datasets/fits?testing/b0/ce/"
            "Observa\u00e7\u00e3o M1 \u2013 Crab nebula.fits")
    for did, site_id in (("user.jdoe:notebook_output.fits", user),
                         ("testing:Observa\u00e7\u00e3o M1 \u2013 Crab nebula.fits", utf8)):
        control(SODA, reset_stats=True)
        assert cutout({"ID": did}).status == 200
        assert site_requests()[0]["params"][0] == ["ID", site_id]
        # The path form is read back to the same DID.
        control(SODA, reset_stats=True)
        assert cutout({"ID": site_id}).status == 200
        assert site_requests()[0]["params"][0] == ["ID", site_id]
