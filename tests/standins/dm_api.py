#!/usr/bin/python3
"""Stand-in for the SRCNet Data Management API (wire-formats.md §3).

Routes (under --prefix, e.g. --prefix /api/v1):
  GET /data/locate/{namespace}/{name:path}   §3.2, current list shape
  GET /metadata/{namespace}/{name:path}      §3.3

Both need Authorization: Bearer <token> (§3.1): a JWT from oauth2.py with
audience fixture["dm_api"]["jwt_audience"], or a token listed in
fixture["dm_api"]["tokens"]["accepted"].  Missing, unknown or expired ->
401 {"detail": "Not authenticated"}; a denied token or one for another
audience -> 403.  Names may contain raw '/' (and %2F, decoded alike).

Extra knobs (§3.5 "configurable"): "nearest_by_ip_fails" (500 on
sort=nearest_by_ip), "locate_schemes" (keep only PFNs of these schemes, e.g.
["davs"]), "drop_without_services" (leave out RSEs lacking every requested
colocated service), "locate_shape" ("list", or "dict" for the era-D object).
"""
import urllib.parse

import common
from common import Route

PERMISSION_DENIED = "You do not have permission to access this resource."


class DmHandler(common.StandinHandler):
    server_version = "uvicorn"
    extra_knobs = {"nearest_by_ip_fails": False, "locate_schemes": None,
                   "drop_without_services": False, "locate_shape": "list"}
    routes = [
        Route("GET", r"/data/locate/(?P<did>.+)", "locate", "GET /data/locate/{namespace}/{name}", auth=True),
        Route("GET", r"/metadata/(?P<did>.+)", "metadata", "GET /metadata/{namespace}/{name}", auth=True),
    ]

    def authenticate(self):
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        conf = self.fixture["dm_api"]
        if scheme.lower() != "bearer" or not token:
            self.unauthorized()
            return False
        if token in conf["tokens"]["accepted"]:
            return True
        if token in conf["tokens"]["denied"]:
            self.reply(403, {"detail": PERMISSION_DENIED})
            return False
        claims = common.fixture_jwt(self.fixture, token)
        if not claims:
            self.unauthorized()
            return False
        if conf.get("jwt_audience") and conf["jwt_audience"] not in common.jwt_audiences(claims):
            self.reply(403, {"detail": PERMISSION_DENIED})
            return False
        return True

    def malformed(self):
        self.reply(200, b'[{"identifier": "SPSRC_STORM", "replicas": ["https://', "application/json")

    def split_did(self, raw):
        namespace, _, name = urllib.parse.unquote(raw).partition("/")
        if not namespace or not name:
            self.not_found()
            return None
        return namespace, name

    # ---- §3.2 ---------------------------------------------------------------
    def locate(self, did):
        parsed = self.split_did(did)
        if parsed is None:
            return
        ns, name = parsed
        fx, knobs = self.fixture, self.app.knobs
        found = common.find_did(fx, ns, name)
        if found is None:
            return self.reply(404, {"detail": f"Data identifier '{ns}:{name}' not found"})
        sort = self.param("sort") or None
        if sort not in (None, "random", "nearest_by_ip"):
            return self.reply(400, {"detail": f"Sort algorithm '{sort}' not understood."})
        by_rse = {}
        for f in common.resolve_files(fx, found):
            for r in f["replicas"]:
                if r.get("state", "AVAILABLE") != "AVAILABLE" or not fx["rucio"]["rses"][r["rse"]]["availability_read"]:
                    continue
                pfns = [p for p, _ in common.replica_pfns(fx, f, r, knobs["locate_schemes"])]
                if pfns:
                    by_rse.setdefault(r["rse"], []).extend(pfns)
        wanted = self.csv_param("colocated_services")
        entries = []
        for rse, pfns in by_rse.items():
            found_area = common.rse_area(fx, rse)
            area_id = found_area[1]["id"] if found_area else None
            entry = {"identifier": rse, "associated_storage_area_id": area_id, "replicas": pfns}
            if wanted is not None:
                entry["colocated_services"] = common.colocated_services(fx, area_id, wanted)
                if knobs["drop_without_services"] and not entry["colocated_services"]:
                    continue
            entry["is_dataset"] = found["type"] != "FILE"
            entries.append(entry)
        if sort == "random":
            entries = common.shuffled(entries)
        elif sort == "nearest_by_ip":
            if knobs["nearest_by_ip_fails"]:
                return self.reply(500, {"detail": "General error occurred: geolocation service unavailable"})
            ip = self.param("ip_address") or self.client_address[0]
            client = common.located(fx, ip)
            if client is None:  # AQ retries a 5xx here with sort=random (§3.2)
                return self.reply(500, {"detail": f"client ip address {ip!r} could not be geolocated."})

            def distance(entry):
                where = common.rse_location(fx, entry["identifier"])
                return common.great_circle_km(*client, *where) if where else float("inf")
            entries.sort(key=distance)
        if knobs["locate_shape"] == "dict":  # era D, 2024-02-05 -> 02-15
            return self.reply(200, {e["identifier"]: e["replicas"] for e in entries})
        self.reply(200, entries)

    # ---- §3.3 ---------------------------------------------------------------
    def metadata(self, did):
        parsed = self.split_did(did)
        if parsed is None:
            return
        ns, name = parsed
        found = common.find_did(self.fixture, ns, name)
        if (self.param("plugin") or "").upper() == "DID_COLUMN":
            if found is None:
                return self.reply(404, {"detail": f"Data identifier '{ns}:{name}' not found"})
            return self.reply(200, common.did_column_row(self.fixture, found))
        # POSTGRES_JSON, also for any unknown plugin value (§3.3)
        if found is None or "meta" not in found:
            return self.reply(404, {"detail": f"No metadata found for did '{ns}:{name}"})
        self.reply(200, found["meta"])


def add_args(ap):
    ap.add_argument("--soda-endpoint", help="URL whose scheme, host and port replace every SODA service's")


if __name__ == "__main__":
    common.serve(DmHandler, "Stand-in SRCNet Data Management API (wire-formats.md §3)", add_args)
