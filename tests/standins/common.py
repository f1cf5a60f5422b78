"""Shared code of the stand-in servers in tests/standins.

Every stand-in is a small HTTP/1.1 server (ThreadingHTTPServer, keep-alive,
Content-Length on every answer) that reads fixture.json and speaks one
external API as shared/specs/wire-formats.md describes it ("§n" below refers
to that document).  This module holds what they share:

  * the fixture and the views derived from it: site tree (§2.3), geolocation
    of client addresses (§4), DIDs, their files and their PFNs (§1.3);
  * HS256 JWTs, issued by oauth2.py and checked by the others;
  * the server skeleton: routing, the control knobs (POST /_control), the
    request statistics (GET /_stats) and the command line.
"""
import argparse
import base64
import copy
import hashlib
import hmac
import ipaddress
import json
import math
import os
import random
import re
import sys
import threading
import time
import traceback
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(HERE, "fixture.json")

# --------------------------------------------------------------------------
# Fixture
# --------------------------------------------------------------------------

SODA_TYPES = ("soda_sync", "soda_async")


def load_fixture(path, soda_endpoint=None):
    """Read the fixture.  With soda_endpoint (a URL such as
    http://127.0.0.1:8123), every SODA service gets that scheme, host and
    port, keeping its path, so that tests can run a real SODA stand-in."""
    with open(path, encoding="utf-8") as f:
        fixture = json.load(f)
    if soda_endpoint:
        u = urllib.parse.urlsplit(soda_endpoint)
        for _, _, _, _, svc in iter_services(fixture["sites"]["nodes"]):
            if svc.get("type") in SODA_TYPES:
                svc.update(prefix=u.scheme, host=u.hostname, port=u.port)
    return fixture


# --------------------------------------------------------------------------
# Geography (§4)
# --------------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.009  # geopy's great_circle, as the prototype used


