"""Simple Cone Search through nginx and spawn-fcgi, checked against an
independent brute-force computation over the catalogue rows."""
import math
import random
import re

import pytest

from conftest import SKY_ROWS, brute_force, request, votlint

ERIDANUS = (53.75308, -24.93365)


def cone(**params):
    return request("/scs", params)


def rows(reply):
    """(_r, obs_publisher_did) of each row, in the order served."""
    table = reply.votable().get_first_table().array
    return [(float(r["_r"]), str(r["obs_publisher_did"])) for r in table]


def check_cone(sky, ra, dec, sr, maxrec=10 ** 6):
    reply = cone(RA=ra, DEC=dec, SR=sr, MAXREC=maxrec, VERB=1)
    assert reply.status == 200
    got = rows(reply)
    want = brute_force(sky, ra, dec, sr)
    # Rows within a hair of the edge may fall either way in floating point.
    edge = {did for d, did in want if abs(d - sr) < 1e-9}
    assert {d for _, d in got} - edge == {d for _, d in want} - edge, (ra, dec, sr)
    # Sorted by distance, and the distance is right.
    assert [d for d, _ in got] == sorted(d for d, _ in got)
    dist = {did: d for d, did in want}
    for d, did in got:
        if did in dist:
            assert d == pytest.approx(dist[did], abs=1e-9)
    return got


def test_random_cones_match_brute_force(sky):
    rnd = random.Random(1003)
    for _ in range(30):
        ra = rnd.uniform(0, 360)
        dec = math.degrees(math.asin(rnd.uniform(-1, 1)))
        check_cone(sky, ra, dec, rnd.choice([0.3, 1, 3, 8]))


def test_ra_wraps_at_zero(sky):
    for ra in (0.1, 359.9, -0.1, 360.05):
        got = check_cone(sky, ra, 5.0, 6)
        ras = [sky[did][0][0] for _, did in got]
        assert any(r > 350 for r in ras) and any(r < 10 for r in ras)


@pytest.mark.parametrize("dec", [90, 89.5, -90, -88])
def test_cones_around_the_poles(sky, dec):
    got = check_cone(sky, 123.4, dec, 4)
    ras = [sky[did][0][0] for _, did in got]
    # A cap over the pole holds rows on opposite sides of it.
    assert max(ras) - min(ras) > 180


def test_tiny_radius_finds_exact_positions(sky):
    got = check_cone(sky, ERIDANUS[0], ERIDANUS[1], 1e-7)
    assert len(got) == 2 and all(d == 0 for d, _ in got)


def test_whole_sky_and_wide_cones(sky):
    npos = sum(len(v) for v in sky.values())
    assert npos >= SKY_ROWS
    got = check_cone(sky, 10, 20, 180, maxrec=npos + 10)
    assert len(got) == npos
    check_cone(sky, 200, -30, 120, maxrec=npos + 10)
    check_cone(sky, 200, -30, 90, maxrec=npos + 10)


def test_sr_zero_returns_metadata_only():
    reply = cone(RA=10, DEC=10, SR=0)
    assert reply.status == 200
    table = reply.votable().get_first_table()
    assert len(table.array) == 0
    names = [f.name for f in table.fields]
    assert names[0] == "_r" and "s_region" in names and "access_url" in names
    assert "OVERFLOW" not in reply.text


def test_verbosity_levels():
    counts = []
    for verb in (1, 2, 3):
        table = cone(RA=10, DEC=10, SR=0, VERB=verb).votable().get_first_table()
        counts.append(len(table.fields))
    assert counts[0] < counts[1] < counts[2] == 63
    # pyvo always sends VERB=2; the prototype's users read these columns.
    names = [f.name for f in cone(RA=1, DEC=1, SR=0, VERB=2).votable()
             .get_first_table().fields]
    for col in ("_r", "obs_id", "s_ra", "s_dec", "access_url", "access_format"):
        assert col in names


def test_scs_ucds():
    table = cone(RA=10, DEC=10, SR=0, VERB=3).votable().get_first_table()
    ucds = {f.name: f.ucd for f in table.fields}
    assert ucds["obs_publisher_did"] == "ID_MAIN"
    assert ucds["s_ra"] == "POS_EQ_RA_MAIN"
    assert ucds["s_dec"] == "POS_EQ_DEC_MAIN"
    assert list(ucds.values()).count("ID_MAIN") == 1


