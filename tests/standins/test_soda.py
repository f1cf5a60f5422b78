"""Tests of the SODA sync stand-in, soda.py (ivoa.md §5).

The server runs as a subprocess on a free port (module-scoped), started by
test_standins.Server.  Streamed answers are read with http.client or a raw
socket so that short reads and disconnections can be seen.

Run: /usr/bin/python3 -m pytest -q tests/standins/test_soda.py
"""
import hashlib
import http.client
import io
import os
import socket
import struct
import sys
import time
import urllib.parse

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402
import soda  # noqa: E402
from test_standins import Server  # noqa: E402

FX = common.load_fixture(common.DEFAULT_FIXTURE)
ERI_SCOPE = "sp3531_soda"
ERI_NAME = "2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits"
ERI = f"{ERI_SCOPE}:{ERI_NAME}"
AUTH = "auth.example.org/datasets/fits"
ERI_IVO = f"ivo://{AUTH}?{ERI_SCOPE}/9b/98/{ERI_NAME}"  # wire-formats.md, the notebook's ID
ES_PATH = "/soda/ska/datasets/soda"
SYNC = "/soda/sync"
TEXT = "text/plain;charset=UTF-8"
SMALL = 3 * 2880


@pytest.fixture(scope="module")
def server():
    s = Server("soda.py")
    yield s
    assert s.stop() == b""  # quiet without --verbose, and no tracebacks


@pytest.fixture
def sd(server):
    server.control(reset=True, reset_stats=True, size=SMALL)
    yield server
    server.control(reset=True)


def url(path, *pairs):
    return path + "?" + urllib.parse.urlencode(pairs)


def cut(sd, *pairs, path=SYNC, headers=None):
    return sd.get(url(path, ("ID", ERI), *pairs), headers)


def post(sd, form, path=SYNC, headers=None):
    h = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    return sd.request("POST", path, urllib.parse.urlencode(form), h)


def soda_error(reply, status, label, param=None):
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == TEXT
    assert int(reply.headers["Content-Length"]) == len(reply.body)
    text = reply.body.decode()
    assert text.startswith(label + ": "), text
    if param:
        assert text.startswith(f"{label}: {param}: "), text
    return text


def records(sd):
    return sd.get("/_requests").json()


