#!/usr/bin/python3
"""Stand-in for the site directory (2023) and the site-capabilities API
(SCAPI), wire-formats.md §2.

One data set, fixture["sites"]["nodes"], in the current SCAPI shape (§2.3);
the 2023 shape (§2.1) is derived from it (see sites_2023).

Current SCAPI routes (§2.3):
  GET /v1/ping                              {"status": "UP", "version": ...}
  GET /v1/storage-areas/grafana             no auth
  GET /v1/storage-areas                     Bearer
  GET /v1/storage-areas/{storage_area_id}   Bearer
  GET /v1/sites/{site_id}                   Bearer
  GET /v1/services                          Bearer
  GET /v1/services/types                    no auth
2023 site-directory routes (§2.1):
  GET /storages/grafana                     no auth
  GET /services                             no auth, or Bearer with the
                                            knob "services_2023_auth" (2023-09)

Bearer rules: missing or not Bearer -> 401 {"detail": "Not authenticated"}
with WWW-Authenticate: Bearer (2023-09 shape: 403); a token the Permissions
API would refuse (denied, unknown, expired, wrong audience) -> 403
{"detail": "You do not have permission to access this resource."}.
"""
import common
from common import Route

PERMISSION_DENIED = "You do not have permission to access this resource."
# §2.1 service type names of 2023, from the current lower-case ones (§2.2)
TYPES_2023 = {"soda_sync": "SODA (sync)", "soda_async": "SODA (async)", "jupyterhub": "JupyterHub",
              "binderhub": "BinderHub", "dask": "Dask", "carta": "Carta"}
# §2.3 local-service.json and global-service.json type enums
LOCAL_TYPES = ["echo", "jupyterhub", "binderhub", "dask", "ingest", "soda_sync", "soda_async",
               "gatekeeper", "monitoring", "perfsonar", "canfar", "carta", "prepare_data",
               "gaussconv", "cavern", "product_streamer"]
GLOBAL_TYPES = ["rucio", "iam", "data-management-api", "site-capabilities-api", "permissions-api",
                "auth-api", "gms", "global-execution-api", "accounting-api"]


def sites_2023(fixture):
    """The 2023 site documents (§2.1) derived from the SCAPI nodes: storages
    carry the site's latitude/longitude, each "rse" storage area becomes a
    "Rucio Storage Element (RSE)" service at its storage's first protocol,
    local services keep their fields under their 2023 type names (a null
    port is left out: it was optional then)."""
    out = []
    for _, site in common.iter_sites(common.site_nodes(fixture)):
        storages, services = [], []
        for st in site.get("storages") or []:
            storages.append({
                "id": st["id"], "latitude": site["latitude"], "longitude": site["longitude"],
                "srm": st.get("srm"), "identifier": st["name"],
                "supported_protocols": [{"prefix": p["prefix"], "host": st["host"], "port": p["port"],
                                         "base_path": st["base_path"]} for p in st["supported_protocols"]]})
            first = st["supported_protocols"][0]
            for area in st.get("areas") or []:
                if area.get("type") != "rse" or not area.get("name"):
                    continue
                rel = area["relative_path"]
                path = rel if "://" in rel else st["base_path"].rstrip("/") + "/" + rel.lstrip("/")
                services.append({"id": area["id"], "type": "Rucio Storage Element (RSE)",
                                 "externally_accessible": "Yes", "prefix": first["prefix"],
                                 "host": st["host"], "port": first["port"], "path": path,
                                 "identifier": area["name"]})
        for _, _, _, _, svc in common.iter_services([{"sites": [site]}], "local"):
            if svc.get("type") not in TYPES_2023:
                continue
            s = {"id": svc["id"], "type": TYPES_2023[svc["type"]], "externally_accessible": "Yes"}
            s.update({k: svc[k] for k in ("prefix", "host", "port", "path", "other_attributes")
                      if svc.get(k) is not None})
            services.append(s)
        out.append({"name": site["name"], "description": site.get("description"),
                    "country": site["country"], "version": 1, "storages": storages,
                    "services": services})
    return out


def grafana_2023(sites):
    """SD backend.py @622afed list_storages(for_grafana): an entry for every
    storage protocol URL of the site that is a substring of an RSE service
    endpoint (§2.1) -- so the same RSE can appear more than once."""
    out = []
    for site in sites:
        protocols = {}
        for st in site["storages"]:
            for p in st.get("supported_protocols", []):
                url = "{}://{}:{}/{}".format(p["prefix"], p["host"].rstrip("/"), p["port"],
                                             p["base_path"].strip("/"))
                protocols[url] = (st["latitude"], st["longitude"])
        for svc in site["services"]:
            if "Rucio Storage Element (RSE)" in svc["type"]:
                endpoint = "{}://{}:{}/{}".format(svc["prefix"], svc["host"].rstrip("/"),
                                                  svc["port"], svc["path"].strip("/"))
                for url, (lat, lon) in protocols.items():
                    if url in endpoint:
                        out.append({"key": svc["identifier"], "latitude": lat, "longitude": lon,
                                    "name": svc["identifier"]})
    return out


class Invalid(Exception):
    """A FastAPI 422 validation error."""