def great_circle_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.hypot(math.cos(p2) * math.sin(dl),
                   math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return EARTH_RADIUS_KM * math.atan2(y, x)


def geolocate(fixture, ip):
    """The fixture's GeoIP record for IP (most specific network), or None
    when the address is absent or not an address.  A record without
    "latitude" is present but unlocatable, as in GeoLite2-City."""
    try:
        addr = ipaddress.ip_address(str(ip).strip())
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    best = None
    for rec in fixture["geoip"]["networks"]:
        net = ipaddress.ip_network(rec["network"])
        if net.version == addr.version and addr in net:
            if best is None or net.prefixlen > best[0]:
                best = (net.prefixlen, rec)
    return best[1] if best else None


def located(fixture, ip):
    """(latitude, longitude) of IP, or None."""
    rec = geolocate(fixture, ip)
    if rec and rec.get("latitude") is not None:
        return rec["latitude"], rec["longitude"]
    return None


# --------------------------------------------------------------------------
# Site tree (§2.3): nodes > sites > storages > areas, sites > compute > services
# --------------------------------------------------------------------------

def _parse_time(text):
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def is_active(elem, now=None):
    """False when force-disabled or inside a downtime window (§2.3)."""
    if not isinstance(elem, dict):
        return True
    if elem.get("is_force_disabled"):
        return False
    now = now or datetime.now(timezone.utc)
    for d in elem.get("downtime") or []:
        start, _, end = d["date_range"].partition(" to ")
        if _parse_time(start) <= now <= _parse_time(end):
            return False
    return True


def _prune(obj, now):
    if isinstance(obj, dict):
        return {k: _prune(v, now) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_prune(v, now) for v in obj if is_active(v, now)]
    return obj


def site_nodes(fixture, include_inactive=False):
    """The nodes; by default without inactive elements, recursively, as
    SCAPI's include_inactive=false does (§2.3)."""
    nodes = fixture["sites"]["nodes"]
    if include_inactive:
        return copy.deepcopy(nodes)
    return _prune(nodes, datetime.now(timezone.utc))


def iter_sites(nodes):
    for node in nodes:
        for site in node.get("sites") or []:
            yield node, site


def iter_areas(nodes):
    for node, site in iter_sites(nodes):
        for storage in site.get("storages") or []:
            for area in storage.get("areas") or []:
                yield node, site, storage, area


def iter_services(nodes, scope="all"):
    """(scope, node, site, compute, service) for local and/or global services."""
    keys = {"local": ["associated_local_services"],
            "global": ["associated_global_services"]}.get(
        scope, ["associated_local_services", "associated_global_services"])
    for node, site in iter_sites(nodes):
        for compute in site.get("compute") or []:
            for key in keys:
                for svc in compute.get(key) or []:
                    yield key.split("_")[1], node, site, compute, svc


def rse_area(fixture, rse):
    """(site, area) of the first active storage area named RSE, or None.
    Names are not unique across sites (§2.3); the first one wins."""
    for _, site, _, area in iter_areas(site_nodes(fixture)):
        if area.get("name") == rse and area.get("type") == "rse":
            return site, area
    return None


def rse_location(fixture, rse):
    found = rse_area(fixture, rse)
    return (found[0]["latitude"], found[0]["longitude"]) if found else None


def colocated_services(fixture, area_id, types):
    """Active local services whose associated_storage_area_id is AREA_ID."""
    if not area_id:
        return []
    return [svc for scope, _, _, _, svc in iter_services(site_nodes(fixture), "local")
            if svc.get("associated_storage_area_id") == area_id
            and svc.get("type") in types]


# --------------------------------------------------------------------------
# DIDs, files and PFNs (§1.3)
# --------------------------------------------------------------------------

def did_index(fixture):
    index = fixture.get("_did_index")
    if index is None:
        index = {f'{d["scope"]}:{d["name"]}': d for d in fixture["rucio"]["dids"]}
        fixture["_did_index"] = index
    return index


def find_did(fixture, scope, name):
    return did_index(fixture).get(f"{scope}:{name}")


def resolve_files(fixture, did):
    """The FILE DIDs under DID, in order and without repeats."""
    if did["type"] == "FILE":
        return [did]
    out, seen = [], set()
    for key in did.get("contents", []):
        for f in resolve_files(fixture, did_index(fixture)[key]):
            if id(f) not in seen:
                seen.add(id(f))
                out.append(f)
    return out


def parents(fixture, key):
    """All ancestors of DID KEY as "scope:name" strings."""
    direct = [k for k, d in did_index(fixture).items() if key in d.get("contents", [])]
    out = []
    for k in direct:
        for p in [k] + parents(fixture, k):
            if p not in out:
                out.append(p)
    return out


def deterministic_path(scope, name):
    """Rucio's default ("hash") lfn2pfn: scope/h1/h2/name from
    md5("scope:name"), the dots of a user.* or group.* scope as '/'."""
    h = hashlib.md5(f"{scope}:{name}".encode()).hexdigest()
    if scope.startswith("user") or scope.startswith("group"):
        scope = scope.replace(".", "/")
    return f"{scope}/{h[0:2]}/{h[2:4]}/{name}"


def replica_pfns(fixture, did, replica, schemes=None, domains=("wan",)):
    """[(pfn, protocol)] of one replica, in the RSE's protocol priority order."""
    rse = fixture["rucio"]["rses"][replica["rse"]]
    path = (deterministic_path(did["scope"], did["name"]) if rse["deterministic"]
            else replica["path"].lstrip("/"))
    out = []
    for p in sorted(rse["protocols"], key=lambda p: p["priority"]):
        if schemes is not None and p["scheme"] not in schemes:
            continue
        if p.get("domain", "wan") not in domains:
            continue
        prefix = "/" + p["prefix"].strip("/") + "/" if p["prefix"].strip("/") else "/"
        port = f':{p["port"]}' if p.get("port") else ""
        out.append((f'{p["scheme"]}://{p["hostname"]}{port}{prefix}{path}', p))
    return out


def did_column_row(fixture, did):
    """The DID_COLUMN answer: the DID table row (§1.4)."""
    files = resolve_files(fixture, did)
    is_file = did["type"] == "FILE"
    return {"scope": did["scope"], "name": did["name"], "account": did["account"],
            "did_type": did["type"], "is_open": None if is_file else did.get("is_open", False),
            "monotonic": False, "hidden": False, "obsolete": False, "complete": None,
            "availability": "AVAILABLE", "suppressed": False,
            "bytes": did["bytes"] if is_file else sum(f["bytes"] for f in files),
            "length": None if is_file else len(did["contents"]),
            "md5": did.get("md5"), "adler32": did.get("adler32"),
            "expired_at": None, "purge_replicas": True, "deleted_at": None, "events": None,
            "guid": None, "project": None, "datatype": None, "run_number": None,
            "stream_name": None, "prod_step": None, "version": None, "campaign": None,
            "task_id": None, "panda_id": None, "lumiblocknr": None, "provenance": None,
            "phys_group": None, "transient": False, "accessed_at": None, "closed_at": None,
            "eol_at": None, "is_archive": None, "constituent": None, "access_cnt": None,
            "created_at": did["created_at"], "updated_at": did["created_at"]}


# --------------------------------------------------------------------------
# HS256 JWTs (three base64url parts), issued by oauth2.py
# --------------------------------------------------------------------------

def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_encode(claims, key):
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "standin"}).encode())
    body = _b64(json.dumps(claims).encode())
    sig = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def jwt_decode(token, key, now=None):
    """The claims of a valid, unexpired token, or None."""
    try:
        head, body, sig = token.split(".")
        if json.loads(_unb64(head)).get("alg") != "HS256":
            return None
        want = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(want, _unb64(sig)):
            return None
        claims = json.loads(_unb64(body))
    except (ValueError, TypeError):
        return None
    now = now or time.time()
    if claims.get("exp", 0) <= now or claims.get("nbf", 0) > now:
        return None
    return claims


