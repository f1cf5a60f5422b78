"""nginx in front of the programs: the production site as shipped, and the
per-client limits in the local stack.

The production site (nginx/rucio-ivoa.conf and the files it includes) runs
on a second nginx of its own, on two free loopback ports, in front of the
stack's programs.  The real files are used; site_config() rewrites only what
cannot be the same here:

  listen 80 / 443                   127.0.0.1 and the two free ports (the
                                    [::] lines go: loopback only)
  the certificate and its key       the stack's self-signed pair
  /etc/nginx/rucio-ivoa/            this checkout's nginx/ folder
  unix:/run/rucio-ivoa/NAME-N.sock  the stack's NAME.sock

and the main file around it sets what a distribution's nginx.conf would
(pid, logs, temporary folders, the user).  Everything else, server_name
ivoa.example.org included, is production's.  Clients reach that nginx as
ivoa.example.org (Host header and TLS server name) on 127.0.0.1, and stand
for different clients with X-Forwarded-For, which trusted-proxies.conf
believes from 127.0.0.1.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import STATE, TOP, Reply, control, request, stand_in

NAME = "ivoa.example.org"
SODA = os.environ["RIF_SODA"]
RUCIO = os.environ["RIF_RUCIO"]
UK = "130.246.210.120"
ERIDANUS = ("sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-"
            "574594-imagecube-42178.fits")
CUTOUT = ("/soda/sync?ID=%s&CIRCLE=10+20+0.5&client_ip_address=%s"
          % (ERIDANUS, UK))
LINKS = "/links?ID=testing:PTF10tce.fits&client_ip_address=" + UK
HSTS = "max-age=31536000"
SITE_DIR = os.path.join(STATE, "nginx-site")

# TLS as a client of NAME: the stack's certificate (issued to localhost) is
# trusted, its name is not checked.
CTX = ssl.create_default_context(
    cafile=os.path.join(STATE, "tls", "server.crt"))
CTX.check_hostname = False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(http_port, https_port):
    """nginx/rucio-ivoa.conf with the rewrites of the module's docstring."""
    text = open(os.path.join(TOP, "nginx", "rucio-ivoa.conf")).read()
    text = re.sub(r"(?m)^\s*listen \[::\]:.*\n", "", text)
    for port, ours in ((80, http_port), (443, https_port)):
        text = re.sub(r"(?m)^(\s*listen) %d\b" % port,
                      r"\1 127.0.0.1:%d" % ours, text)
    text = re.sub(r"(?m)^(\s*ssl_certificate)\s+\S+;",
                  r"\1 %s/tls/server.crt;" % STATE, text)
    text = re.sub(r"(?m)^(\s*ssl_certificate_key)\s+\S+;",
                  r"\1 %s/tls/server.key;" % STATE, text)
    text = text.replace("/etc/nginx/rucio-ivoa/", SITE_DIR + "/rucio-ivoa/")
    text = re.sub(r"unix:/run/rucio-ivoa/([a-z]+)-\d+\.sock",
                  r"unix:%s/\1.sock" % STATE, text)
    # Nothing may be left pointing at the production machine.
    live = "\n".join(l.split("#")[0] for l in text.splitlines())
    assert "/etc/" not in live and "/run/" not in live, live
    assert re.findall(r"listen (?!127\.0\.0\.1:)", live) == [], live
    return text


MAIN = """{user}
worker_processes  1;
pid               {d}/nginx.pid;
error_log         {d}/error.log warn;
events {{
    worker_connections  256;
}}
http {{
    access_log             {d}/access.log;
    client_body_temp_path  {d}/body;
    fastcgi_temp_path      {d}/fastcgi;
    proxy_temp_path        {d}/proxy;
    uwsgi_temp_path        {d}/uwsgi;
    scgi_temp_path         {d}/scgi;
    include                {d}/rucio-ivoa.conf;
}}
"""


