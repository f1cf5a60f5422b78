"""The synchronisation triggers write ivoa.obscore with their owner's rights
(SECURITY DEFINER).  A role that may only write rucio.dids, as Rucio's
account may, must not be able to make them run its own code: every attack
below is run by a real second role, in its own session, and afterwards the
role must still not be a superuser and its DID must still be in step."""
import json
import os
import subprocess

import pytest

from conftest import PGHOST, TOP, psql

ROLE = "rif_sync_writer"
SCOPE = "syncattack"
GOOD = {"calib_level": 1, "obs_collection": "attacks", "obs_id": "attack-1",
        "obs_publisher_did": "ivo://test/attack?1", "s_ra": "10.5",
        "s_dec": -45.25, "dataproduct_type": "image",
        "s_region": [10, -45, 11, -45, 11, -44]}

# What every attack starts from: a function that makes the role a
# superuser, which only works if something runs it with a superuser's
# rights.  When it runs with the role's own rights it fails, which the
# triggers report and get over, leaving the DID out of step: the tests
# check both.
EVIL = """
CREATE FUNCTION pg_temp.evil(x pg_catalog.text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'ALTER ROLE %(role)s SUPERUSER';
    RETURN true;
END $$;
""" % {"role": ROLE}


def pgsphere_schema():
    out, _ = psql("SELECT extnamespace::regnamespace FROM pg_extension "
                  "WHERE extname = 'pg_sphere'")
    return out.strip()


# Each attack: what the role runs in its session before it writes.
ATTACKS = {
    # The reproduction: a type named like one the trigger uses,
    # found in pg_temp before pg_catalog.
    "domain text": "CREATE DOMAIN pg_temp.text AS pg_catalog.text "
                   "CHECK (pg_temp.evil(VALUE));",
    "domain jsonb": "CREATE DOMAIN pg_temp.jsonb AS pg_catalog.jsonb "
                    "CHECK (pg_temp.evil(VALUE::pg_catalog.text));",
    "domain spoly": "CREATE DOMAIN pg_temp.spoly AS {sphere}.spoly "
                    "CHECK (pg_temp.evil(VALUE::pg_catalog.text));",
    "domain spoint": "CREATE DOMAIN pg_temp.spoint AS {sphere}.spoint "
                     "CHECK (pg_temp.evil(VALUE::pg_catalog.text));",
    # Functions and operators named like ones the trigger calls
    # unqualified.
    "function btrim": """
        CREATE FUNCTION pg_temp.btrim(x pg_catalog.text) RETURNS pg_catalog.text
        LANGUAGE sql AS $$ SELECT CASE WHEN pg_temp.evil(x) THEN x END $$;""",
    "function jsonb_typeof": """
        CREATE FUNCTION pg_temp.jsonb_typeof(x pg_catalog.jsonb)
        RETURNS pg_catalog.text LANGUAGE sql
        AS $$ SELECT CASE WHEN pg_temp.evil('') THEN 'object' END $$;""",
    "operator =": """
        CREATE FUNCTION pg_temp.eq(a pg_catalog.text, b pg_catalog.text)
        RETURNS boolean LANGUAGE sql AS $$ SELECT pg_temp.evil(a) $$;
        CREATE OPERATOR pg_temp.= (LEFTARG = pg_catalog.text,
                                   RIGHTARG = pg_catalog.text,
                                   FUNCTION = pg_temp.eq);""",
    # Relations named like the trigger's transition tables.
    "view new_rows": """
        CREATE TEMP VIEW new_rows AS
        SELECT 'x'::varchar AS scope, 'y'::varchar AS name,
               '{}'::pg_catalog.jsonb AS data WHERE pg_temp.evil('');
        CREATE TEMP VIEW old_rows AS SELECT * FROM new_rows;""",
    # Everything at once, and a rucio.dids of its own in pg_temp.
    "all": None,
}


def psql_as(role, sql):
    """Run SQL as ROLE in one session of its own; returns the result."""
    cmd = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", PGHOST,
           "-p", "5432", "-U", role, "-d", "rucio_ivoa", "-c", sql]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def superuser(role):
    out, _ = psql("SELECT rolsuper FROM pg_roles WHERE rolname = '%s'" % role)
    return out.strip()


def synced(name, cols="obs_id, s_ra, s_dec"):
    out, _ = psql("SELECT %s FROM ivoa.obscore WHERE rucio_did_scope = '%s' "
                  "AND rucio_did_name = '%s'" % (cols, SCOPE, name))
    return out.strip()


def literal(data):
    return "'%s'::pg_catalog.jsonb" % json.dumps(data).replace("'", "''")


