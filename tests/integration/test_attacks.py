"""Crafted requests, sent as an attacker would: IDs that try to walk up
the upstream URLs with the service's own credentials, a token that would
cross the network in clear, requests that try to hold a worker for ever
or make it build a huge answer, and RESPONSEFORMAT values that would
mislabel the body."""
import os
import socket
import time

import pytest

from conftest import HTTP, control, request, stand_in

RUCIO = os.environ["RIF_RUCIO"]
SITES = os.environ["RIF_SITES"]
SODA = os.environ["RIF_SODA"]
DM = "http://127.0.0.1:%d" % (int(os.environ["STANDIN_PORT"]) + 2)
UK = "130.246.210.120"
ERIDANUS = ("sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-"
            "574594-imagecube-42178.fits")

WALKERS = ["sc:a/../../../../admin/secret", "..:accounts", ".:x",
           "sc:a/./b", "sc:..", "user..x:y", "sc:/abs"]


@pytest.fixture(autouse=True)
def reset_standins():
    for base in (RUCIO, SITES, SODA, DM):
        control(base, reset=True, reset_stats=True)
    yield
    for base in (RUCIO, SITES, SODA, DM):
        control(base, reset=True)


def upstream_calls():
    return {b: stand_in(b, "/_stats")["total"] for b in (RUCIO, DM, SODA)}


def rows(reply):
    return reply.votable(verify="ignore").get_first_table().array


@pytest.mark.parametrize("path", ["/links", "/links-dm"])
def test_ids_cannot_walk_the_upstream_urls(path):
    # Warm the token and the site table, then count what the IDs cause.
    assert request(path, {"ID": ERIDANUS}).status == 200
    before = upstream_calls()
    reply = request(path, {"ID": WALKERS})
    assert reply.status == 200
    got = rows(reply)
    assert list(got["ID"]) == WALKERS
    assert all(e.startswith("UsageFault") for e in got["error_message"])
    assert upstream_calls() == before


@pytest.mark.parametrize("path", ["/soda/sync", "/soda-dm/sync"])
def test_dataset_ids_cannot_walk_the_upstream_urls(path):
    before = upstream_calls()
    for walker in WALKERS + ["ivo://auth?../00/00/x.fits",
                             "ivo://auth?sc/00/00/.."]:
        r = request(path, {"ID": walker, "CIRCLE": "10 20 0.5"})
        assert r.status == 400 and r.text.startswith("UsageError: ID"), walker
    assert upstream_calls() == before


def test_tokens_never_cross_plain_http():
    # The stack's site directory lists http:// SODA services: a request
    # with a token is not sent to them (nor anything else).
    r = request("/soda/sync", {"ID": ERIDANUS, "CIRCLE": "10 20 0.5",
                               "client_ip_address": UK},
                headers={"Authorization": "Bearer user-token-123"})
    assert r.status == 503 and r.text.startswith("ServiceUnavailable")
    assert "https" in r.text
    assert stand_in(SODA, "/_requests") == []
    # Anonymous, the same services serve the cutout.
    r = request("/soda/sync", {"ID": ERIDANUS, "CIRCLE": "10 20 0.5",
                               "client_ip_address": UK})
    assert r.status == 200
    (rec,) = stand_in(SODA, "/_requests")
    assert "authorization" not in {n.lower() for n, _ in rec["headers"]}


def test_a_request_has_a_deadline():
    # /links-2023 runs with [links] request_timeout = 3000 ms.  Rucio
    # answers each replica question 1.2 s late: three IDs would take 3.6 s,
    # more would take longer; the answer comes at the deadline instead.
    control(RUCIO, delay_ms=1200, routes=["POST /replicas/list"])
    ids = ["testing:PTF10tce.fits"] * 2 + ["testing:PTF10tce_psf.fits"] * 4
    t0 = time.monotonic()
    reply = request("/links-2023", {"ID": ids})
    took = time.monotonic() - t0
    assert reply.status == 200
    assert 2.9 < took < 4.5, took
    got = rows(reply)
    faults = [e for e in got["error_message"] if e]
    assert got["access_url"][0] and not got["error_message"][0]
    assert any("ran out of time" in e for e in faults)
    assert all(e.startswith("TransientFault") for e in faults)
    # Rucio was not asked for the IDs left out.
    assert stand_in(RUCIO, "/_stats")["routes"]["POST /replicas/list"] <= 4


