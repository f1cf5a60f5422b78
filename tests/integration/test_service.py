"""The service around the query: nginx paths, VOSI, the index the cone
uses, and a database that goes away and comes back."""
import os
import subprocess
import time

import pytest

from conftest import STATE, TOP, pg_ctl, psql, request

ERIDANUS = "RA=53.75308&DEC=-24.93365&SR=0.01"


@pytest.mark.parametrize("path", ["/scs", "/rucio/rucio/cone/scs.xml"])
def test_public_paths(path):
    reply = request(path, ERIDANUS)
    assert reply.status == 200
    assert len(reply.votable().get_first_table().array) == 2


def test_unmapped_path_is_not_served():
    assert request("/scsx", ERIDANUS).status == 404


@pytest.mark.parametrize("base", ["/scs", "/rucio/rucio/cone/scs.xml"])
def test_vosi(base):
    avail = request(base + "/availability")
    assert avail.status == 200
    assert "<vosi:available>true</vosi:available>" in avail.text
    caps = request(base + "/capabilities")
    assert caps.status == 200
    assert 'standardID="ivo://ivoa.net/std/ConeSearch"' in caps.text
    assert "127.0.0.1:" in caps.text and base + "?</accessURL>" in caps.text


def statements():
    out = subprocess.run([os.path.join(TOP, os.environ.get("BUILD", "build"),
                                       "scs.fcgi"), "-t", "-c",
                          os.path.join(STATE, "rucio-ivoa.ini")],
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("\t", 1) for line in out.splitlines())


def test_cone_query_uses_the_spatial_index():
    sql = statements()["cone2"]
    # The prepared statement, as scs.fcgi runs it: a generic plan.
    plan, _ = psql("SET search_path = pg_catalog, pgsphere; "
                   "SET plan_cache_mode = force_generic_plan; "
                   "PREPARE c AS " + sql + "; "
                   "EXPLAIN EXECUTE c(53.75308, -24.93365, 0.5, 1001)")
    assert "Index Scan" in plan or "Bitmap Index Scan" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_database_down_then_back():
    assert request("/scs", ERIDANUS).status == 200
    pg_ctl("stop")
    try:
        for _ in range(3):
            reply = request("/scs", ERIDANUS)
            assert reply.status == 503
            assert 'name="Error"' in reply.text and "unavailable" in reply.text
            reply.votable()
        avail = request("/scs/availability")
        assert "<vosi:available>false</vosi:available>" in avail.text
    finally:
        pg_ctl("start")
    # Failed connection attempts are spaced by one second: within it the
    # service still answers 503 at once; after it, the first request works.
    time.sleep(1.1)
    for _ in range(4):   # every worker recovers on its first request
        reply = request("/scs", ERIDANUS)
        assert reply.status == 200, reply.text
        assert len(reply.votable().get_first_table().array) == 2


def test_restart_while_connected():
    # Workers hold connections; a fast restart kills them all.
    for _ in range(4):
        assert request("/scs", ERIDANUS).status == 200
    pg_ctl("restart")
    for _ in range(4):
        reply = request("/scs", ERIDANUS)
        assert reply.status == 200, reply.text


@pytest.mark.parametrize("program", ["links.fcgi", "soda-proxy.fcgi"])
def test_no_rucio_credentials_is_refused_at_start(program, tmp_path):
    # The stack's configuration checks out (-t); without a username, a
    # token file or an OAuth2 client it must not start and fail every call.
    build = os.environ.get("BUILD", "build")
    binary = os.path.join(TOP, build, program)
    good = open(os.path.join(STATE, "rucio-ivoa.ini")).read()
    bad = tmp_path / "no-credentials.ini"
    bad.write_text(good.replace("\nusername = datalink\n", "\nusername =\n"))
    assert bad.read_text() != good
    ok = subprocess.run([binary, "-t", "-c", os.path.join(STATE, "rucio-ivoa.ini")],
                        capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    # -t prints the upstream calls the program would make.
    rucio = os.environ["RIF_RUCIO"]
    assert "replicas\tPOST %s/replicas/list\n" % rucio in ok.stdout
    assert "sites\tGET %s/v1/storage-areas/grafana\n" % os.environ["RIF_SITES"] in ok.stdout
    refused = subprocess.run([binary, "-t", "-c", str(bad)],
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1
    assert "[rucio] username, token_file or oauth2_client_id is required" in refused.stderr
