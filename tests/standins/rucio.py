#!/usr/bin/python3
"""Stand-in for the Rucio REST API (wire-formats.md §1).

Routes (under --prefix, if given):
  GET  /ping                      {"version": ...}, no token
  GET  /auth/userpass             §1.1: X-Rucio-Username/Password[/Account] in, token headers out
  GET  /auth/validate             §1.1: Python-repr body; no token 400, bad token 500
  GET  /accounts/whoami           303 to the account (§1.1 "cheaper probe")
  GET  /accounts/{account}        the account as JSON
  POST /replicas/list[/]          §1.3: JSON body in, JSON line stream (or metalink) out
  GET  /dids/{scope}/{name}/meta  §1.4, §1.5: DID_COLUMN / POSTGRES_JSON / all
  OPTIONS *                       200 before any check (§1.1)

Every route but /ping, /auth/* and OPTIONS reads X-Rucio-Auth-Token (§1.1):
missing 400 ValueError, unknown or expired 401 CannotAuthenticate.  Errors
use the §1.2 format.  Extra knobs: "encoded_slashes" ("on" | "nodecode" |
"off", §1.5), "chunked" (stream /replicas/list chunked), "token_lifetime_s".
"""
import json
import re
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape, quoteattr

import common
from common import Route

JSON_STREAM = "application/x-json-stream"
METALINK = "application/metalink4+xml"
# §1.3 `sort`; R core/replica_sorter.py.  Only geoip and random reorder here.
SORTING_ALGORITHMS = ("geoip", "closeness", "dynamic", "ranking", "random", "custom_table")
MOON_KM = 360000  # Rucio's distance for a place it cannot locate


def rucio_date(t):
    """§1.1: X-Rucio-Auth-Token-Expires and datetimes, '%a, %d %b %Y %H:%M:%S UTC'."""
    return t.strftime("%a, %d %b %Y %H:%M:%S UTC")


def parse_accept(header):
    """[(type/subtype, q, specificity)] of an Accept header; [] when absent."""
    out = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        mt = fields[0].lower()
        out.append((mt, q, (mt != "*/*") + (not mt.endswith("/*"))))
    return out


def mime_matches(server, client):
    if client in ("*", "*/*"):
        return True
    ctype, _, csub = client.partition("/")
    stype, _, ssub = server.partition("/")
    return ctype == stype and csub in ("*", ssub)


def best_match(accept, supported):
    """Werkzeug's MIMEAccept.best_match, which the view uses (§1.3)."""
    result, best_q, best_spec = supported[0], -1, -1
    for s in supported:
        for c, q, spec in accept:
            if q <= 0 or q < best_q or (q == best_q and spec <= best_spec):
                continue
            if mime_matches(s, c):
                result, best_q, best_spec = s, q, spec
    return result


class RucioError(Exception):
    def __init__(self, status, cls, message):
        super().__init__(message)
        self.status, self.cls, self.message = status, cls, message


