#!/usr/bin/python3
"""Stand-in for a site's SODA 1.0 sync service (ivoa.md §5), the kind that
the sites' SCAPI records of type soda_sync point at (wire-formats.md §2.3).

Routes (under --prefix, if given): GET and POST on the path of every
soda_sync service in the fixture, today /soda/ska/datasets/soda (ESPSRC) and
/soda/sync (the others).  Each path is a route label of its own, so the
"routes" knob can fail one path and leave the other working.

Request (ivoa.md §5.2 and §2.1): parameter names in any case, from
the query string and, for POST, an application/x-www-form-urlencoded body.
  ID        exactly once: ivo://{authority}?{scope}/{h1}/{h2}/{name} (h1/h2
            from md5("scope:name") as Rucio's lfn2pfn, name without '/'),
            ivo://{authority}?{scope}:{name}, or scope:name.  The DID must be
            a file of the fixture, else 404.
  POS       CIRCLE lon lat r | RANGE lon1 lon2 lat1 lat2 | POLYGON lon lat ...
  CIRCLE    lon lat r        POLYGON  lon lat lon lat lon lat ...
  BAND      lo hi            TIME     lo hi (infinite bounds allowed)
  POL       I Q U V RR LL RL LR XX YY XY YX POLI POLA, repeatable
Lon in [0, 360], lat in [-90, 90], radius in (0, 180], as fcgi/soda/soda_params.c
checks them.  Unknown parameters are ignored.  Errors (§5.3) are text/plain
documents that start with the label: 400 UsageError, 400
MultiValuedParamNotSupported, 404 UsageError for an unknown ID.

Answer: 200 application/fits, a deterministic FITS stream (fits_bytes) of
the size set by the "size" knob, with Content-Disposition inline and a
"<name>_cutout.fits" file name; 204 with the "empty" knob.

Extra knobs: "size", "sizes" (a size per DID name), "chunked", "drop_after", "stall_after", "empty",
"error_body", "rate" (see README.md).  GET /_requests lists the last 100 SODA requests
with their parameters, all their headers, and how much of the answer went
out ("sent", "complete").
"""
import collections
import hashlib
import json
import math
import re
import socket
import time
import urllib.parse

import common
from common import Route