def jwt_audiences(claims):
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else list(aud or [])


def fixture_jwt(fixture, token):
    return jwt_decode(token, fixture["oauth2"]["signing_key"])


# --------------------------------------------------------------------------
# Server skeleton
# --------------------------------------------------------------------------

BASE_KNOBS = {
    "delay_ms": 0,        # sleep before every answer
    "fail": None,         # "down" | "malformed" | "401_once" | an HTTP status
    "times": None,        # apply "fail" to this many requests only
    "routes": None,       # apply "fail" only to these route labels
    "idle_timeout_s": 30,  # close idle keep-alive connections after this
}
FAIL_WORDS = ("down", "malformed", "401_once")


class Route:
    """METHOD and a regular expression over the path (without query).
    auth: whether the route needs credentials; a callable receives the
    handler and decides at request time."""

    def __init__(self, method, pattern, func, label, auth=False):
        self.method, self.func, self.label, self.auth = method, func, label, auth
        self.regex = re.compile(pattern)

    def needs_auth(self, handler):
        return self.auth(handler) if callable(self.auth) else self.auth


class App:
    """State shared by the handler threads of one server."""

    def __init__(self, fixture, args, extra_knobs):
        self.fixture, self.args = fixture, args
        self.lock = threading.Lock()
        self.defaults = dict(BASE_KNOBS, **extra_knobs)
        self.knobs = dict(self.defaults)
        self.state = {}
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"total": 0, "routes": {}, "last": None, "last_by_route": {}}

    def record(self, label, entry):
        with self.lock:
            self.stats["total"] += 1
            self.stats["routes"][label] = self.stats["routes"].get(label, 0) + 1
            self.stats["last"] = entry
            self.stats["last_by_route"][label] = entry

    def take_fail(self, label, auth):
        """The failure to inject into this request, if any (consumes it)."""
        with self.lock:
            k = self.knobs
            fail = k["fail"]
            if fail is None or (k["routes"] and label not in k["routes"]):
                return None
            if fail == "401_once":
                if not auth:
                    return None
                k["fail"] = None
                return fail
            if k["times"] is not None:
                k["times"] -= 1
                if k["times"] <= 0:
                    k["fail"], k["times"] = None, None
            return fail

    def control(self, body):
        """Apply a POST /_control body; returns an error text or None."""
        if not isinstance(body, dict):
            return "body must be a JSON object"
        with self.lock:
            if body.get("reset"):
                self.knobs = dict(self.defaults)
            if body.get("reset_stats"):
                self.reset_stats()
            for key, value in body.items():
                if key in ("reset", "reset_stats"):
                    continue
                if key not in self.defaults:
                    return f"unknown knob {key!r}; known: {sorted(self.defaults)}"
                if key == "fail" and value is not None:
                    value = str(value)
                    if value not in FAIL_WORDS and not re.fullmatch(r"[45]\d\d", value):
                        return f"fail must be null, one of {FAIL_WORDS} or an HTTP status"
                self.knobs[key] = value
        return None


