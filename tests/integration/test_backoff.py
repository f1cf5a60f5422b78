"""The back-off after failed upstream fetches: while the site directory or
the OAuth2 token endpoint keeps failing, links.fcgi answers at once with a
TransientFault instead of asking the upstream (and waiting out its
timeout) on every request.

Each test restarts the program it uses, so that it starts without a site
table or a token, and restarts it again at the end so that later tests do
not inherit a back-off."""
import math
import os
import subprocess
import time

import pytest

from conftest import TOP, control, request, stand_in

SITES = os.environ["RIF_SITES"]
OAUTH2 = "http://127.0.0.1:%d" % (int(os.environ["STANDIN_PORT"]) + 3)
UK = "130.246.210.120"
ERIDANUS = ("sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-"
            "574594-imagecube-42178.fits")
# The [http] timeout of the stack's programs is 10 s; /links-2023 has a
# [links] request_timeout of 3 s, which ends the first request before it.
PAST_THE_TIMEOUT_MS = 12000
REQUEST_TIMEOUT_S = 3


def restart(name, config, workers):
    """Start program NAME afresh, as tools/stack.sh lays it out."""
    subprocess.run([os.path.join(TOP, "tools", "stack.sh"), "program", name,
                    "links", config, str(workers)], check=True, timeout=60)


def at_most(workers, elapsed):
    """Upstream calls a back-off of 1 s, doubling, allows in ELAPSED s."""
    return workers * (2 + math.log2(1 + elapsed))


@pytest.fixture
def sites_failing():
    control(SITES, reset_stats=True)
    yield
    control(SITES, fail=None, delay_ms=0, times=None, routes=None)
    restart("links-2023", "rucio-ivoa-2023.ini", 1)


@pytest.fixture
def token_endpoint_failing():
    control(OAUTH2, reset_stats=True)
    yield
    control(OAUTH2, fail=None, delay_ms=0, times=None, routes=None)
    restart("links-dm", "rucio-ivoa-dm.ini", 2)


def ask(path, n):
    """N requests for the Eridanus cube; their replies and the time taken."""
    start = time.monotonic()
    replies = [request(path, {"ID": ERIDANUS, "client_ip_address": UK})
               for _ in range(n)]
    return replies, time.monotonic() - start


def transient(reply):
    return reply.status == 503 and "TransientFault" in reply.text


def test_site_directory_never_answered(sites_failing):
    control(SITES, fail="down")
    restart("links-2023", "rucio-ivoa-2023.ini", 1)
    replies, elapsed = ask("/links-2023", 30)
    assert all(transient(r) for r in replies)
    asked = stand_in(SITES, "/_stats")["total"]
    assert 1 <= asked <= at_most(1, elapsed), (asked, elapsed)
    # Back: answered again once the wait is over (at most 2 s here).
    control(SITES, fail=None)
    time.sleep(2.1)
    reply = request("/links-2023", {"ID": ERIDANUS, "client_ip_address": UK})
    assert reply.status == 200 and b"RSE STFC_STORM, 0 km" in reply.body


def test_site_directory_slow_past_the_timeout(sites_failing):
    control(SITES, delay_ms=PAST_THE_TIMEOUT_MS)
    restart("links-2023", "rucio-ivoa-2023.ini", 1)
    replies, elapsed = ask("/links-2023", 1)
    # The request's deadline, not the upstream's timeout, ends the wait.
    assert transient(replies[0])
    assert REQUEST_TIMEOUT_S - 0.5 <= elapsed < REQUEST_TIMEOUT_S + 2
    # Within the first second of the back-off: no wait, no call.
    failed = time.monotonic()
    while True:
        replies, elapsed = ask("/links-2023", 1)
        assert transient(replies[0]) and elapsed < 1
        if time.monotonic() - failed > 0.6:
            break
    assert stand_in(SITES, "/_stats")["total"] == 1


def test_token_endpoint_down(token_endpoint_failing):
    control(OAUTH2, fail="down")
    restart("links-dm", "rucio-ivoa-dm.ini", 2)
    replies, elapsed = ask("/links-dm", 30)
    assert all(transient(r) for r in replies)
    asked = stand_in(OAUTH2, "/_stats")["total"]
    assert 1 <= asked <= at_most(2, elapsed), (asked, elapsed)