class Site:
    def __init__(self):
        self.http_port, self.https_port = free_port(), free_port()
        shutil.rmtree(SITE_DIR, ignore_errors=True)
        os.makedirs(SITE_DIR)
        os.chmod(SITE_DIR, 0o755)   # the workers (nobody, as root) pass through
        os.symlink(os.path.join(TOP, "nginx"),
                   os.path.join(SITE_DIR, "rucio-ivoa"))
        with open(os.path.join(SITE_DIR, "rucio-ivoa.conf"), "w") as f:
            f.write(site_config(self.http_port, self.https_port))
        # As tools/stack.sh runs nginx: as root, workers are nobody.
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        self.conf = os.path.join(SITE_DIR, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(MAIN.format(user=user, d=SITE_DIR))
        self.pid = None

    def nginx(self, *args):
        # nginx's own prefix, as in production (its default root is there);
        # the files named without a path are found beside self.conf.
        return subprocess.run(["nginx", "-c", self.conf] + list(args),
                              capture_output=True, text=True, timeout=30)

    def start(self):
        p = self.nginx()
        assert p.returncode == 0, p.stderr
        for _ in range(50):
            try:
                self.pid = int(open(os.path.join(SITE_DIR, "nginx.pid")).read())
                break
            except (OSError, ValueError):
                time.sleep(0.1)
        assert self.pid, "nginx wrote no pid file"

    def stop(self):
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(50):
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.kill(self.pid, signal.SIGKILL)

    def error_log(self):
        return open(os.path.join(SITE_DIR, "error.log")).read()

    def ask(self, path, tls=True, host=NAME, sni=NAME, client=None,
            method="GET", headers=None, target=None):
        """One request as a client of NAME (from address CLIENT when
        given); None when nginx closes the connection without answering."""
        port = self.https_port if tls else self.http_port
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        try:
            if tls:
                sock = CTX.wrap_socket(sock, server_hostname=sni)
            lines = ["%s %s HTTP/1.1" % (method, target or path),
                     "Host: " + host, "Connection: close"]
            if client:
                lines.append("X-Forwarded-For: " + client)
            lines += ["%s: %s" % kv for kv in (headers or {}).items()]
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            resp = http.client.HTTPResponse(sock)
            try:
                resp.begin()
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    ssl.SSLEOFError):
                return None
            return Reply(resp.status, resp.headers, resp.read())
        finally:
            sock.close()


@pytest.fixture(scope="module")
def site():
    s = Site()
    try:
        s.start()
        yield s
    finally:
        s.stop()


@pytest.fixture
def standins():
    for base in (RUCIO, SODA):
        control(base, reset=True)
    yield
    for base in (RUCIO, SODA):
        control(base, reset=True)


# --- The site as written ----------------------------------------------------

def test_production_site_passes_nginx_t(site):
    p = site.nginx("-t")
    assert p.returncode == 0, p.stderr
    assert "[warn]" not in p.stderr and "[emerg]" not in p.stderr, p.stderr


def test_configured_name_is_served(site):
    r = site.ask("/scs/availability")
    assert r.status == 200 and "<vosi:available>true" in r.text
    # The programs build their URLs from the one name that gets through.
    r = site.ask("/scs/capabilities")
    assert "https://%s/scs?</accessURL>" % NAME in r.text


@pytest.mark.parametrize("tls,host,target", [
    (False, "evil.example", None),
    (False, "127.0.0.1", None),
    (False, NAME, "http://evil.example/scs/availability"),
    (True, "evil.example", None),
    (True, "127.0.0.1", None),
    (True, NAME, "https://evil.example/scs/availability"),
])
def test_unknown_host_gets_no_answer(site, tls, host, target):
    r = site.ask("/scs/availability", tls=tls, host=host, target=target)
    assert r is None


def test_empty_host_is_a_bad_request(site):
    # Refused while the request is read, before any server is chosen.
    r = site.ask("/scs/availability", tls=False, host="")
    assert r.status == 400 and r.headers["Server"] == "nginx"


@pytest.mark.parametrize("sni", ["evil.example", None])
def test_tls_to_an_unknown_name_is_refused_in_the_handshake(site, sni):
    with pytest.raises(ssl.SSLError):
        site.ask("/scs/availability", sni=sni)


def test_plain_http_redirects_to_the_configured_name(site):
    r = site.ask("/scs?RA=1&DEC=2&SR=0.1", tls=False)
    assert r.status == 301
    assert r.headers["Location"] == "https://%s/scs?RA=1&DEC=2&SR=0.1" % NAME
    # Not over plain HTTP (RFC 6797 §7.2).
    assert "Strict-Transport-Security" not in r.headers
    # A forged Host gets no answer at all (above); were the default server
    # ever left out, the redirect would still name this site, never the
    # client's Host.
    conf = open(os.path.join(TOP, "nginx", "rucio-ivoa.conf")).read()
    redirect = re.search(r"(?m)^\s*return 301 (\S+);", conf)
    assert redirect.group(1) == "https://$server_name$request_uri"


def https_answers(site):
    """One answer of each kind the HTTPS server gives: the programs' (200,
    their own errors) in every location, and nginx's own."""
    return {
        "scs": site.ask("/scs/availability"),
        "scs error document": site.ask("/scs?RA=x"),
        "links": site.ask("/links/availability"),
        "links error document": site.ask("/links"),
        "soda": site.ask("/soda/availability"),
        "soda error": site.ask("/soda/sync"),
        "unmapped": site.ask("/"),
        "too large": site.ask("/scs", method="POST",
                              headers={"Content-Length": "2000000"}),
        "bad request": site.ask("/scs/availability",
                                headers={"Content-Length": "x"}),
    }


def test_server_header_has_no_version(site):
    answers = https_answers(site)
    answers["redirect"] = site.ask("/scs", tls=False)
    for what, r in answers.items():
        assert r.headers["Server"] == "nginx", what
        assert "nginx/" not in r.text, what