def wait_record(sd, path=SYNC, timeout=5):
    """The newest record for PATH once its answer has ended."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        recs = [r for r in records(sd) if r["path"] == path]
        if recs and recs[-1]["complete"] is not None:
            return recs[-1]
        time.sleep(0.02)
    raise AssertionError("the request was not finished in time")


def expected_stream(size):
    """The stream as the format says it is, built without soda.fits_bytes."""
    total = max(2 * 2880, -(-size // 2880) * 2880)
    return total, bytes(i % 251 for i in range(total - 2880))


# ---------------------------------------------------------------- the stream

def test_fits_stream_functions():
    for size, total in ((0, 5760), (1, 5760), (5760, 5760), (5761, 8640), (10000, 11520)):
        assert soda.fits_size(size) == total
        data = b"".join(soda.fits_bytes(size))
        assert len(data) == total
        assert hashlib.sha256(data).hexdigest() == soda.fits_sha256(size)
        header = data[:2880].decode("ascii")
        cards = [header[i:i + 80] for i in range(0, 2880, 80)]
        assert cards[0] == "SIMPLE  =                    T".ljust(30) + cards[0][30:]
        assert cards[3].startswith("NAXIS1  = " + str(total - 2880).rjust(20))
        assert any(c.rstrip() == "END" for c in cards)
        assert data[2880:] == expected_stream(size)[1]
    # pieces of any length line up with the 251-byte period
    odd = b"".join(bytes(v) for v in soda.fits_views(20000, chunk=1000))
    assert odd == b"".join(soda.fits_bytes(20000))
    assert b"".join(bytes(v) for v in soda.fits_views(20000, limit=4000)) == odd[:4000]


def test_size_and_digest(sd):
    for size in (SMALL, 10000, 1):
        sd.control(size=size)
        r = cut(sd)
        total, data = expected_stream(size)
        assert r.status == 200
        assert r.headers["Content-Type"] == "application/fits"
        assert int(r.headers["Content-Length"]) == len(r.body) == total
        assert r.body[2880:] == data
        assert hashlib.sha256(r.body).hexdigest() == soda.fits_sha256(size)
    sd.control(reset=True)
    r = cut(sd)
    assert len(r.body) == 365 * 2880  # the default, 1 MiB, rounded up
    assert hashlib.sha256(r.body).hexdigest() == soda.fits_sha256(1048576)


def test_size_per_did(sd):
    sd.control(size=SMALL, sizes={ERI.split(":", 1)[1]: 10000})
    r = cut(sd)
    assert len(r.body) == soda.fits_size(10000)
    assert hashlib.sha256(r.body).hexdigest() == soda.fits_sha256(10000)
    sd.control(sizes={"another.fits": 10000})
    assert len(cut(sd).body) == soda.fits_size(SMALL)
    sd.control(reset=True)
    r = cut(sd)
    assert hashlib.sha256(r.body).hexdigest() == soda.fits_sha256(1048576)


def test_astropy_opens_the_stream(sd):
    fits = pytest.importorskip("astropy.io.fits")
    sd.control(size=100000)
    r = cut(sd, ("CIRCLE", "10 20 0.5"))
    with fits.open(io.BytesIO(r.body)) as hdul:
        hdul.verify("exception")
        assert len(hdul) == 1
        h = hdul[0].header
        assert (h["SIMPLE"], h["BITPIX"], h["NAXIS"], h["NAXIS1"]) == (True, 8, 1, len(r.body) - 2880)
        assert h["ORIGIN"] == "rucio-ivoa stand-in"
        data = hdul[0].data
        assert data.shape == (len(r.body) - 2880,)
        assert data.dtype.itemsize == 1 and len(data) == 97920
        assert [int(data[i]) for i in (0, 1, 250, 251, 252, 97919)] == [0, 1, 250, 0, 1, 97919 % 251]
        assert bytes(data) == expected_stream(100000)[1]


# ------------------------------------------------------------------ IDs §5.2

def test_id_forms(sd):
    forms = [ERI, ERI_IVO, f"ivo://{AUTH}?{ERI}", f"ivo://other.authority?{ERI_SCOPE}/9b/98/{ERI_NAME}"]
    for value in forms:
        r = sd.get(url(SYNC, ("ID", value)))
        assert r.status == 200, (value, r.body)
        assert r.headers["Content-Disposition"] == f'inline; filename="{ERI_NAME[:-5]}_cutout.fits"'
    # names are case-insensitive, values are not; POST works alike
    assert sd.get(url(SYNC, ("id", ERI))).status == 200
    assert sd.get(url(SYNC, ("iD", ERI.upper()))).status == 404
    assert post(sd, {"Id": ERI_IVO, "circle": "10 20 0.5"}).status == 200
    assert post(sd, {"ID": ERI}, path=ES_PATH).status == 200
    # the md5 check: the hashes come from md5("scope:name")
    soda_error(sd.get(url(SYNC, ("ID", ERI_IVO.replace("/9b/98/", "/9b/99/")))), 400, "UsageError", "ID")
    soda_error(sd.get(url(SYNC, ("ID", ERI_IVO.replace("/9b/98/", "/98/9b/")))), 400, "UsageError", "ID")
    h = common.deterministic_path("testing", "PTF10tce.fits")
    assert sd.get(url(SYNC, ("ID", f"ivo://{AUTH}?{h}"))).status == 200
    # a user scope's dots are directories, as Rucio's lfn2pfn makes them
    user = common.deterministic_path("user.jdoe", "notebook_output.fits")
    assert user == "user/jdoe/a9/2d/notebook_output.fits"
    assert sd.get(url(SYNC, ("ID", f"ivo://{AUTH}?{user}"))).status == 200
    soda_error(sd.get(url(SYNC, ("ID", f"ivo://{AUTH}?user.jdoe/a9/2d/notebook_output.fits"))),
               400, "UsageError", "ID")
    # a name with '/': only as scope:name (the path form takes a '/'-free name)
    slash = "sp3531_soda:wallaby/2024/NGC5044_cube.fits"
    for value in (slash, f"ivo://{AUTH}?{slash}"):
        r = sd.get(url(SYNC, ("ID", value)))
        assert r.status == 200 and r.headers["Content-Disposition"] == 'inline; filename="NGC5044_cube_cutout.fits"'
    slash_path = common.deterministic_path("sp3531_soda", "wallaby/2024/NGC5044_cube.fits")
    soda_error(sd.get(url(SYNC, ("ID", f"ivo://{AUTH}?{slash_path}"))), 400, "UsageError", "ID")
    # unknown DIDs (well formed, right hashes) and non-files: 404
    unknown = common.deterministic_path("testing", "nothing.fits")
    for value in ("testing:nothing.fits", f"ivo://{AUTH}?testing:nothing.fits", f"ivo://{AUTH}?{unknown}",
                  "testing:PTF10tce_set", "testing:PTF10tce_all"):
        text = soda_error(sd.get(url(SYNC, ("ID", value))), 404, "UsageError")
        assert "no such dataset" in text
    # malformed
    for value in ("", "PTF10tce.fits", "ivo://", f"ivo://{AUTH}", f"ivo://{AUTH}?", f"ivo://?{ERI}",
                  f"ivo://{AUTH}?{ERI_SCOPE}/9b/{ERI_NAME}", f"ivo://{AUTH}?{ERI_SCOPE}/9b/98/",
                  "https://example.test/file.fits", ":name", "bad scope:x"):
        soda_error(sd.get(url(SYNC, ("ID", value))), 400, "UsageError", "ID")


# ----------------------------------------------------------- parameters §5.2

@pytest.mark.parametrize("pairs, status, label, param", [
    ([], 400, "UsageError", None),                                   # no ID
    ([("ID", ERI), ("ID", ERI)], 400, "MultiValuedParamNotSupported", None),
    ([("ID", ERI), ("id", ERI)], 400, "MultiValuedParamNotSupported", None),
    ([("ID", ERI), ("CIRCLE", "10 20 1"), ("circle", "10 20 1")], 400, "MultiValuedParamNotSupported", None),
    ([("ID", ERI), ("BAND", "1 2"), ("BAND", "1 2")], 400, "MultiValuedParamNotSupported", None),
    ([("ID", ERI), ("CIRCLE", "10 20")], 400, "UsageError", "CIRCLE"),
    ([("ID", ERI), ("CIRCLE", "10 20 0")], 400, "UsageError", "CIRCLE"),
    ([("ID", ERI), ("CIRCLE", "10 20 -1")], 400, "UsageError", "CIRCLE"),
    ([("ID", ERI), ("CIRCLE", "10 95 1")], 400, "UsageError", "CIRCLE"),
    ([("ID", ERI), ("CIRCLE", "a b c")], 400, "UsageError", "CIRCLE"),
    ([("ID", ERI), ("CIRCLE", "10 20 inf")], 400, "UsageError", "CIRCLE"),
    ([("ID", ERI), ("CIRCLE", "")], 400, "UsageError", "CIRCLE"),
    ([("ID", ERI), ("POLYGON", "10 10 11 10 11")], 400, "UsageError", "POLYGON"),
    ([("ID", ERI), ("POLYGON", "10 10 11 10 11 11 12")], 400, "UsageError", "POLYGON"),
    ([("ID", ERI), ("POLYGON", "10 10 11 10")], 400, "UsageError", "POLYGON"),
    ([("ID", ERI), ("POS", "BOX 10 20 1 1")], 400, "UsageError", "POS"),
    ([("ID", ERI), ("POS", "CIRCLE 10 20")], 400, "UsageError", "POS"),
    ([("ID", ERI), ("POS", "RANGE 20 10 0 1")], 400, "UsageError", "POS"),
    ([("ID", ERI), ("POS", "RANGE 0 10 0")], 400, "UsageError", "POS"),
    ([("ID", ERI), ("POS", "POLYGON 1 2 3 4")], 400, "UsageError", "POS"),
    ([("ID", ERI), ("BAND", "2e-7 1e-7")], 400, "UsageError", "BAND"),
    ([("ID", ERI), ("BAND", "1e-7")], 400, "UsageError", "BAND"),
    ([("ID", ERI), ("BAND", "nan 1")], 400, "UsageError", "BAND"),
    ([("ID", ERI), ("TIME", "60000 59000")], 400, "UsageError", "TIME"),
    ([("ID", ERI), ("TIME", "+Inf -Inf")], 400, "UsageError", "TIME"),
    ([("ID", ERI), ("POL", "I"), ("POL", "Z")], 400, "UsageError", "POL"),
    ([("ID", ERI), ("POL", "i")], 400, "UsageError", "POL"),
])
def test_validation_errors(sd, pairs, status, label, param):
    text = soda_error(sd.get(url(SYNC, *pairs)), status, label, param)
    if not pairs:
        assert text == "UsageError: ID is required\n"


def test_valid_parameters(sd):
    good = [("CIRCLE", "10 20 0.5"), ("CIRCLE", "0 -90 180"), ("circle", "359.9 1e-05 1E-3"),
            ("POLYGON", "10 10 10.2 10 10.2 10.2"), ("POS", "CIRCLE 10 20 0.5"),
            ("POS", "RANGE 0 360 -2.0 2.0"), ("POS", "RANGE -Inf +Inf -inf inf"),
            ("POS", "POLYGON 10 10 10.2 10 10.2 10.2"), ("BAND", "5e-07 6e-07"), ("BAND", "-inf 6e-07"),
            ("BAND", "5e-07 +Inf"), ("TIME", "59000.5 59001"), ("TIME", "-Inf inf"), ("TIME", "1 1")]
    for pair in good:
        assert cut(sd, pair).status == 200, pair
    pols = [("POL", p) for p in soda.POL_STATES] + [("pol", "I")]
    assert cut(sd, *pols).status == 200
    every = [("POS", "CIRCLE 1 2 3"), ("CIRCLE", "1 2 3"), ("POLYGON", "1 1 2 1 2 2"), ("BAND", "1 2"),
             ("TIME", "1 2"), ("POL", "I"), ("RESPONSEFORMAT", "x"), ("unknown", "1"), ("unknown", "2")]
    assert cut(sd, *every).status == 200
    assert sd.get(SYNC + f"?ID={ERI}&&CIRCLE=10+20+0.5&").status == 200  # empty pairs, '+'
    r = sd.request("POST", SYNC, "ID=x", {"Content-Type": "application/json"})
    soda_error(r, 400, "UsageError")


# ---------------------------------------------------------------- the knobs

def test_chunked(sd):
    sd.control(chunked=True, size=50000)
    conn = sd.connect()
    try:
        conn.request("GET", url(SYNC, ("ID", ERI)))
        r = conn.getresponse()
        assert r.status == 200 and r.headers["Transfer-Encoding"] == "chunked"
        assert r.headers["Content-Length"] is None
        body = r.read()
        assert hashlib.sha256(body).hexdigest() == soda.fits_sha256(50000)
        sd.control(chunked=False)
        assert sd.get(url(SYNC, ("ID", ERI)), conn=conn).status == 200  # still the same connection
    finally:
        conn.close()


def test_drop_after(sd):
    for chunked in (False, True):
        sd.control(drop_after=10000, size=100000, chunked=chunked)
        conn = sd.connect()
        try:
            conn.request("GET", url(SYNC, ("ID", ERI)))
            r = conn.getresponse()
            assert r.status == 200
            if not chunked:
                assert int(r.headers["Content-Length"]) == soda.fits_size(100000)
            with pytest.raises(http.client.IncompleteRead) as e:
                r.read()
            assert e.value.partial == b"".join(soda.fits_bytes(100000))[:10000]
        finally:
            conn.close()
        rec = wait_record(sd)
        assert (rec["status"], rec["sent"], rec["complete"]) == (200, 10000, False)


def test_stall_after(sd):
    sd.control(stall_after=5000, size=100000)
    conn = http.client.HTTPConnection("127.0.0.1", sd.port, timeout=1.0)
    try:
        conn.request("GET", url(SYNC, ("ID", ERI)))
        r = conn.getresponse()
        assert r.status == 200
        assert r.read(5000) == b"".join(soda.fits_bytes(100000))[:5000]
        with pytest.raises(TimeoutError):   # nothing more comes, nothing ends
            r.read(1)
    finally:
        conn.close()
    rec = wait_record(sd)
    assert (rec["sent"], rec["complete"]) == (5000, False)


def test_empty(sd):
    sd.control(empty=True)
    conn = sd.connect()
    try:
        r = sd.get(url(SYNC, ("ID", ERI)), conn=conn)
        assert r.status == 204 and r.body == b"" and r.headers["Content-Length"] is None
        assert sd.get(url(SYNC, ("ID", ERI)), conn=conn).status == 204  # keep-alive after a 204
        soda_error(sd.get(url(SYNC, ("ID", "testing:nothing.fits")), conn=conn), 404, "UsageError")
    finally:
        conn.close()


def test_injected_failures(sd):
    for fail, label in (("503", "ServiceUnavailable"), ("500", "Error"), ("502", "ServiceUnavailable"),
                        ("400", "UsageError"), ("403", "AuthorizationError")):
        sd.control(fail=fail)
        soda_error(cut(sd), int(fail), label)
    sd.control(fail="503", error_body="html")
    r = cut(sd)
    assert r.status == 503 and r.headers["Content-Type"].startswith("text/html")
    assert r.body.startswith(b"<!DOCTYPE html>") and int(r.headers["Content-Length"]) == len(r.body)
    sd.control(reset=True, fail="401_once")
    r = cut(sd)
    soda_error(r, 401, "AuthenticationError")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert cut(sd).status == 200
    sd.control(fail="down")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        cut(sd)
    rec = wait_record(sd)
    assert (rec["status"], rec["sent"], rec["complete"]) == (None, 0, False)
    sd.control(fail="malformed")
    r = cut(sd)
    assert r.status == 200 and r.headers["Content-Type"] == "application/fits"
    assert len(r.body) < 2880
    sd.control(fail="503", times=1, size=SMALL)
    assert [cut(sd).status for _ in range(2)] == [503, 200]


def test_routes_knob_fails_one_path(sd):
    paths = soda.soda_sync_paths(FX)
    assert paths == [ES_PATH, SYNC]
    sd.control(fail="503", routes=[ES_PATH])
    soda_error(cut(sd, path=ES_PATH), 503, "ServiceUnavailable")
    assert cut(sd, path=SYNC).status == 200
    assert post(sd, {"ID": ERI}, path=ES_PATH).status == 503
    soda_error(sd.get("/soda/async?ID=" + ERI), 404, "UsageError")  # not a sync path
    soda_error(sd.request("PUT", SYNC, "x"), 405, "UsageError")
    s = sd.stats()
    assert s["routes"] == {ES_PATH: 2, SYNC: 1, "unmatched": 2}


def test_delay_and_rate(sd):
    sd.control(delay_ms=300)
    start = time.monotonic()
    assert cut(sd).status == 200
    assert time.monotonic() - start >= 0.3
    sd.control(delay_ms=0, rate=400000, size=200000)  # 201600 bytes at 400 kB/s
    start = time.monotonic()
    r = cut(sd)
    elapsed = time.monotonic() - start
    assert r.status == 200 and len(r.body) == 201600
    assert 0.4 <= elapsed < 2


# ------------------------------------------------------------------ records

def test_records(sd):
    hdrs = {"Authorization": "Bearer abc.def.ghi", "Cookie": "session=1; other=2", "X-Forwarded-For": "10.1.2.3"}
    cut(sd, ("circle", "10 20 0.5"), ("POL", "I"), ("POL", "Q"), headers=hdrs)
    post(sd, [("ID", ERI_IVO), ("BAND", "-inf 6e-07")], path=ES_PATH, headers={"Authorization": "Bearer xyz"})
    soda_error(cut(sd, ("TIME", "2 1")), 400, "UsageError", "TIME")
    sd.get("/elsewhere")
    recs = records(sd)
    assert len(recs) == 3
    first, second, third = recs
    assert first["method"] == "GET" and first["path"] == SYNC
    assert first["params"] == [["ID", ERI], ["circle", "10 20 0.5"], ["POL", "I"], ["POL", "Q"]]
    for k, v in hdrs.items():
        assert [k, v] in first["headers"]
    assert ["Host", f"127.0.0.1:{sd.port}"] in first["headers"]
    assert (first["status"], first["sent"], first["complete"]) == (200, SMALL, True)
    assert second["method"] == "POST" and second["path"] == ES_PATH
    assert second["params"] == [["ID", ERI_IVO], ["BAND", "-inf 6e-07"]]
    assert ["Authorization", "Bearer xyz"] in second["headers"]
    assert ["Content-Type", "application/x-www-form-urlencoded"] in second["headers"]
    assert third["status"] == 400 and third["complete"] is True and third["sent"] > 0
    # repeated headers stay apart, in order
    conn = sd.connect()
    try:
        conn.putrequest("GET", url(SYNC, ("ID", ERI)))
        conn.putheader("Cookie", "a=1")
        conn.putheader("Cookie", "b=2")
        conn.endheaders()
        conn.getresponse().read()
    finally:
        conn.close()
    cookies = [v for k, v in records(sd)[-1]["headers"] if k == "Cookie"]
    assert cookies == ["a=1", "b=2"]
    # only the last 100 are kept; reset_stats clears them
    conn = sd.connect()
    try:
        for i in range(105):
            sd.get(url(SYNC, ("ID", ERI), ("n", str(i))), conn=conn)
    finally:
        conn.close()
    recs = records(sd)
    assert len(recs) == 100 and recs[-1]["params"][1] == ["n", "104"] and recs[0]["params"][1] == ["n", "5"]
    sd.control(reset_stats=True)
    assert records(sd) == [] and sd.stats()["total"] == 0


def test_client_disconnect_mid_stream(sd):
    for knobs in ({"size": 64 << 20}, {"size": 64 << 20, "rate": 2 << 20}, {"size": 64 << 20, "chunked": True}):
        sd.control(reset=True, reset_stats=True, **knobs)
        conn = sd.connect()
        conn.request("GET", url(SYNC, ("ID", ERI)))
        r = conn.getresponse()
        assert r.status == 200
        assert len(r.read(100000)) == 100000
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
        r.close()
        conn.close()
        rec = wait_record(sd)
        assert rec["complete"] is False and 100000 <= rec["sent"] < soda.fits_size(64 << 20), (knobs, rec)
    sd.control(reset=True)
    assert cut(sd).status == 200  # the server goes on


def test_prefix():
    s = Server("soda.py", "--prefix", "/site")
    try:
        assert s.get(url("/site" + SYNC, ("ID", ERI))).status == 200
        assert s.get(url(SYNC, ("ID", ERI))).status == 404
        assert s.get("/_requests").json()[0]["path"] == "/site" + SYNC
    finally:
        assert s.stop() == b""


def test_throughput_1gib(sd):
    """Prints the send rate of a 1 GiB answer over loopback (no assertion on speed)."""
    size = 1 << 30
    sd.control(size=size)
    sock = socket.create_connection(("127.0.0.1", sd.port))
    try:
        sock.sendall(f"GET {url(SYNC, ('ID', ERI))} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        buf = bytearray(4 << 20)
        view = memoryview(buf)
        start = time.monotonic()
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(65536)
        head, _, rest = head.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        got = len(rest)
        while got < length:
            n = sock.recv_into(view)
            assert n > 0
            got += n
        elapsed = time.monotonic() - start
    finally:
        sock.close()
    assert got == length == soda.fits_size(size)
    print(f"\nsoda.py sent {got} bytes in {elapsed:.2f} s: {got / elapsed / 1e6:.0f} MB/s")
