"""Real clients: pyvo's cone search, STILTS votlint and astropy's strict
VOTable parser on every kind of response."""
import pytest
import pyvo
from pyvo.dal.exceptions import DALQueryError

from conftest import HTTP, HTTPS, request, votlint

ERIDANUS = (53.75308, -24.93365)


def test_pyvo_prototype_notebook_query():
    # The prototype notebook's call, on its public path.
    results = pyvo.dal.conesearch(HTTP + "/rucio/rucio/cone/scs.xml",
                                  pos=ERIDANUS, radius=1)
    table = results.to_table()
    cols = table["_r", "obs_id", "s_ra", "s_dec", "access_url", "access_format"]
    exact = [row for row in cols if row["_r"] == 0.0]
    assert len(exact) == 2
    assert {row["obs_id"] for row in exact} == {"Eridanus_full_image"}
    for row in exact:
        assert row["access_format"] == "application/x-votable+xml;content=datalink"
        assert "/links?id=" in row["access_url"]
    # rec.pos and rec.id work only with the SCS 1.03 UCDs.
    first = results[0]
    assert first.pos.ra.deg == pytest.approx(ERIDANUS[0])
    assert first.id


def test_pyvo_on_the_short_path():
    results = pyvo.dal.conesearch(HTTP + "/scs", pos=(349.7905833, 9.196),
                                  radius=0.001)
    assert "testing:PTF10tce.fits" in [r["rucio_did_scope"] + ":" +
                                       r["rucio_did_name"] for r in results]


def test_pyvo_sees_errors():
    # The service's message reaches the user as pyvo's exception.
    with pytest.raises(DALQueryError, match=r"SR: 200\.0 is out of range"):
        pyvo.dal.conesearch(HTTP + "/scs", pos=(10, 45), radius=200)


def test_pyvo_columns_metadata_query():
    # .columns sends RA=0&DEC=0&SR=0.
    svc = pyvo.dal.SCSService(HTTP + "/scs")
    names = [f.name for f in svc.columns]
    assert "_r" in names and "s_ra" in names


KINDS = {
    "results": "RA=53.75308&DEC=-24.93365&SR=3&VERB=3",
    "metadata": "RA=0&DEC=0&SR=0&VERB=3",
    "overflow": "RA=53.75308&DEC=-24.93365&SR=10&MAXREC=3",
    "empty": "RA=53.75308&DEC=-24.93365&SR=0.0000001&MAXREC=3&VERB=2",
    "error": "RA=1&DEC=-91&SR=1",
    "missing": "",
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_response_passes_votlint_and_astropy(kind):
    reply = request("/scs", KINDS[kind])
    assert reply.status == 200
    assert votlint(reply.body) == []
    reply.votable()   # verify="exception": any warning fails


def test_https_serves_the_same():
    reply = request("/scs", KINDS["results"], base=HTTPS)
    assert reply.status == 200
    assert len(reply.votable().get_first_table().array) > 0