def test_maxrec_has_a_hard_limit():
    # [links] maxrec_limit = 50 in the stack: a client asking for a
    # billion rows gets 50 at most, whole IDs only, and OVERFLOW.
    ids = ["testing:PTF10tce_all"] * 20
    whole = rows(request("/links", {"ID": ids[:1]}))
    reply = request("/links", {"ID": ids, "MAXREC": "1000000000"})
    assert reply.status == 200
    got = rows(reply)
    assert 0 < len(got) <= 50 and len(got) % len(whole) == 0
    assert 'value="OVERFLOW"' in reply.text


def test_a_trickling_site_is_left():
    # [soda] stall_timeout 3 s and min_rate 1024 B/s in the stack: a site
    # sending 200 bytes a second is cut after one window.  The few bytes
    # it sent never left the worker's buffer, so the client gets nginx's
    # SODA error document; the worker is free again.
    control(SODA, size=1024 * 1024, rate=200)
    t0 = time.monotonic()
    r = request("/soda/sync", {"ID": ERIDANUS, "client_ip_address": UK})
    assert 2.5 < time.monotonic() - t0 < 8
    assert r.status == 503 and r.text.startswith("ServiceUnavailable")
    for _ in range(40):   # the site notices at its next write
        (rec,) = stand_in(SODA, "/_requests")
        if rec["complete"] is not None:
            break
        time.sleep(0.05)
    assert rec["complete"] is False and rec["sent"] < 2000
    # A site that keeps up the rate is not cut: 8 KiB/s over 4 s.
    control(SODA, size=32 * 1024, rate=8192, reset_stats=True)
    assert request("/soda/sync", {"ID": ERIDANUS,
                                  "client_ip_address": UK}).status == 200


def test_a_client_that_stops_reading_frees_the_worker():
    # [request] send_timeout 2 s in the stack.  nginx keeps 1 MiB of a
    # cutout in memory and then stops reading from the proxy; the proxy's
    # write then blocks, times out, and the transfer from the site stops.
    size = 256 * 1024 * 1024
    control(SODA, size=size)
    host, port = HTTP.split("//")[1].split(":")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, int(port)))
    s.sendall(("GET /soda/sync?ID=%s&client_ip_address=%s HTTP/1.1\r\n"
               "Host: localhost\r\n\r\n" % (ERIDANUS, UK)).encode())
    t0 = time.monotonic()
    try:
        rec = None
        while time.monotonic() - t0 < 20:
            recs = stand_in(SODA, "/_requests")
            if recs and recs[0]["complete"] is not None:
                rec = recs[0]
                break
            time.sleep(0.2)
        took = time.monotonic() - t0
    finally:
        s.close()
    assert rec is not None and rec["complete"] is False
    assert rec["sent"] < size // 4
    assert took < 10, took


@pytest.mark.parametrize("fmt", ["text/xml;charset=UTF-16",
                                 "application/x-votable+xml;serialization=BINARY2",
                                 "application/x-votable+xml;x=<script>"])
def test_responseformat_never_mislabels(fmt):
    r = request("/links", {"ID": ERIDANUS, "RESPONSEFORMAT": fmt})
    assert r.status == 400 and "UsageFault: RESPONSEFORMAT" in r.text
    r = request("/scs", {"RA": 1, "DEC": 1, "SR": 0.1, "RESPONSEFORMAT": fmt})
    assert "RESPONSEFORMAT" in r.text and fmt not in r.headers["Content-Type"]
    r = request("/links", {"ID": ERIDANUS, "RESPONSEFORMAT": "text/xml"})
    assert r.status == 200
    assert r.headers["Content-Type"] == "text/xml;charset=UTF-8"


@pytest.mark.parametrize("path, public", [
    ("/links-2023/capabilities", "https://ivoa.example.org/links"),
    ("/soda-redirect/capabilities", "https://ivoa.example.org/soda")])
def test_capabilities_do_not_reflect_the_host_header(path, public):
    # With [links] / [soda] public_url set, a forged Host changes nothing.
    r = request(path, headers={"Host": "evil.example"})
    assert r.status == 200
    assert public + "/capabilities" in r.text
    assert "evil.example" not in r.text
