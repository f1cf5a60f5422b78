"""scs.fcgi on a primary and its streaming-replication hot standby.

The test stack runs a second PostgreSQL cluster as a hot standby of the
first (tools/stack.sh STANDBY=1) and one more scs.fcgi, at /scs-standby,
whose conninfo names the primary first and the standby second with
[database] failback_interval = 2, as the README recommends for a read
replica kept as a spare.  These tests stop the primary while cones are
being asked, and measure what a client sees.
"""
import threading
import time

import pytest
from conftest import pg_ctl, psql, request

CONE = "RA=53.75308&DEC=-24.93365&SR=0.01"
WORKERS = 2                     # scs-standby's workers in tools/stack.sh
FAILBACK = 2                    # its [database] failback_interval


def on_standby():
    """How many scs.fcgi connections the standby holds."""
    out, _ = psql("SELECT count(*) FROM pg_stat_activity "
                  "WHERE application_name = 'scs.fcgi'", port=5433)
    return int(out)


def wait_for(cond, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        request("/scs-standby", CONE)          # failback looks before a request
        time.sleep(0.1)
    return cond()


class Load:
    """Cones from several client threads until stopped; every answer's
    status and time are kept."""

    def __init__(self, clients=4):
        self.answers = []
        self.running = True
        self.threads = [threading.Thread(target=self.run) for _ in range(clients)]

    def run(self):
        while self.running:
            reply = request("/scs-standby", CONE, timeout=20)
            self.answers.append((time.monotonic(), reply.status))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for t in self.threads:
            t.join(30)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_primary_stopped_while_busy(mode):
    assert wait_for(lambda: on_standby() == 0, FAILBACK + 5)
    with Load() as load:
        time.sleep(0.5)
        stopped = time.monotonic()
        pg_ctl("stop", mode=mode)
        try:
            time.sleep(2)
            after = [s for t, s in load.answers if t > stopped]
            # The standby answers; a worker may lose at most the one
            # request that was on the connection the primary cut.
            failed = [s for s in after if s != 200]
            print("primary stopped (%s): %d answers after, %d failed"
                  % (mode, len(after), len(failed)))
            assert len(after) > 20
            assert len(failed) <= WORKERS, failed
            assert on_standby() == WORKERS
        finally:
            pg_ctl("start")
        # Back on the primary within the failback interval, no answer lost.
        back = time.monotonic()
        assert wait_for(lambda: on_standby() == 0, FAILBACK + 5)
        print("back on the primary %.1f s after it started"
              % (time.monotonic() - back))
        time.sleep(0.5)
    assert all(s == 200 for t, s in load.answers if t > back)


def test_sync_rows_reach_the_standby():
    # A DID written on the primary (as Rucio writes it) reaches the
    # standby's ObsCore table through the triggers and replication.
    name = "standby-%d.fits" % time.monotonic_ns()
    written = time.monotonic()
    psql("INSERT INTO rucio.dids (vo, scope, name, data) VALUES ('def', "
         "'synctest', '%s', '{\"obs_id\": \"sb\", \"obs_publisher_did\": "
         "\"ivo://test/sb\", \"obs_collection\": \"test\", \"calib_level\": 2, "
         "\"s_ra\": 10, \"s_dec\": 20}')" % name)
    try:
        seen = None
        while time.monotonic() - written < 10:
            out, _ = psql("SELECT obs_id FROM ivoa.obscore WHERE "
                          "rucio_did_name = '%s'" % name, port=5433)
            if out.strip() == "sb":
                seen = time.monotonic() - written
                break
            time.sleep(0.01)
        print("replication lag: %.3f s" % seen if seen is not None else "not seen")
        assert seen is not None and seen < 5
    finally:
        psql("DELETE FROM rucio.dids WHERE name = '%s'" % name)


def test_standby_stopped_leaves_the_primary_alone():
    # The spare going away costs the service nothing.
    assert wait_for(lambda: on_standby() == 0, FAILBACK + 5)
    pg_ctl("stop", standby=True)
    try:
        for _ in range(2 * WORKERS):
            assert request("/scs-standby", CONE).status == 200
    finally:
        pg_ctl("start", standby=True)