class RucioHandler(common.StandinHandler):
    server_version = "rucio-standin/1"
    extra_knobs = {"encoded_slashes": "on", "chunked": False, "token_lifetime_s": None}
    routes = [
        Route("OPTIONS", r"/.*", "options", "OPTIONS"),
        Route("GET", r"/ping", "ping", "GET /ping"),
        Route("GET", r"/auth/userpass", "auth_userpass", "GET /auth/userpass"),
        Route("GET", r"/auth/validate", "auth_validate", "GET /auth/validate"),
        Route("GET", r"/accounts/whoami", "whoami", "GET /accounts/whoami", auth=True),
        Route("GET", r"/accounts/(?P<account>[^/]+)", "account", "GET /accounts/{account}", auth=True),
        Route("POST", r"/replicas/list/?", "list_replicas", "POST /replicas/list", auth=True),
        Route("GET", r"/dids/(?P<scope_name>.+)/meta", "did_meta", "GET /dids/{scope}/{name}/meta", auth=True),
        Route("GET", r"/dids/(?P<scope_name>.+)/meta/(?P<key>[^/]+)", "did_meta_key",
              "GET /dids/{scope}/{name}/meta/{key}", auth=True),
    ]

    # ---- §1.2 error format -------------------------------------------
    def rucio_error(self, status, cls, message, headers=()):
        body = json.dumps({"ExceptionClass": cls, "ExceptionMessage": message})
        short = message.replace("\n", " ")
        if len(short) > 125:
            short = short[:125] + "..."
        short = short.encode("latin-1", "replace").decode("latin-1")
        self.reply(status, body, "application/octet-stream",
                   [("ExceptionClass", cls), ("ExceptionMessage", short)] + list(headers))

    def error_status(self, status):
        cls = "DatabaseException" if status == 503 else "RucioException"
        self.rucio_error(status, cls, f"An unknown exception occurred.\nDetails: injected {status}")

    def unauthorized(self):
        self.rucio_error(401, "CannotAuthenticate", "Cannot authenticate with given credentials")

    def malformed(self):
        if self.route and self.route.func == "list_replicas":
            return self.reply(200, b'{"scope": "testing", "name": "PTF10tce.fits", "bytes": 28\n', JSON_STREAM)
        self.reply(200, b'{"obs_id": "testing:PTF10', "application/json")

    def not_found(self):
        self.reply(404, "<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n", "text/html")

    def method_not_allowed(self):
        self.reply(405, "<!doctype html>\n<title>405 Method Not Allowed</title>\n", "text/html")

    # ---- §1.1 tokens ---------------------------------------------------
    def tokens(self):
        """token -> {"account", "identity", "expires"}; static ones from the fixture."""
        st = self.app.state
        if "tokens" not in st:
            st["tokens"] = {}
            far = datetime(2099, 1, 1, tzinfo=timezone.utc)
            past = datetime(2000, 1, 1, tzinfo=timezone.utc)
            for t in self.fixture["rucio"]["tokens"]:
                st["tokens"][t["token"]] = {"account": t["account"], "identity": t["account"],
                                            "expires": past if t.get("expired") else far}
        return st["tokens"]

    def token_account(self, token):
        with self.app.lock:
            entry = self.tokens().get(token)
        if entry:
            return entry["account"] if entry["expires"] > datetime.now(timezone.utc) else None
        if token.count(".") == 2:  # any unknown three-part token is a JWT (§1.1)
            return self.jwt_account(token)
        return None

    def jwt_account(self, token):
        """§1.1 validate_jwt: audience and scope must include the expected
        ones, and SUB=..., ISS=... must map to an account."""
        claims = common.fixture_jwt(self.fixture, token)
        oidc = self.fixture["rucio"]["oidc"]
        if not claims or oidc["expected_audience"] not in common.jwt_audiences(claims):
            return None
        if not set(oidc["expected_scope"].split()) <= set(str(claims.get("scope", "")).split()):
            return None
        return oidc["identities"].get(f'SUB={claims.get("sub")}, ISS={claims.get("iss")}')

    def authenticate(self):
        token = self.headers.get("X-Rucio-Auth-Token")
        if not token:
            self.rucio_error(400, "ValueError", "Token must be set.")
            return False
        self.account = self.token_account(token)
        if not self.account:
            self.unauthorized()
            return False
        return True

    # ---- routes --------------------------------------------------------
    def options(self):
        self.reply(200, b"", None)

    def ping(self):
        self.reply(200, {"version": self.fixture["rucio"]["version"]})

    def auth_userpass(self):
        """§1.1 GET /auth/userpass."""
        h = self.headers
        user, password = h.get("X-Rucio-Username"), h.get("X-Rucio-Password")
        account, appid = h.get("X-Rucio-Account"), h.get("X-Rucio-AppID", "unknown")
        if not user or not password:
            return self.rucio_error(401, "CannotAuthenticate",
                                    "Cannot authenticate without passing all required arguments")
        ident = next((u for u in self.fixture["rucio"]["userpass"] if u["username"] == user), None)
        if not account:
            if ident is None:
                return self.rucio_error(401, "IdentityError", "Cannot authenticate. The identity does not exist.")
            if ident["password"] != password:
                return self.rucio_error(401, "IdentityNotFound",
                                        "Cannot authenticate. Username/Password pair does not exist.")
            if len(ident["accounts"]) > 1:
                return self.reply(206, json.dumps(ident["accounts"]), "application/octet-stream",
                                  {"X-Rucio-Auth-Accounts": ",".join(ident["accounts"])})
            account = ident["accounts"][0]
        elif ident is None or ident["password"] != password or account not in ident["accounts"]:
            return self.rucio_error(401, "CannotAuthenticate",
                                    f"Cannot authenticate to account {account} with given credentials")
        lifetime = self.app.knobs["token_lifetime_s"] or self.fixture["rucio"]["token_lifetime_s"]
        expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=float(lifetime))
        token = f"{account}-{user}-{appid}-{uuid.uuid4().hex}"
        with self.app.lock:
            self.tokens()[token] = {"account": account, "identity": user, "expires": expires}
        self.reply(200, b"", "application/octet-stream", {
            "X-Rucio-Auth-Token": token, "X-Rucio-Auth-Token-Expires": rucio_date(expires),
            "X-Rucio-Auth-Account": account})

    def auth_validate(self):
        """§1.1 GET /auth/validate: 400 without token, 500 CannotAuthenticate when invalid."""
        token = self.headers.get("X-Rucio-Auth-Token")
        if not token:
            return self.rucio_error(400, "ValueError", "Token must be set.")
        with self.app.lock:
            entry = self.tokens().get(token)
        if not entry or entry["expires"] <= datetime.now(timezone.utc):
            return self.rucio_error(500, "CannotAuthenticate", "Cannot authenticate with given credentials")
        e = entry["expires"]
        body = (f"{{'account': InternalAccount('{entry['account']}'), 'identity': '{entry['identity']}', "
                f"'lifetime': datetime.datetime({e.year}, {e.month}, {e.day}, {e.hour}, {e.minute}, {e.second})}}")
        self.reply(200, body, "application/octet-stream")

    def whoami(self):
        self.reply(303, b"", None, {"Location": self.account})

    def account(self, account):
        acc = self.fixture["rucio"]["accounts"].get(account)
        if acc is None:
            return self.rucio_error(404, "AccountNotFound", f"Account with ID '{account}' cannot be found")
        self.reply(200, dict(account=account, **acc))

    # ---- §1.3 POST /replicas/list ---------------------------------------
    def list_replicas(self):
        supported = [JSON_STREAM, METALINK]
        accept = parse_accept(self.headers.get("Accept"))
        if accept and not any(mime_matches(s, c) for s in supported for c, _, _ in accept):
            return self.rucio_error(406, "UnsupportedRequestedContentType",
                                    f"The requested content type {self.headers.get('Accept')} "
                                    f"is not supported. Use {supported}.")
        content_type = best_match(accept, supported) if accept else JSON_STREAM
        try:
            params = json.loads(self.body)
        except ValueError:
            return self.rucio_error(400, "ValueError", "cannot decode json parameter dictionary")
        if not isinstance(params, dict):
            return self.rucio_error(400, "TypeError", "body must be a json dictionary")
        client_ip = self.headers.get("X-Forwarded-For", self.client_address[0])
        select = self.param("sort", self.param("select", params.get("sort")))
        limit = self.param("limit")
        updated_after = params.get("updated_after")
        try:  # accepted and checked, not used for filtering
            if isinstance(updated_after, str):
                datetime.strptime(updated_after, "%Y-%m-%dT%H:%M:%S")
            limit = int(limit) if limit else None
        except ValueError as e:  # a plain Python error: 500 with a text body (§1.2)
            return self.reply(500, str(e), "text/plain")
        lines = self.replica_lines(params, client_ip, select, limit)
        out = []
        try:
            for rfile in lines:
                out.append(rfile)
        except RucioError as e:
            if not out:  # raised before the first line: §1.2 error
                return self.rucio_error(e.status, e.cls, e.message)
            # after streaming started the status stays 200 and the body is cut (§1.3)
        if content_type == METALINK:
            body = [self.metalink(out)]
        else:
            body = [json.dumps(f) + "\n" for f in out]
        if self.app.knobs["chunked"]:
            return self.reply_chunked(200, body, content_type)
        self.reply(200, "".join(body), content_type)

    def validate_dids(self, dids):
        """Schema r_dids (§1.3): 1-1000 objects with word characters in scope and name."""
        if not isinstance(dids, list) or not 1 <= len(dids) <= 1000:
            raise RucioError(400, "InvalidObject", f"Problem validating dids : {json.dumps(dids)} "
                             "is not a list of 1 to 1000 items")
        for d in dids:
            if not isinstance(d, dict) or "scope" not in d or "name" not in d:
                raise RucioError(400, "InvalidObject",
                                 "Problem validating dids : 'scope' and 'name' are required properties")
            for key in ("scope", "name"):
                if not isinstance(d[key], str) or not re.search(r"\w", d[key]):
                    raise RucioError(400, "InvalidObject",
                                     f"Problem validating dids : {json.dumps(d[key])} does not match '\\\\w'")

    def rse_filter(self, expression):
        rses = self.fixture["rucio"]["rses"]
        if not expression or expression == "*":
            return set(rses)
        names = {n.strip() for n in expression.split("|")}
        if not names <= set(rses):
            raise RucioError(500, "InvalidRSEExpression", "Provided RSE expression is considered invalid.\n"
                             "Details: RSE Expression resulted in an empty set.")
        return names

    def replica_lines(self, params, client_ip, select, limit):
        """Generator of per-file objects (§1.3 table), as Rucio's
        list_replicas followed by the view's sorting and `limit`."""
        fx = self.fixture
        dids = params.get("dids", [])
        self.validate_dids(dids)
        schemes = params.get("schemes")
        all_states = params.get("all_states", False)
        unavailable = params.get("unavailable", False)
        ignore_availability = params.get("ignore_availability", "unavailable" in params)
        allowed_rses = self.rse_filter(params.get("rse_expression"))
        domain = params.get("domain")
        domains = ("lan", "wan") if domain == "all" else (domain or "wan",)
        states_ok = (None if all_states else
                     ("AVAILABLE", "UNAVAILABLE", "COPYING") if unavailable else ("AVAILABLE",))
        seen = set()
        for d in dids:
            did = common.find_did(fx, d["scope"], d["name"])
            if did is None:
                continue  # unknown DID: no line at all, still 200 (§1.3)
            for f in common.resolve_files(fx, did):
                key = f'{f["scope"]}:{f["name"]}'
                if key in seen:
                    continue
                seen.add(key)
                rows = [r for r in f["replicas"]
                        if r["rse"] in allowed_rses
                        and (states_ok is None or r.get("state", "AVAILABLE") in states_ok)
                        and (ignore_availability or fx["rucio"]["rses"][r["rse"]]["availability_read"])]
                line = {"scope": f["scope"], "name": f["name"], "bytes": f["bytes"],
                        "md5": f.get("md5"), "adler32": f.get("adler32"), "pfns": {}, "rses": {}}
                if not rows:
                    if did["type"] == "FILE":  # a file without replicas: empty, no "states"
                        yield line
                    continue  # a collection lists only files with replicas
                line["states"] = {}
                if params.get("resolve_parents"):
                    line["parents"] = common.parents(fx, key)
                pfns = {}
                for r in rows:
                    rse = fx["rucio"]["rses"][r["rse"]]
                    line["states"][r["rse"]] = r.get("state", "AVAILABLE")
                    for pfn, proto in common.replica_pfns(fx, f, r, schemes, domains):
                        pfns[pfn] = {"rse_id": rse["id"], "rse": r["rse"], "type": rse["rse_type"],
                                     "volatile": rse["volatile"], "domain": proto.get("domain", "wan"),
                                     "priority": proto["priority"], "client_extract": False}
                ordered = sorted(pfns.items(), key=lambda i: (i[1]["domain"], i[1]["priority"], i[0]))
                for n, (pfn, info) in enumerate(ordered, 1):
                    info["priority"] = n
                for pfn, info in sorted(ordered, key=lambda i: (i[1]["rse_id"], i[1]["priority"], i[0])):
                    line["rses"].setdefault(info["rse"], []).append(pfn)
                lan = [i for i in ordered if i[1]["domain"] == "lan"]
                wan = self.sort_wan([i for i in ordered if i[1]["domain"] != "lan"], client_ip, select)
                for n, (pfn, info) in enumerate(lan + wan, 1):
                    if limit is None or n <= limit:
                        info["priority"] = n
                        line["pfns"][pfn] = info
                yield line

    def sort_wan(self, items, client_ip, select):
        """R core/replica_sorter.py sort_replicas: geoip by default; an
        unknown algorithm is refused, but only once there is something to sort."""
        if not items:
            return []
        select = select or "geoip"
        if select not in SORTING_ALGORITHMS:
            raise RucioError(400, "SortingAlgorithmNotSupported",
                             f"Sorting algorithm is not supported.\nDetails: {select}")
        if select == "random":
            return common.shuffled(items)
        if select != "geoip":
            return items
        client = common.located(self.fixture, client_ip)

        def distance(item):
            where = common.rse_location(self.fixture, item[1]["rse"])
            if client is None or where is None:
                return MOON_KM
            return common.great_circle_km(*client, *where)
        return sorted(items, key=distance)

    def metalink(self, files):
        """§1.3 application/metalink4+xml (policy schema "generic")."""
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<metalink xmlns="urn:ietf:params:xml:ns:metalink">\n']
        for f in files:
            out.append(f' <file name={quoteattr(f["name"])}>\n')
            if f.get("parents"):
                out.append("  <parents>\n" + "".join(f"   <did>{escape(p)}</did>\n" for p in f["parents"])
                           + "  </parents>\n")
            out.append(f'  <identity>{escape(f["scope"] + ":" + f["name"])}</identity>\n')
            for algo in ("adler32", "md5"):
                if f.get(algo) is not None:
                    out.append(f'  <hash type="{algo}">{f[algo]}</hash>\n')
            out.append(f'  <size>{f["bytes"]}</size>\n')
            out.append(f'  <glfn name={quoteattr("/generic/rucio/" + f["scope"] + ":" + f["name"])}></glfn>\n')
            for pfn, r in f["pfns"].items():
                out.append(f'  <url location="{r["rse"]}" domain="{r["domain"]}" priority="{r["priority"]}"'
                           f' client_extract="{str(r["client_extract"]).lower()}">{escape(pfn)}</url>\n')
            out.append(" </file>\n")
        out.append("</metalink>\n")
        return "".join(out)

    # ---- §1.4 / §1.5 GET /dids/{scope}/{name}/meta ----------------------
    def split_scope_name(self, raw):
        """(scope, name) from the raw path segment, per the encoded-slash
        mode of the Apache in front of Rucio (§1.5); None when answered."""
        mode = self.app.knobs["encoded_slashes"]
        if mode == "off" and "%2f" in raw.lower():
            self.not_found()  # Apache's own 404 page
            return None
        if mode == "nodecode":
            kept = re.sub(r"%(?![2][fF])([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), raw)
            if kept.count("/") != 1:
                self.rucio_error(400, "ValueError", "cannot parse scope and name")
                return None
            scope, name = (urllib.parse.unquote_plus(p) for p in kept.split("/"))
            return scope, name
        m = re.fullmatch(r"/([^/]+)/(.*)", "/" + urllib.parse.unquote(raw))
        if not m or not m.group(2):
            self.rucio_error(400, "ValueError", "cannot parse scope and name")
            return None
        return m.group(1), m.group(2)

    def did_meta(self, scope_name):
        accept = parse_accept(self.headers.get("Accept"))
        if accept and not any(mime_matches("application/json", c) for c, _, _ in accept):
            return self.rucio_error(406, "UnsupportedRequestedContentType",
                                    f"The requested content type {self.headers.get('Accept')} "
                                    f"is not supported. Use ['application/json'].")
        parsed = self.split_scope_name(scope_name)
        if parsed is None:
            return
        scope, name = parsed
        plugin = self.param("plugin", "DID_COLUMN")
        enabled = self.fixture["rucio"]["metadata_plugins"]
        did = common.find_did(self.fixture, scope, name)
        if plugin.lower() == "all":
            chosen = enabled
        elif plugin.upper() in enabled:
            chosen = [plugin.upper()]
        else:
            return self.rucio_error(400, "UnsupportedMetadataPlugin",
                                    f'Metadata plugin "{plugin}" is not enabled on the server.')
        meta = {}
        for p in chosen:
            if p == "DID_COLUMN":
                if did is None:
                    return self.rucio_error(404, "DataIdentifierNotFound",
                                            f"Data identifier '{scope}:{name}' not found")
                meta.update(common.did_column_row(self.fixture, did))
            elif p == "POSTGRES_JSON":
                if did is None or "meta" not in did:  # sic: no closing quote (§1.4)
                    return self.rucio_error(404, "DataIdentifierNotFound",
                                            f"No metadata found for did '{scope}:{name}")
                meta.update(did["meta"])
        self.reply(200, meta, "application/json")

    def did_meta_key(self, scope_name, key):
        self.method_not_allowed()  # §1.4: a key segment on GET


if __name__ == "__main__":
    common.serve(RucioHandler, "Stand-in Rucio REST server (wire-formats.md §1)")