class StandinHandler(BaseHTTPRequestHandler):
    """Base handler: subclasses set `routes`, `extra_knobs` and the error
    hooks (error_status, unauthorized, malformed, not_found,
    method_not_allowed, authenticate)."""

    protocol_version = "HTTP/1.1"
    server_version = "standin/1"
    sys_version = ""
    routes = []
    extra_knobs = {}

    # ---- plumbing ------------------------------------------------------
    @property
    def app(self):
        return self.server.app

    @property
    def fixture(self):
        return self.server.app.fixture

    def setup(self):
        self.timeout = self.server.app.knobs["idle_timeout_s"]
        super().setup()

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.app.args.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_OPTIONS(self):
        self._dispatch("OPTIONS")

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def param(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def csv_param(self, name):
        value = self.param(name)
        return [v.strip() for v in value.split(",") if v.strip()] if value else None

    # ---- answers -------------------------------------------------------
    def reply(self, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in (headers.items() if isinstance(headers, dict) else headers):
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_chunked(self, status, chunks, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for c in chunks:
            c = c.encode() if isinstance(c, str) else c
            if c:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
        self.wfile.write(b"0\r\n\r\n")

    # Default hooks: FastAPI style {"detail": ...} (§2.3, §3.2).
    def error_status(self, status):
        self.reply(status, {"detail": f"General error occurred: injected {status}"})

    def unauthorized(self):
        self.reply(401, {"detail": "Not authenticated"}, headers={"WWW-Authenticate": "Bearer"})

    def malformed(self):
        self.reply(200, b'{"detail": [{"truncated', "application/json")

    def not_found(self):
        self.reply(404, {"detail": "Not Found"})

    def method_not_allowed(self):
        self.reply(405, {"detail": "Method Not Allowed"})

    def authenticate(self):
        return True

    def handle_exception(self, exc):
        """Answer for an exception a route raised on purpose; False if none."""
        return False

    # ---- dispatch ------------------------------------------------------
    def _match(self, method, path):
        other = False
        for route in self.routes:
            m = route.regex.fullmatch(path)
            if m:
                if route.method == method:
                    return route, m, other
                other = True
        return None, None, other

    def _dispatch(self, method):
        split = urllib.parse.urlsplit(self.path)
        self.raw_path = split.path
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.body = self._read_body()
        if self.raw_path in ("/_control", "/_stats"):
            return self._control(method)
        path, prefix = self.raw_path, self.app.args.prefix.rstrip("/")
        if prefix:
            path = path[len(prefix):] if path.startswith(prefix + "/") else None
        self.route, match, other = self._match(method, path) if path else (None, None, False)
        label = self.route.label if self.route else "unmatched"
        headers = {}
        for k, v in self.headers.items():
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        self.app.record(label, {"method": method, "path": self.raw_path, "query": split.query,
                                "headers": headers,
                                "body": self.body[:65536].decode("utf-8", "replace")})
        try:
            if self._inject(label):
                return
            if self.route is None:
                return self.method_not_allowed() if other else self.not_found()
            if self.route.needs_auth(self) and not self.authenticate():
                return
            getattr(self, self.route.func)(**match.groupdict())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:
            if not self.handle_exception(e):  # a bug in a stand-in: say so loudly
                traceback.print_exc()
                self.reply(500, "Internal Server Error", "text/plain")

    def _inject(self, label):
        delay = self.app.knobs["delay_ms"]
        routes = self.app.knobs["routes"]
        if delay and (not routes or label in routes):
            time.sleep(float(delay) / 1000.0)
        auth = bool(self.route and self.route.needs_auth(self))
        fail = self.app.take_fail(label, auth)
        if fail is None:
            return False
        if fail == "down":
            self.close_connection = True
        elif fail == "malformed":
            self.malformed()
        elif fail == "401_once":
            self.unauthorized()
        else:
            self.error_status(int(fail))
        return True

    def _control(self, method):
        if method == "GET" and self.raw_path == "/_stats":
            with self.app.lock:
                return self.reply(200, self.app.stats)
        if self.raw_path == "/_control" and method in ("GET", "POST"):
            if method == "POST":
                try:
                    body = json.loads(self.body or b"{}")
                except ValueError:
                    return self.reply(400, {"error": "body is not JSON"})
                err = self.app.control(body)
                if err:
                    return self.reply(400, {"error": err})
            with self.app.lock:
                return self.reply(200, self.app.knobs)
        self.reply(405, {"error": "use GET /_stats, GET or POST /_control"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def serve(handler_cls, description, add_args=None):
    """Parse the command line, listen on 127.0.0.1 and print "ready PORT"."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--fixture", default=DEFAULT_FIXTURE)
    ap.add_argument("--prefix", default="", help="serve the API under this path prefix")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    if add_args:
        add_args(ap)
    args = ap.parse_args()
    fixture = load_fixture(args.fixture, getattr(args, "soda_endpoint", None))
    server = _Server(("127.0.0.1", args.port), handler_cls)
    server.app = App(fixture, args, handler_cls.extra_knobs)
    print(f"ready {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def shuffled(items):
    items = list(items)
    random.shuffle(items)
    return items