class SitesHandler(common.StandinHandler):
    server_version = "uvicorn"
    extra_knobs = {"services_2023_auth": False}
    routes = [
        Route("GET", r"/storages/grafana", "grafana_2023", "GET /storages/grafana"),
        Route("GET", r"/services", "services_2023", "GET /services",
              auth=lambda h: bool(h.app.knobs["services_2023_auth"])),
        Route("GET", r"/v1/ping", "ping", "GET /v1/ping"),
        Route("GET", r"/v1/storage-areas/grafana", "grafana", "GET /v1/storage-areas/grafana"),
        Route("GET", r"/v1/storage-areas", "storage_areas", "GET /v1/storage-areas", auth=True),
        Route("GET", r"/v1/storage-areas/(?P<area_id>[^/]+)", "storage_area",
              "GET /v1/storage-areas/{id}", auth=True),
        Route("GET", r"/v1/sites/(?P<site_id>[^/]+)", "site", "GET /v1/sites/{id}", auth=True),
        Route("GET", r"/v1/services/types", "service_types", "GET /v1/services/types"),
        Route("GET", r"/v1/services", "services", "GET /v1/services", auth=True),
    ]

    # ---- Bearer (§2.1 at 2023-09, §2.3 now) ----------------------------
    def authenticate(self):
        era_2023 = self.route.func == "services_2023"
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            if era_2023:  # FastAPI 0.87 HTTPBearer
                self.reply(403, {"detail": "Not authenticated"})
            else:
                self.unauthorized()
            return False
        conf = self.fixture["sites"]
        if token in conf["tokens"]["accepted"]:
            return True
        claims = None if token in conf["tokens"]["denied"] else common.fixture_jwt(self.fixture, token)
        if claims and (not conf.get("jwt_audience") or conf["jwt_audience"] in common.jwt_audiences(claims)):
            return True
        self.reply(403, {"detail": PERMISSION_DENIED})
        return False

    # ---- query parameters ----------------------------------------------
    def bool_param(self, name, default=False):
        value = self.param(name)
        if value is None:
            return default
        if value.lower() in ("1", "true", "t", "yes", "y", "on"):
            return True
        if value.lower() in ("0", "false", "f", "no", "n", "off"):
            return False
        raise Invalid({"type": "bool_parsing", "loc": ["query", name],
                       "msg": "Input should be a valid boolean, unable to interpret input", "input": value})

    def handle_exception(self, exc):
        if isinstance(exc, Invalid):
            self.reply(422, {"detail": [exc.args[0]]})
            return True
        return False

    def nodes(self):
        """The nodes after node_names / site_names / include_inactive."""
        nodes = common.site_nodes(self.fixture, self.bool_param("include_inactive"))
        node_names, site_names = self.csv_param("node_names"), self.csv_param("site_names")
        if node_names:
            nodes = [n for n in nodes if n["name"] in node_names]
        if site_names:
            nodes = [dict(n, sites=[s for s in n.get("sites") or [] if s["name"] in site_names])
                     for n in nodes]
        return nodes

    def area_entries(self):
        return [dict({"parent_node_name": node["name"], "parent_site_name": site["name"],
                      "parent_site_id": site["id"], "parent_storage_id": st["id"]}, **area)
                for node, site, st, area in common.iter_areas(self.nodes())]

    # ---- current routes (§2.3) -------------------------------------------
    def ping(self):
        self.reply(200, {"status": "UP", "version": self.fixture["sites"]["version"]})

    def grafana(self):
        self.reply(200, [{"key": area.get("name"), "latitude": site["latitude"],
                          "longitude": site["longitude"], "name": area.get("name")}
                         for _, site, _, area in common.iter_areas(self.nodes())])

    def storage_areas(self):
        self.reply(200, self.area_entries())

    def storage_area(self, area_id):
        for entry in self.area_entries():
            if entry["id"] == area_id:
                return self.reply(200, entry)
        self.reply(404, {"detail": f"Storage area with identifier '{area_id}' could not be found"})

    def site(self, site_id):
        for node, site in common.iter_sites(self.nodes()):
            if site["id"] == site_id:
                return self.reply(200, dict(site, parent_node_name=node["name"]))
        self.reply(404, {"detail": f"Site element with identifier '{site_id}' could not be found"})

    def services(self):
        scope = self.param("service_scope", "all")
        if scope not in ("all", "local", "global"):
            raise Invalid({"type": "enum", "loc": ["query", "service_scope"],
                           "msg": "Input should be 'all', 'local' or 'global'", "input": scope,
                           "ctx": {"expected": "'all', 'local' or 'global'"}})
        types = self.csv_param("service_types")
        area_id = self.param("associated_storage_area_id")
        out = []
        for kind, node, site, compute, svc in common.iter_services(self.nodes(), scope):
            if types and svc.get("type") not in types:
                continue
            if area_id and svc.get("associated_storage_area_id") != area_id:
                continue
            out.append(dict({"scope": kind, "parent_node_name": node["name"],
                             "parent_site_name": site["name"], "parent_site_id": site["id"],
                             "parent_compute_id": compute["id"]}, **svc))
        self.reply(200, out)

    def service_types(self):
        self.reply(200, {"local": LOCAL_TYPES, "global": GLOBAL_TYPES})

    # ---- 2023 routes (§2.1) ----------------------------------------------
    def grafana_2023(self):
        self.reply(200, grafana_2023(sites_2023(self.fixture)))

    def services_2023(self):
        self.reply(200, [{"name": s["name"], "services": s["services"]} for s in sites_2023(self.fixture)])


def add_args(ap):
    ap.add_argument("--soda-endpoint", help="URL whose scheme, host and port replace every SODA service's")


if __name__ == "__main__":
    common.serve(SitesHandler, "Stand-in site directory / site-capabilities API (wire-formats.md §2)",
                 add_args)
