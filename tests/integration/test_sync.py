"""rucio.dids -> ObsCore: the triggers keep the table in step with Rucio's
JSON metadata, refuse bad metadata with a NOTICE, and never block Rucio."""
import json

import pytest

from conftest import psql, request

GOOD = {"calib_level": 2, "obs_collection": "tests", "obs_id": "sync-1",
        "obs_publisher_did": "ivo://test/sync?1", "s_ra": "10.5",
        "s_dec": -45.25, "dataproduct_type": "image",
        "access_url": "http://example.org/links?id=synctest:one.fits",
        "access_format": "application/x-votable+xml;content=datalink"}


def upsert(name, data):
    text = json.dumps(data).replace("'", "''")
    return psql("INSERT INTO rucio.dids (vo, scope, name, data) VALUES "
                "('def', 'synctest', '%s', '%s'::jsonb) ON CONFLICT (scope, name) "
                "DO UPDATE SET data = EXCLUDED.data" % (name, text))


def obscore(name, cols="obs_id, s_ra, s_dec"):
    out, _ = psql("SELECT %s FROM ivoa.obscore WHERE rucio_did_scope = "
                  "'synctest' AND rucio_did_name = '%s'" % (cols, name))
    return out.strip()


@pytest.fixture(autouse=True)
def clean():
    psql("DELETE FROM rucio.dids WHERE scope = 'synctest'")
    yield
    psql("DELETE FROM rucio.dids WHERE scope = 'synctest'")


def test_insert_update_delete():
    upsert("one.fits", GOOD)
    assert obscore("one.fits") == "sync-1|10.5|-45.25"
    # The new row is found by the cone search at once.
    reply = request("/scs", {"RA": 10.5, "DEC": -45.25, "SR": 1e-6})
    assert "ivo://test/sync?1" in reply.text
    upsert("one.fits", dict(GOOD, obs_id="sync-1b", s_ra=370.0))
    assert obscore("one.fits") == "sync-1b|10|-45.25"
    psql("DELETE FROM rucio.dids WHERE scope = 'synctest' AND name = 'one.fits'")
    assert obscore("one.fits") == ""


@pytest.mark.parametrize("change,field", [
    ({"obs_id": None}, "obs_id"),
    ({"calib_level": "high"}, "calib_level"),
    ({"calib_level": 7}, "calib_level"),
    ({"s_dec": 95}, "s_dec"),
    ({"s_ra": "east"}, "s_ra"),
])
def test_bad_metadata_gets_no_row_and_a_notice(change, field):
    data = dict(GOOD, **change)
    data = {k: v for k, v in data.items() if v is not None}
    _, notices = upsert("bad.fits", data)
    # Rucio's write went through...
    out, _ = psql("SELECT count(*) FROM rucio.dids WHERE scope = 'synctest' "
                  "AND name = 'bad.fits'")
    assert out.strip() == "1"
    # ...but no ObsCore row, and a NOTICE that says which DID and why.
    assert obscore("bad.fits") == ""
    assert "NOTICE" in notices and "synctest:bad.fits" in notices
    assert field in notices


def test_update_to_bad_metadata_removes_the_row():
    upsert("flip.fits", GOOD)
    assert obscore("flip.fits") != ""
    upsert("flip.fits", dict(GOOD, s_dec="north"))
    assert obscore("flip.fits") == ""
    upsert("flip.fits", GOOD)
    assert obscore("flip.fits") != ""


def test_non_observation_metadata_is_quietly_ignored():
    _, notices = upsert("plain.fits", {"events": 10, "run": 4})
    assert obscore("plain.fits") == ""
    psql("INSERT INTO rucio.dids (vo, scope, name, data) VALUES "
         "('def', 'synctest', 'nojson.fits', NULL)")
    assert obscore("nojson.fits") == ""


def test_region_from_stcs_and_dali():
    upsert("poly1.fits", dict(GOOD, s_region="Polygon ICRS 10 -45 11 -45 11 -44"))
    upsert("poly2.fits", dict(GOOD, obs_publisher_did="ivo://test/sync?2",
                              s_region=[10, -45, 11, -45, 11, -44]))
    a = obscore("poly1.fits", "s_region")
    b = obscore("poly2.fits", "s_region")
    assert a and a == b