@pytest.fixture
def writer():
    """A login role with exactly the rights Rucio's account has."""
    psql("DELETE FROM rucio.dids WHERE scope = '%s'" % SCOPE)
    psql("DROP OWNED BY %s" % ROLE, check=False)
    psql("DROP ROLE IF EXISTS %s" % ROLE)
    psql("CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB; "
         "GRANT USAGE ON SCHEMA rucio TO %s; "
         "GRANT SELECT, INSERT, UPDATE, DELETE ON rucio.dids TO %s"
         % (ROLE, ROLE, ROLE))
    yield ROLE
    psql("DELETE FROM rucio.dids WHERE scope = '%s'" % SCOPE)
    psql("DROP OWNED BY %s; DROP ROLE %s" % (ROLE, ROLE))


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attack_through_the_triggers(writer, attack):
    sphere = pgsphere_schema()
    if ATTACKS[attack] is None:
        setup = "\n".join(a for a in ATTACKS.values() if a is not None)
        setup += "\nCREATE TEMP TABLE dids AS SELECT * FROM rucio.dids;"
    else:
        setup = ATTACKS[attack]
    setup = EVIL + setup.replace("{sphere}", sphere)
    # Each write the triggers handle differently, in the one session that
    # holds the attacker's objects: a bulk INSERT, an INSERT of metadata
    # that fails a check (the path that reports), an UPDATE that changes
    # the metadata, one that does not, a DELETE.
    bad = dict(GOOD, obs_id="attack-2", s_dec=95, s_region="nonsense")
    changed = dict(GOOD, obs_id="attack-1b")
    p = psql_as(writer, setup + """
        INSERT INTO rucio.dids (vo, scope, name, data) VALUES
            ('def', '{scope}', 'a.fits', {good}),
            ('def', '{scope}', 'b.fits', {bad}),
            ('def', '{scope}', 'c.fits', {good});
        UPDATE rucio.dids SET data = {changed}
         WHERE scope = '{scope}' AND name = 'a.fits';
        UPDATE rucio.dids SET data = data
         WHERE scope = '{scope}' AND name = 'b.fits';
        DELETE FROM rucio.dids WHERE scope = '{scope}' AND name = 'c.fits';
        """.format(scope=SCOPE, good=literal(GOOD), bad=literal(bad),
                   changed=literal(changed)))
    assert p.returncode == 0, p.stderr
    assert superuser(writer) == "f", "the role became a superuser"
    # The writes went through and the catalogue followed them.
    assert synced("a.fits") == "attack-1b|10.5|-45.25"
    assert synced("c.fits") == ""
    out, _ = psql("SELECT count(*) FROM rucio.dids WHERE scope = '%s'" % SCOPE)
    assert out.strip() == "2"
    assert "not synchronised" not in p.stderr, p.stderr


def test_writer_cannot_create_where_definer_code_looks(writer):
    sphere = pgsphere_schema()
    assert sphere != "public"
    for sql in ("CREATE TABLE %s.x (i integer)" % sphere,
                "CREATE FUNCTION %s.x() RETURNS integer LANGUAGE sql "
                "AS 'SELECT 1'" % sphere,
                "CREATE TABLE public.x (i integer)",
                "CREATE FUNCTION ivoa.x() RETURNS integer LANGUAGE sql "
                "AS 'SELECT 1'"):
        p = psql_as(writer, sql)
        assert p.returncode != 0 and "permission denied" in p.stderr, sql


def test_definer_functions_end_their_search_path_with_pg_temp():
    out, _ = psql("""
        SELECT p.oid::regprocedure, coalesce(c.setting, '')
          FROM pg_proc AS p
          LEFT JOIN LATERAL unnest(p.proconfig) AS c (setting)
            ON c.setting LIKE 'search_path=%'
         WHERE p.pronamespace = 'ivoa'::regnamespace AND p.prosecdef""")
    rows = [l.split("|") for l in out.splitlines()]
    assert rows, "no SECURITY DEFINER function in schema ivoa"
    for fn, path in rows:
        assert path.replace(" ", "").endswith(",pg_temp"), (fn, path)


def test_writer_cannot_call_the_helpers_directly(writer):
    for sql in ("SELECT ivoa.obscore_sync_did('a', 'b', true)",
                "SELECT * FROM ivoa.obscore_write('{a}', '{b}', NULL, NULL, true)",
                "SELECT * FROM ivoa.obscore_rebuild()"):
        p = psql_as(writer, sql)
        assert p.returncode != 0 and "permission denied" in p.stderr, sql


READER = "rif_catalogue_reader"


def test_readers_of_the_catalogue_may_read_its_problems():
    """Whoever may read ivoa.obscore is given SELECT on its problems when
    the SQL is applied (on every start), and nothing more."""
    psql("DROP OWNED BY %s" % READER, check=False)
    psql("DROP ROLE IF EXISTS %s" % READER)
    psql("CREATE ROLE %s LOGIN; GRANT USAGE ON SCHEMA ivoa TO %s; "
         "GRANT SELECT ON ivoa.obscore TO %s" % (READER, READER, READER))
    try:
        p = psql_as(READER, "SELECT count(*) FROM ivoa.obscore_problems")
        assert p.returncode != 0 and "permission denied" in p.stderr
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PGHOST, "-p", "5432",
               "-U", "postgres", "-d", "rucio_ivoa", "-c", "SET client_min_messages = warning",
               "-f", os.path.join(TOP, "sql", "30_sync.sql")]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        p = psql_as(READER, "SELECT count(*) FROM ivoa.obscore_problems")
        assert p.returncode == 0, p.stderr
        p = psql_as(READER, "DELETE FROM ivoa.obscore_problems")
        assert p.returncode != 0 and "permission denied" in p.stderr
    finally:
        psql("DROP OWNED BY %s; DROP ROLE %s" % (READER, READER))
