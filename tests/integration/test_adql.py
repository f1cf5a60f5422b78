"""The ADQL emitter's SQL on the real database.

tests/unit/adql/accept.txt pins the SQL each ADQL query becomes (the unit
tests check the emitter writes exactly that); here every pinned statement
over ivoa.obscore alone runs on the stack's PostgreSQL with pgSphere, so a
translation PostgreSQL or pgSphere would refuse cannot pass, and the cone's
plan uses the spatial index.
"""
import os

from conftest import TOP, psql

CASES = os.path.join(TOP, "tests", "unit", "adql", "accept.txt")
OTHER_TABLES = ('"cat".', '"tap_schema".')


def pinned():
    """(ADQL, SQL) for every accepted case, in file order."""
    cases = []
    with open(CASES, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    for block in blocks:
        lines = [l for l in block.strip("\n").split("\n")
                 if l and not l.startswith(("#", "@"))]
        if "=>" not in lines:
            continue
        i = lines.index("=>")
        cases.append(("\n".join(lines[:i]), " ".join(lines[i + 1:])))
    return cases


def obscore_cases():
    return [(a, s) for a, s in pinned()
            if not any(t in s for t in OTHER_TABLES)]


# Where tap.fcgi will find pgSphere: its own schema (public before it had one).
PATH = "SET search_path = pg_catalog, pgsphere, public; "


def test_every_obscore_translation_runs():
    cases = obscore_cases()
    assert len(cases) >= 40
    for adql, sql in cases:
        _, err = psql(PATH + "SELECT count(*) FROM (%s) AS q" % sql,
                      check=False)
        assert "ERROR" not in err, (adql, sql, err)


def test_the_cone_uses_the_spatial_index():
    adql, sql = pinned()[0]
    assert "CONTAINS" in adql and "<@ scircle" in sql
    plan, _ = psql(PATH + "EXPLAIN " + sql)
    assert "Index Scan" in plan or "Bitmap Index Scan" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_an_overlap_uses_the_region_index():
    adql, sql = [c for c in pinned() if "INTERSECTS(s_region" in c[0]][0]
    plan, _ = psql(PATH + "SET enable_seqscan = off; EXPLAIN " + sql)
    assert "obscore_s_region_idx" in plan, plan