FITS_BLOCK = 2880
DEFAULT_SIZE = 1048576
PERIOD = 251                      # data byte i is i % PERIOD
CHUNK = PERIOD * 4096             # largest piece written at once (~1 MB)
# One period-aligned block, one period longer than CHUNK, so that a piece
# of up to CHUNK bytes starting at any data offset is a single slice.
_DATA = memoryview(bytes(range(PERIOD)) * (CHUNK // PERIOD + 1))
RECORDS_KEPT = 100
POL_STATES = ("I", "Q", "U", "V", "RR", "LL", "RL", "LR", "XX", "YY", "XY", "YX", "POLI", "POLA")
SINGLE = ("ID", "POS", "CIRCLE", "POLYGON", "BAND", "TIME")  # POL may repeat (§5.2)
TEXT = "text/plain;charset=UTF-8"
SCOPE_RE = re.compile(r"[A-Za-z0-9_.\-]+")  # Rucio's default scope pattern
NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
INF_RE = re.compile(r"[+-]?inf(?:inity)?", re.IGNORECASE)
# Labels of the injected error documents (§5.3)
FAIL_LABELS = {401: "AuthenticationError", 403: "AuthorizationError", 429: "ServiceUnavailable",
               502: "ServiceUnavailable", 503: "ServiceUnavailable", 504: "ServiceUnavailable"}


# --------------------------------------------------------------------------
# The FITS stream
# --------------------------------------------------------------------------

def fits_size(size):
    """SIZE rounded up to whole 2880-byte FITS blocks, at least two (the
    header and one data block)."""
    size = max(int(size), 2 * FITS_BLOCK)
    return -(-size // FITS_BLOCK) * FITS_BLOCK


def _card(key, value=None, comment=None):
    text = key.ljust(8)
    if value is not None:
        text += "= " + value
    if comment:
        text += " / " + comment
    return text.ljust(80)[:80]


def fits_header(size):
    """The primary header of a stream of fits_size(SIZE) bytes: one block
    of 80-character cards, a one-dimensional array of unsigned bytes."""
    total = fits_size(size)
    cards = [_card("SIMPLE", "T".rjust(20), "conforms to FITS standard"),
             _card("BITPIX", "8".rjust(20), "unsigned bytes"),
             _card("NAXIS", "1".rjust(20), "one axis"),
             _card("NAXIS1", str(total - FITS_BLOCK).rjust(20), "data byte i is i mod 251"),
             _card("ORIGIN", "'rucio-ivoa stand-in'"),
             _card("COMMENT deterministic cutout of a SODA stand-in"),
             _card("END")]
    return "".join(cards).ljust(FITS_BLOCK).encode("ascii")


def fits_views(size, chunk=CHUNK, limit=None):
    """The stream of fits_size(SIZE) bytes as memoryview pieces of at most
    CHUNK bytes, the first LIMIT bytes only if LIMIT is given.  The data
    pieces are slices of one shared block: nothing is copied."""
    total = fits_size(size)
    end = total if limit is None else max(0, min(total, int(limit)))
    chunk = max(1, min(int(chunk), CHUNK))
    header = memoryview(fits_header(total))
    pos = 0
    while pos < end:
        n = min(chunk, end - pos)
        if pos < FITS_BLOCK:
            n = min(n, FITS_BLOCK - pos)
            yield header[pos:pos + n]
        else:
            start = (pos - FITS_BLOCK) % PERIOD
            yield _DATA[start:start + n]
        pos += n


def fits_bytes(size):
    """The stream of fits_size(SIZE) bytes as an iterator of bytes chunks."""
    return (bytes(v) for v in fits_views(size))


def fits_sha256(size):
    """Hex SHA-256 of the stream of fits_size(SIZE) bytes."""
    h = hashlib.sha256()
    for v in fits_views(size):
        h.update(v)
    return h.hexdigest()


# --------------------------------------------------------------------------
# Parameters (ivoa.md §5.2)
# --------------------------------------------------------------------------

class SodaError(Exception):
    """A SODA error document: status, label, message (§5.3)."""

    def __init__(self, status, label, message):
        super().__init__(message)
        self.status, self.label, self.message = status, label, message


def usage(param, reason, status=400):
    return SodaError(status, "UsageError", f"{param}: {reason}" if param else reason)


def soda_sync_paths(fixture):
    """The distinct paths of the fixture's soda_sync services, in order."""
    out = []
    for _, _, _, _, svc in common.iter_services(fixture["sites"]["nodes"]):
        path = svc.get("path") or "/"
        path = path if path.startswith("/") else "/" + path
        if svc.get("type") == "soda_sync" and path not in out:
            out.append(path)
    return out


def disposition(filename):
    """Content-Disposition inline, with RFC 6266's filename* beside an ASCII
    filename when the name is not ASCII (header values are Latin-1 at most)."""
    if filename.isascii():
        return f'inline; filename="{filename}"'
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                         for c in filename)
    return (f'inline; filename="{ascii_name}"; '
            f"filename*=UTF-8''{urllib.parse.quote(filename, safe='')}")


def parse_id(value):
    """(scope, name) of an ID in one of the three accepted forms."""
    forms = ("ivo://{authority}?{scope}/{h1}/{h2}/{name}, ivo://{authority}?{scope}:{name} "
             "or {scope}:{name}")
    did = value
    if value.startswith("ivo://"):
        authority, q, did = value[len("ivo://"):].partition("?")
        if not authority or not q or not did:
            raise usage("ID", f"{value!r} is not {forms}")
        head = did.split("/", 1)[0]
        if ":" not in head:
            # user.* and group.* scopes span several segments (lfn2pfn).
            parts = did.split("/")
            scope = ".".join(parts[:-3])
            if (len(parts) < 4 or not SCOPE_RE.fullmatch(scope) or not parts[-1] or
                    (len(parts) > 4 and not scope.startswith(("user", "group")))):
                raise usage("ID", f"{value!r} is not {forms}")
            name = parts[-1]
            want = common.deterministic_path(scope, name)
            if did != want:
                raise usage("ID", f"{did!r} does not match md5({scope}:{name}): want {want!r}")
            return scope, name
    scope, colon, name = did.partition(":")
    if not colon or not SCOPE_RE.fullmatch(scope) or not name or name.startswith("/"):
        raise usage("ID", f"{value!r} is not {forms}")
    return scope, name


def numbers(param, text, infinite=False):
    out = []
    for tok in text.split():
        if NUMBER_RE.fullmatch(tok):
            v = float(tok)
            if not math.isfinite(v):
                raise usage(param, f"{tok!r} is out of range")
        elif infinite and INF_RE.fullmatch(tok):
            v = float(tok)
        else:
            raise usage(param, f"{tok!r} is not a number")
        out.append(v)
    return out


def lonlat_ok(lon, lat):
    return 0 <= lon <= 360 and -90 <= lat <= 90


def check_circle(param, v):
    if len(v) != 3:
        raise usage(param, f"a circle is lon lat radius, got {len(v)} numbers")
    if not lonlat_ok(v[0], v[1]) or not 0 < v[2] <= 180:
        raise usage(param, "centre must be in [0, 360] x [-90, 90] and the radius in (0, 180] degrees")


def check_polygon(param, v):
    if len(v) < 6 or len(v) % 2:
        raise usage(param, f"a polygon is at least 3 lon lat pairs, got {len(v)} numbers")
    for i in range(0, len(v), 2):
        if not lonlat_ok(v[i], v[i + 1]):
            raise usage(param, f"vertex {i // 2 + 1} is outside [0, 360] x [-90, 90]")


def check_interval(param, v):
    if len(v) != 2:
        raise usage(param, f"an interval is two numbers, low high; got {len(v)}")
    if v[0] > v[1]:
        raise usage(param, "the low bound is above the high bound")


def check_range(v):
    if len(v) != 4:
        raise usage("POS", f"RANGE is lon1 lon2 lat1 lat2, got {len(v)} numbers")
    if v[0] > v[1] or v[2] > v[3]:
        raise usage("POS", "RANGE bounds must be low before high")
    if ((v[0] < 0 and not math.isinf(v[0])) or (v[1] > 360 and not math.isinf(v[1]))
            or (v[2] < -90 and not math.isinf(v[2])) or (v[3] > 90 and not math.isinf(v[3]))):
        raise usage("POS", "RANGE must lie within [0, 360] x [-90, 90]")


def check_value(param, value):
    """Raise a UsageError if VALUE is not a valid PARAM (upper case)."""
    if param == "POL":
        if value not in POL_STATES:
            raise usage("POL", f"{value!r} is not one of {' '.join(POL_STATES)}")
    elif param == "CIRCLE":
        check_circle(param, numbers(param, value))
    elif param == "POLYGON":
        check_polygon(param, numbers(param, value))
    elif param in ("BAND", "TIME"):
        check_interval(param, numbers(param, value, infinite=True))
    elif param == "POS":
        shape, _, rest = value.strip().partition(" ")
        shape = shape.upper()
        if shape == "CIRCLE":
            check_circle("POS", numbers("POS", rest))
        elif shape == "POLYGON":
            check_polygon("POS", numbers("POS", rest))
        elif shape == "RANGE":
            check_range(numbers("POS", rest, infinite=True))
        else:
            raise usage("POS", "must start with CIRCLE, RANGE or POLYGON")


def check_params(params):
    """(scope, name) of a valid request; PARAMS is [(name, value)] in order."""
    counts = collections.Counter(k.upper() for k, _ in params)
    if counts["ID"] > 1:
        raise SodaError(400, "MultiValuedParamNotSupported",
                        f"ID given {counts['ID']} times; one dataset per request")
    if counts["ID"] == 0:
        raise usage(None, "ID is required")
    for key in SINGLE:
        if counts[key] > 1:
            raise SodaError(400, "MultiValuedParamNotSupported",
                            f"{key} given {counts[key]} times; only POL may be repeated")
    scope, name = parse_id(next(v for k, v in params if k.upper() == "ID"))
    for key, value in params:
        check_value(key.upper(), value)
    return scope, name


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------

class SodaHandler(common.StandinHandler):
    server_version = "soda-standin/1"
    extra_knobs = {"size": DEFAULT_SIZE, "sizes": {}, "chunked": False, "drop_after": None,
                   "stall_after": None, "empty": False,
                   "error_body": "dali", "rate": None}
    soda = None  # this request's record and progress, for SODA routes only

    @property
    def routes(self):
        """One GET and one POST route per soda_sync path of the fixture.
        auth=True only so that the "401_once" knob applies: any token, or
        none, is accepted."""
        routes = self.app.state.get("routes")
        if routes is None:
            routes = [Route(method, re.escape(path), "cutout", path, auth=True)
                      for path in soda_sync_paths(self.fixture) for method in ("GET", "POST")]
            self.app.state["routes"] = routes
        return routes

    # ---- records (GET /_requests) --------------------------------------
    def records(self):
        with self.app.lock:
            return self.app.state.setdefault("requests", collections.deque(maxlen=RECORDS_KEPT))

    def handle_one_request(self):
        self.soda = None
        super().handle_one_request()

    def _dispatch(self, method):
        if urllib.parse.urlsplit(self.path).path == "/_requests":
            self.body = self._read_body()
            if method != "GET":
                return self.reply(405, {"error": "use GET /_requests"})
            records = self.records()
            with self.app.lock:
                return self.reply(200, list(records))
        try:
            super()._dispatch(method)
        finally:
            if self.soda is not None:
                self.end_record(self.soda["sent"], self.soda["complete"])

    def end_record(self, sent, complete):
        """Write the answer's outcome into its record.  An answer that can
        end well is recorded just before its last bytes go out: a client
        that has read the whole answer and asks /_requests at once must
        find the record final.  _dispatch records the truth once more at
        the end, which corrects it when that last write failed."""
        with self.app.lock:
            self.soda["record"].update(sent=sent, complete=complete)

    def _control(self, method):
        # Cleared before the answer goes out, as App.control clears /_stats.
        if method == "POST" and self.raw_path == "/_control":
            try:
                body = json.loads(self.body or b"{}")
            except ValueError:
                body = None
            if isinstance(body, dict) and body.get("reset_stats"):
                records = self.records()
                with self.app.lock:
                    records.clear()
        super()._control(method)

    def _inject(self, label):
        # Runs for every matched request before any failure is injected,
        # so that failed requests are recorded too.
        if self.route is not None and self.route.func == "cutout":
            self.open_record()
        return super()._inject(label)

    def open_record(self):
        params = urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        self.form_ok = self.command != "POST" or ctype in ("", "application/x-www-form-urlencoded")
        if self.command == "POST" and self.form_ok:
            params += urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        self.params = params
        record = {"method": self.command, "path": self.raw_path, "params": [list(p) for p in params],
                  "headers": [[k, v] for k, v in self.headers.items()],
                  "status": None, "sent": None, "complete": None}
        self.soda = {"record": record, "sent": 0, "complete": False}
        records = self.records()
        with self.app.lock:
            records.append(record)

    def send_response(self, code, message=None):
        if self.soda is not None:
            with self.app.lock:
                self.soda["record"]["status"] = code
        super().send_response(code, message)

    def reply(self, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if self.soda is not None:
            self.end_record(len(body), True)
        super().reply(status, body, content_type, headers)
        if self.soda is not None:
            self.soda.update(sent=len(body), complete=True)

    # ---- error documents (§5.3) ----------------------------------------
    def soda_error(self, status, label, message, headers=()):
        self.reply(status, f"{label}: {message}\n", TEXT, headers)

    def error_status(self, status):
        reason = self.responses.get(status, ("Error",))[0]
        if self.app.knobs["error_body"] == "html":
            page = (f"<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>\n"
                    f"<body><h1>{reason}</h1><p>The server is temporarily unable to service your "
                    f"request.</p><hr><address>stand-in front end</address></body></html>\n")
            return self.reply(status, page, "text/html;charset=UTF-8")
        label = FAIL_LABELS.get(status, "UsageError" if status < 500 else "Error")
        self.soda_error(status, label, f"injected failure ({status} {reason})")

    def unauthorized(self):
        self.soda_error(401, "AuthenticationError", "token expired",
                        {"WWW-Authenticate": 'Bearer realm="soda"'})

    def malformed(self):
        # Claims FITS but is a cut-off header: no END card, no data.
        self.reply(200, fits_header(0)[:200], "application/fits")

    def not_found(self):
        self.soda_error(404, "UsageError", f"no such resource: {self.raw_path}")

    def method_not_allowed(self):
        self.soda_error(405, "UsageError", "use GET or POST", {"Allow": "GET, POST"})

    def handle_exception(self, exc):
        if isinstance(exc, SodaError):
            self.soda_error(exc.status, exc.label, exc.message)
            return True
        return False

    # ---- the cutout ----------------------------------------------------
    def cutout(self):
        if not self.form_ok:
            raise usage(None, "a POST body must be application/x-www-form-urlencoded")
        scope, name = check_params(self.params)
        did = common.find_did(self.fixture, scope, name)
        if did is None:
            raise usage(None, f"no such dataset: {scope}:{name}", 404)
        if did["type"] != "FILE":
            raise usage(None, f"no such dataset: {scope}:{name} is a {did['type']}, not a file", 404)
        knobs = dict(self.app.knobs)
        if knobs["empty"]:  # §5.3: no pixels overlap
            self.send_response(204)
            self.end_record(0, True)
            self.end_headers()
            self.soda["complete"] = True
            return
        base = name.rsplit("/", 1)[-1]
        base = base[:-len(".fits")] if base.endswith(".fits") else base
        total = fits_size((knobs["sizes"] or {}).get(name, knobs["size"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/fits")
        self.send_header("Content-Disposition", disposition(f"{base}_cutout.fits"))
        if knobs["chunked"]:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        self.stream(total, knobs)

    def stream(self, total, knobs):
        """Write the body; stop quietly when the client goes away.  "sent"
        counts the body bytes the kernel took, so it is exact even when a
        piece was cut short."""
        rate = float(knobs["rate"]) if knobs["rate"] else None
        cut = knobs["stall_after"] if knobs["stall_after"] is not None else knobs["drop_after"]
        limit = None if cut is None else max(0, int(cut))
        chunk = CHUNK if rate is None else max(1, min(CHUNK, int(rate / 20)))
        state, start = self.soda, time.monotonic()
        try:
            for piece in fits_views(total, chunk, limit):
                if not knobs["chunked"] and state["sent"] + len(piece) == total:
                    self.end_record(total, True)
                if knobs["chunked"]:
                    self.send_all(b"%x\r\n" % len(piece), False)
                    self.send_all(piece, True)
                    self.send_all(b"\r\n", False)
                else:
                    self.send_all(piece, True)
                if rate is not None:
                    ahead = state["sent"] / rate - (time.monotonic() - start)
                    if ahead > 0:
                        time.sleep(ahead)
            if limit is not None and limit < total and knobs["stall_after"] is not None:
                self.stall()
                return
            if limit is not None and limit < total:  # drop_after: close mid-body
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if knobs["chunked"]:
                self.end_record(state["sent"], True)
                self.send_all(b"0\r\n\r\n", False)
            state["complete"] = True
        except OSError:  # BrokenPipe, ConnectionReset, a send timeout
            self.close_connection = True

    def stall(self):
        """stall_after: say nothing more, keeping the connection open,
        until the client closes it (at most 10 minutes)."""
        self.close_connection = True
        self.connection.settimeout(0.1)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if self.connection.recv(1 << 16) == b"":
                    return
            except socket.timeout:
                continue

    def send_all(self, data, body):
        """sendall that counts what went out (BODY: as body bytes)."""
        view = memoryview(data)
        while view:
            n = self.connection.send(view)
            if body:
                self.soda["sent"] += n
            view = view[n:]

if __name__ == "__main__":
    common.serve(SodaHandler, "Stand-in SODA 1.0 sync service (ivoa.md §5)")
