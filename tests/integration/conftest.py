"""Shared fixtures for the integration tests.

The stack under test is started by tools/run-integration.sh, which exports
RIF_HTTP / RIF_HTTPS (nginx), RIF_STATE (the state folder, holding the
PostgreSQL socket) and RIF_SKY_ROWS.  These helpers talk to it the way
clients and operators do: HTTP through nginx, SQL through psql.
"""
import io
import json
import math
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

import pytest
from astropy.io.votable import parse as vot_parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import stack_workers  # noqa: E402  (tests/, beside this folder)

HTTP = os.environ["RIF_HTTP"]
HTTPS = os.environ["RIF_HTTPS"]
STATE = os.environ["RIF_STATE"]
TOP = os.environ["RIF_TOP"]
SKY_ROWS = int(os.environ["RIF_SKY_ROWS"])
PGHOST = os.path.join(STATE, "pg")


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def votable(self, verify="exception"):
        """Parse strictly by default: any VOTable warning is an error."""
        return vot_parse(io.BytesIO(self.body), verify=verify)


def request(path, params=None, method="GET", data=None, headers=None,
            base=None, timeout=30):
    """One HTTP request; 4xx/5xx are returned, not raised."""
    url = (base or HTTP) + path
    if params is not None:
        url += "?" + (params if isinstance(params, str)
                      else urllib.parse.urlencode(params, doseq=True))
    if isinstance(data, (dict, list)):
        data = urllib.parse.urlencode(data, doseq=True).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers=headers or {})
    ctx = ssl.create_default_context(cafile=os.path.join(STATE, "tls", "server.crt"))
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return Reply(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read())


def control(base, **knobs):
    """Set a stand-in's knobs (POST /_control); returns them all."""
    req = urllib.request.Request(base + "/_control", method="POST",
                                 data=json.dumps(knobs).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def stand_in(base, path):
    """GET a stand-in's own JSON resource (/_stats, /_requests)."""
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.loads(r.read())


def workers(program):
    """The pids of PROGRAM's workers."""
    return stack_workers.workers(STATE, program)


def as_postgres(cmd):
    """CMD as the clusters' owner (PostgreSQL refuses to run as root)."""
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd


def pg_ctl(action, mode="fast", standby=False):
    """pg_ctl ACTION on the stack's cluster, or on its hot standby (port
    5433, socket beside the primary's), with the options stack.sh uses."""
    data = os.path.join(STATE, "pg-standby" if standby else "pg", "data")
    log = os.path.join(os.path.dirname(data), "server.log")
    opts = "-k %s -p %d -c listen_addresses= -c max_connections=200" % (
        PGHOST, 5433 if standby else 5432)
    subprocess.run(as_postgres(["/usr/lib/postgresql/15/bin/pg_ctl", "-D", data,
                                "-w", "-m", mode, "-l", log, "-o", opts, action]),
                   check=True, capture_output=True, timeout=120)


def psql(sql, check=True, port=5432):
    """Run SQL in the stack's database (PORT 5433: on the hot standby);
    returns (stdout, stderr)."""
    cmd = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", PGHOST,
           "-p", str(port), "-U", "postgres", "-d", "rucio_ivoa", "-c", sql]
    p = subprocess.run(as_postgres(cmd), capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("psql failed: " + p.stderr)
    return p.stdout, p.stderr


def votlint(body):
    """STILTS votlint's ERROR lines for BODY (an empty list when clean)."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(body)
        f.flush()
        p = subprocess.run(["stilts", "votlint", "votable=" + f.name, "ucd=true"],
                           capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    return [l for l in out.splitlines() if l.startswith(("ERROR", "FATAL"))]


def datalinklint(body):
    """STILTS datalinklint's error and warning lines for BODY."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(body)
        f.flush()
        p = subprocess.run(["stilts", "datalinklint", f.name],
                           capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert "Totals:" in out, out
    return [l for l in out.splitlines() if l.startswith(("E-", "W-", "F-"))]


def ang_dist(ra1, dec1, ra2, dec2):
    """Great-circle distance in degrees (haversine, stable for small angles)."""
    r1, d1, r2, d2 = map(math.radians, (ra1, dec1, ra2, dec2))
    h = (math.sin((d2 - d1) / 2) ** 2 +
         math.cos(d1) * math.cos(d2) * math.sin((r2 - r1) / 2) ** 2)
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(h))))


@pytest.fixture(scope="session")
def sky():
    """Every catalogue row with a position: {publisher_did: (ra, dec)}."""
    out, _ = psql("SELECT obs_publisher_did, s_ra, s_dec FROM ivoa.obscore "
                  "WHERE s_ra IS NOT NULL AND s_dec IS NOT NULL")
    rows = {}
    for line in out.splitlines():
        did, ra, dec = line.split("|")
        rows.setdefault(did, []).append((float(ra), float(dec)))
    return rows


def brute_force(sky, ra, dec, sr):
    """The publisher DIDs within SR of (RA, DEC), with their distances."""
    found = []
    for did, positions in sky.items():
        for (pra, pdec) in positions:
            d = ang_dist(ra, dec, pra, pdec)
            if d <= sr:
                found.append((d, did))
    return sorted(found)
