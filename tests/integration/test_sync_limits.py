"""The work one DID's metadata can cause is bounded before anything costly
runs: Rucio's write must succeed even when its session has a short
statement_timeout, which no exception handler can catch."""
import os
import subprocess

import pytest

from conftest import PGHOST, psql

SCOPE = "limittest"


def session(*statements):
    """Run STATEMENTS one after the other in one session (each its own
    query, so that statement_timeout applies to each); returns stderr."""
    cmd = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", PGHOST, "-p", "5432",
           "-U", "postgres", "-d", "rucio_ivoa"]
    for s in statements:
        cmd += ["-c", s]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stderr


@pytest.fixture(autouse=True)
def clean():
    psql("DELETE FROM rucio.dids WHERE scope = '%s'" % SCOPE)
    yield
    psql("DELETE FROM rucio.dids WHERE scope = '%s'" % SCOPE)


def circle(n):
    """SQL for n (lon, lat) pairs on a circle of 1 degree around (10, 20)."""
    return ("SELECT i, 10 + cos(radians(i * 360.0 / {n})) AS lon, "
            "20 + sin(radians(i * 360.0 / {n})) AS lat "
            "FROM generate_series(0, {n} - 1) AS i").format(n=n)


# An s_region of n vertices in each of the forms taken, as SQL for a jsonb.
FORMS = {
    "dali": lambda n: ("(SELECT jsonb_agg(x ORDER BY c.i, k) FROM (%s) AS c, "
                       "LATERAL (VALUES (0, c.lon), (1, c.lat)) AS v (k, x))" % circle(n)),
    "dali string": lambda n: ("(SELECT to_jsonb(string_agg(c.lon || ' ' || c.lat, ' ' "
                              "ORDER BY c.i)) FROM (%s) AS c)" % circle(n)),
    "stc-s": lambda n: ("(SELECT to_jsonb('Polygon ICRS ' || string_agg(c.lon || ' ' || c.lat, "
                        "' ' ORDER BY c.i)) FROM (%s) AS c)" % circle(n)),
    "spoly": lambda n: ("(SELECT to_jsonb('{' || string_agg(format('(%%sd,%%sd)', "
                        "round(c.lon::numeric, 6), round(c.lat::numeric, 6)), ',' ORDER BY c.i) "
                        "|| '}') FROM (%s) AS c)" % circle(n)),
}


def write(name, region_sql, timeout="1s"):
    """Build the s_region value first, untimed, then write the DID with
    statement_timeout set as Rucio's session might; returns the NOTICEs."""
    return session(
        "CREATE TEMPORARY TABLE big AS SELECT %s AS r" % region_sql,
        "SET statement_timeout = '%s'" % timeout,
        """INSERT INTO rucio.dids (vo, scope, name, data)
           SELECT 'def', '{scope}', '{name}', jsonb_build_object(
                      'calib_level', 1, 'obs_collection', 'limits', 'obs_id', '{name}',
                      'obs_publisher_did', 'ivo://test/limits?{name}',
                      's_ra', 10, 's_dec', 20, 's_region', r)
             FROM big""".format(scope=SCOPE, name=name))


def row(name):
    out, _ = psql("SELECT s_region IS NOT NULL, s_ra FROM ivoa.obscore WHERE "
                  "rucio_did_scope = '%s' AND rucio_did_name = '%s'" % (SCOPE, name))
    return out.strip()


def problem(name):
    out, _ = psql("SELECT field || ': ' || reason FROM ivoa.obscore_problems WHERE "
                  "scope = '%s' AND name = '%s'" % (SCOPE, name))
    return out.strip()


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("n", [101, 1000, 100000])
def test_too_many_vertices_are_refused_cheaply(form, n):
    # With a 1 s statement_timeout: a 1,000-vertex polygon alone took 5 s
    # in pgSphere (its check and its index key), and the write failed.
    name = "%s-%d.fits" % (form.replace(" ", "-"), n)
    notices = write(name, FORMS[form](n))
    # The write went through, the DID is published without its s_region,
    # and the reason is on record.
    assert row(name) == "f|10"
    assert problem(name) in ("s_region: more than 100 vertices",
                             "s_region: longer than 16384 bytes"), problem(name)
    assert "s_region" in notices


@pytest.mark.parametrize("form", list(FORMS))
def test_the_largest_polygon_taken_fits_in_a_short_timeout(form):
    name = "%s-100.fits" % form.replace(" ", "-")
    notices = write(name, FORMS[form](100))
    assert "NOTICE" not in notices, notices
    assert row(name) == "t|10"
    assert problem(name) == ""


@pytest.mark.parametrize("field,value,limit", [
    ("obs_title", "x" * 8193, "8192"),
    ("access_url", "é" * 4097, "8192"),
    ("s_region", "{" + "(1d,2d)," * 2500 + "}", "16384"),
    ("s_region", "Polygon ICRS " + "1 2 " * 5000, "16384"),
])
def test_long_text_is_refused_by_length(field, value, limit):
    notices = session("SET statement_timeout = '1s'", """
        INSERT INTO rucio.dids (vo, scope, name, data) VALUES ('def', '{scope}', 'long.fits',
            jsonb_build_object('calib_level', 1, 'obs_collection', 'limits', 'obs_id', 'long',
                               'obs_publisher_did', 'ivo://test/limits?long',
                               '{field}', '{value}'::text))""".format(
        scope=SCOPE, field=field, value=value))
    assert "longer than %s bytes" % limit in notices
    out, _ = psql("SELECT %s IS NULL, obs_id FROM ivoa.obscore WHERE rucio_did_scope = '%s'"
                  % (field, SCOPE))
    assert out.strip() == "t|long"


def test_long_identifier_keeps_the_did_out():
    notices = session("SET statement_timeout = '1s'", """
        INSERT INTO rucio.dids (vo, scope, name, data) VALUES ('def', '{scope}', 'id.fits',
            jsonb_build_object('calib_level', 1, 'obs_collection', 'limits',
                               'obs_id', repeat('x', 100000),
                               'obs_publisher_did', 'ivo://test/limits?id'))""".format(scope=SCOPE))
    assert "has no ObsCore row: obs_id" in notices and "longer than 1024 bytes" in notices
    assert row("id.fits") == ""
