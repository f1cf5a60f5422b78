"""ivoa.obscore_rebuild(): the catalogue and its problems rebuilt from
rucio.dids as it stands, e.g. after DIDs were written while the triggers
were off (an UPDATE that rewrites the same metadata does nothing, since the
triggers skip unchanged metadata)."""
import json

import pytest

from conftest import psql

SCOPE = "rebuildtest"
GOOD = {"calib_level": 2, "obs_collection": "rebuild", "obs_id": "r-1",
        "obs_publisher_did": "ivo://test/rebuild?1", "s_ra": "71.9", "s_dec": "-51.7",
        "s_region": "{(71.91d,-51.78d),(72.24d,-51.78d),(72.24d,-51.58d),(71.92d,-51.58d)}"}


def write(name, data):
    psql("INSERT INTO rucio.dids (vo, scope, name, data) VALUES ('def', '%s', '%s', '%s'::jsonb) "
         "ON CONFLICT (scope, name) DO UPDATE SET data = EXCLUDED.data"
         % (SCOPE, name, json.dumps(data).replace("'", "''")))


def obscore(name, cols="obs_id"):
    out, _ = psql("SELECT %s FROM ivoa.obscore WHERE rucio_did_scope = '%s' "
                  "AND rucio_did_name = '%s'" % (cols, SCOPE, name))
    return out.strip()


def problems(name):
    out, _ = psql("SELECT string_agg(field, ',' ORDER BY field) FROM ivoa.obscore_problems "
                  "WHERE scope = '%s' AND name = '%s'" % (SCOPE, name))
    return out.strip()


def rebuild(batch=None):
    out, notices = psql("SELECT * FROM ivoa.obscore_rebuild(%s)" % (batch or ""))
    dids, written, unchanged, found = map(int, out.strip().split("|"))
    assert "ivoa.obscore_rebuild: %d DIDs read" % dids in notices
    return dids, written, unchanged, found


@pytest.fixture(autouse=True)
def clean():
    psql("DELETE FROM rucio.dids WHERE scope = '%s'" % SCOPE)
    yield
    psql("ALTER TABLE rucio.dids ENABLE TRIGGER USER")
    psql("DELETE FROM rucio.dids WHERE scope = '%s'" % SCOPE)


def test_rebuild_after_the_triggers_were_off():
    # Written while the triggers ran: in the catalogue.
    write("stale.fits", dict(GOOD, obs_id="stale"))
    write("gone.fits", dict(GOOD, obs_id="gone"))
    assert obscore("stale.fits") == "stale" and obscore("gone.fits") == "gone"

    psql("ALTER TABLE rucio.dids DISABLE TRIGGER USER")
    try:
        write("good.fits", GOOD)
        write("optional.fits", dict(GOOD, s_fov=-1, s_region="{(0d,0d),(10d,0d),(0d,10d),(10d,10d)}"))
        write("required.fits", dict(GOOD, obs_id=None))
        write("plain.fits", {"events": 3})
        write("stale.fits", dict(GOOD, obs_id="fresh"))
        psql("DELETE FROM rucio.dids WHERE scope = '%s' AND name = 'gone.fits'" % SCOPE)
    finally:
        psql("ALTER TABLE rucio.dids ENABLE TRIGGER USER")
    # The catalogue did not follow.
    assert obscore("good.fits") == "" and obscore("optional.fits") == ""
    assert obscore("stale.fits") == "stale" and obscore("gone.fits") == "gone"

    dids, written, unchanged, found = rebuild(1000)
    assert obscore("good.fits", "obs_id, s_region IS NOT NULL") == "r-1|t"
    assert obscore("optional.fits", "obs_id, s_fov, s_region IS NULL") == "r-1||t"
    assert obscore("required.fits") == "" and obscore("plain.fits") == ""
    assert obscore("stale.fits") == "fresh" and obscore("gone.fits") == ""
    assert problems("optional.fits") == "s_fov,s_region"
    assert problems("required.fits") == "obs_id"
    assert problems("good.fits") == "" and problems("plain.fits") == ""
    out, _ = psql("SELECT count(*) FROM rucio.dids")
    assert dids == int(out)
    # good, optional, stale; every other row was already right.
    assert written >= 3 and unchanged >= 1
    out, _ = psql("SELECT count(*) FROM ivoa.obscore_problems")
    assert found == int(out) and found >= 3

    # Again, in batches of another size: nothing left to write.
    assert rebuild() == (dids, 0, written + unchanged, found)


def test_rebuild_is_for_the_owner():
    out, _ = psql("SELECT has_function_privilege('public', 'ivoa.obscore_rebuild(integer)', "
                  "'EXECUTE')", check=False)
    assert out.strip() == "f"