def test_hsts_and_nosniff_on_every_https_answer(site):
    answers = https_answers(site)
    assert [r.status for r in answers.values()] == [
        200, 200, 200, 200, 200, 400, 404, 413, 400]
    # The welcome page of nginx's default root is not served either.
    assert "Welcome to nginx" not in answers["unmapped"].text
    for what, r in answers.items():
        assert r.headers["Strict-Transport-Security"] == HSTS, what
        assert r.headers["X-Content-Type-Options"] == "nosniff", what
        assert "Retry-After" not in r.headers, what


def test_relayed_cutout_is_not_sniffed(site, standins):
    r = site.ask(CUTOUT)
    assert r.status == 200 and r.body.startswith(b"SIMPLE  =")
    assert r.headers["Content-Type"] == "application/fits"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Strict-Transport-Security"] == HSTS


# --- Per-client limits --------------------------------------------------------

def scs_refusal(r):
    assert r.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert '<INFO name="QUERY_STATUS" value="ERROR">Too many requests' in r.text
    r.votable()   # strict: a clean VOTable


def links_refusal(r):
    assert r.headers["Content-Type"] == "application/x-votable+xml"
    assert ('<INFO name="QUERY_STATUS" value="ERROR">TransientFault: too many '
            'requests') in r.text
    r.votable()


def soda_refusal(r):
    assert r.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert r.text.startswith("ServiceUnavailable: too many requests")


def assert_refused(r, document, site=None):
    assert r is not None and r.status == 429
    assert r.headers["Retry-After"] == "1"
    document(r)
    if site:   # the production site's headers come with it
        assert r.headers["Strict-Transport-Security"] == HSTS
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def burst_until_refused(ask, most):
    """Ask at once, one after the other, until refused; the refusal."""
    for _ in range(most):
        r = ask()
        if r.status != 200:
            return r
    pytest.fail("%d requests in a row were all served" % most)


# endpoint, a quick path on it, rate per second, burst, refusal document
RATES = [("scs", "/scs/availability", 20, 40, scs_refusal),
         ("links", "/links/ping", 10, 20, links_refusal),
         ("soda", "/soda/ping", 2, 10, soda_refusal)]


@pytest.mark.parametrize("n", range(len(RATES)), ids=[r[0] for r in RATES])
def test_request_rate_is_limited_per_client(site, n):
    name, path, rate, burst, document = RATES[n]
    greedy, other = "192.0.2.%d" % (10 + n), "192.0.2.%d" % (20 + n)
    r = burst_until_refused(lambda: site.ask(path, client=greedy), burst + 100)
    assert_refused(r, document, site)
    assert ('by zone "rucio_ivoa_%s_req", client: %s' % (name, greedy)
            in site.error_log())
    # Others are served meanwhile, and the client itself once its rate is
    # back under the limit.
    assert site.ask(path, client=other).status == 200
    time.sleep(1.0 / rate + 0.3)
    assert site.ask(path, client=greedy).status == 200


# endpoint, a request held by its stand-in, the stand-in, the route that
# holds it, most in flight, refusal document
FLIGHTS = [("links", LINKS, RUCIO, "POST /replicas/list", 4, links_refusal),
           ("soda", CUTOUT, SODA, "/soda/ska/datasets/soda", 2, soda_refusal)]


@pytest.mark.parametrize("n", range(len(FLIGHTS)), ids=[f[0] for f in FLIGHTS])
def test_requests_in_flight_are_limited_per_client(site, standins, n):
    name, path, standin, route, most, document = FLIGHTS[n]
    greedy, other = "198.51.100.%d" % (10 + n), "198.51.100.%d" % (20 + n)
    control(standin, delay_ms=1500, routes=[route], reset_stats=True)
    held = []

    def hold():
        held.append(site.ask(path, client=greedy))

    threads = [threading.Thread(target=hold) for _ in range(most)]
    for t in threads:
        t.start()
    try:
        # Wait until all of them are past nginx, held by the stand-in.
        for _ in range(100):
            if stand_in(standin, "/_stats")["routes"].get(route) == most:
                break
            time.sleep(0.02)
        t0 = time.monotonic()
        r = site.ask(path, client=greedy)
        assert time.monotonic() - t0 < 1.0, "refused at once, not held"
        assert_refused(r, document, site)
        assert ('limiting connections by zone "rucio_ivoa_%s_conn", client: %s'
                % (name, greedy)) in site.error_log()
        # Another client is served while those are in flight.
        assert site.ask(path, client=other).status == 200
    finally:
        for t in threads:
            t.join(timeout=30)
    assert [r.status for r in held] == [200] * most
    assert site.ask(path, client=greedy).status == 200


def test_stack_limits_forwarded_clients_not_itself():
    """local.conf.in: the same zones, but 127.0.0.1 itself is never counted
    (the other tests and the benchmarks send from it)."""
    for _ in range(30):
        assert request("/soda/ping").status == 200
    greedy = {"X-Forwarded-For": "203.0.113.77"}
    r = burst_until_refused(lambda: request("/soda/ping", headers=greedy), 110)
    assert_refused(r, soda_refusal)
    assert request("/soda/ping").status == 200
    other = {"X-Forwarded-For": "203.0.113.78"}
    assert request("/soda/ping", headers=other).status == 200