def test_maxrec_overflow(sky):
    reply = cone(RA=ERIDANUS[0], DEC=ERIDANUS[1], SR=10, MAXREC=5)
    got = rows(reply)
    assert len(got) == 5
    # DALI 1.1 §4.2: the status before the table says OVERFLOW.
    assert re.search(r'<RESOURCE type="results">\s*<INFO name="QUERY_STATUS" '
                     r'value="OVERFLOW"', reply.text)
    assert 'value="OK"' not in reply.text
    want = brute_force(sky, ERIDANUS[0], ERIDANUS[1], 10)[:5]
    assert [round(d, 9) for d, _ in got] == [round(d, 9) for d, _ in want]
    # Exactly as many rows as exist: no overflow.
    n = len(brute_force(sky, ERIDANUS[0], ERIDANUS[1], 2))
    reply = cone(RA=ERIDANUS[0], DEC=ERIDANUS[1], SR=2, MAXREC=n)
    assert len(rows(reply)) == n and "OVERFLOW" not in reply.text


def test_maxrec_zero_flags_overflow():
    reply = cone(RA=ERIDANUS[0], DEC=ERIDANUS[1], SR=1, MAXREC=0)
    assert len(rows(reply)) == 0
    assert 'value="OVERFLOW"' in reply.text


ERRORS = [
    ("DEC=1&SR=1", "RA: missing"),
    ("RA=1&SR=1", "DEC: missing"),
    ("RA=1&DEC=1", "SR: missing"),
    ("RA=1&DEC=91&SR=1", "DEC: 91 is out of range"),
    ("RA=abc&DEC=1&SR=1", "RA: 'abc' is not a decimal number"),
    ("RA=1&DEC=1&SR=-2", "SR: -2 is out of range"),
    ("RA=1&DEC=1&SR=1&RA=2", "RA: given 2 times"),
    ("RA=1&DEC=1&SR=1&VERB=9", "VERB: 9 is out of range"),
    ("RA=1&DEC=1&SR=1&MAXREC=lots", "MAXREC: 'lots' is not an integer"),
    ("RA=1&DEC=1&SR=1&RESPONSEFORMAT=fits", "RESPONSEFORMAT: this service"),
    ("RA=1&DEC=1&SR=1e999", "SR: '1e999' is not a decimal number"),
    ("RA=%zz&DEC=1&SR=1", "malformed percent-encoding"),
    ("RA=<b>&DEC=1&SR=1", "RA: '<b>' is not a decimal number"),
]


@pytest.mark.parametrize("query,message", ERRORS)
def test_errors_are_scs_error_documents(query, message):
    reply = request("/scs", query)
    # Cone Search 1.03 §2 item 3: a VOTable with INFO name="Error", HTTP 200.
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/xml")
    vot = reply.votable()
    errors = [i for i in vot.infos if i.name == "Error"]
    assert len(errors) == 1 and message in errors[0].value
    assert 'name="QUERY_STATUS" value="ERROR"' in reply.text


def test_unknown_parameters_are_ignored():
    reply = cone(RA=ERIDANUS[0], DEC=ERIDANUS[1], SR=0.01, CAT="x", FOO="bar")
    assert len(rows(reply)) == 2


def test_post_form_body():
    reply = request("/scs", method="POST",
                    data={"RA": ERIDANUS[0], "DEC": ERIDANUS[1], "SR": 0.01})
    assert reply.status == 200 and len(rows(reply)) == 2


def test_case_insensitive_names_and_pyvo_numbers():
    reply = request("/scs", "ra=53.75308&dec=-24.93365&sr=1e-05&verb=2")
    assert len(rows(reply)) == 2


def test_responseformat_media_type_is_echoed():
    reply = cone(RA=1, DEC=1, SR=0, RESPONSEFORMAT="application/x-votable+xml")
    assert reply.headers["Content-Type"] == "application/x-votable+xml"
    reply = cone(RA=1, DEC=1, SR=0, RESPONSEFORMAT="votable")
    assert reply.headers["Content-Type"].startswith("text/xml")


def test_method_not_allowed():
    reply = request("/scs", "RA=1&DEC=1&SR=1", method="PUT", data=b"x")
    assert reply.status == 405
    assert "Error" in reply.text


def test_regions_and_timestamps_are_dali_values():
    reply = cone(RA=ERIDANUS[0], DEC=ERIDANUS[1], SR=0.01, VERB=3)
    table = reply.votable().get_first_table()
    region = table.array["s_region"][0]
    assert len(region) >= 6 and len(region) % 2 == 0
    assert votlint(reply.body) == []
