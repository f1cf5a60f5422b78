#!/usr/bin/python3
"""The soak: every endpoint driven through nginx at once while faults are
injected from a schedule, then one table and a verdict.

Started by tools/soak.sh against a stack of its own (hot standby included);
it reads that stack's layout from the environment tools/soak.sh exports.
Every request loop is bounded by the run's end and by a request count, and
all traffic stays on loopback.

The verdict fails on any unexpected answer (a 502, an answer past the
client's deadline, a malformed document, an error outside the fault
windows), on a worker that died without being killed on purpose, on a
killed worker its watcher (multiwatch, as systemd in production) did not
replace within 2 s, and on a worker whose RSS grew by more than 1 MiB or
whose open files grew at all
between the end of the warm-up and the end.
"""
import argparse
import http.client
import json
import socket
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import stack_workers  # noqa: E402  (tests/, beside this folder)

HTTP = os.environ["SOAK_HTTP"]
STATE = os.environ["SOAK_STATE"]
TOP = os.environ["SOAK_TOP"]
STANDIN = int(os.environ["SOAK_STANDIN_PORT"])
STANDINS = {"rucio": STANDIN, "sites": STANDIN + 1, "dm_api": STANDIN + 2,
            "oauth2": STANDIN + 3, "soda": STANDIN + 4}
PROGRAMS = ["scs", "scs-standby", "tap", "links", "soda"]
WINDOW = 10                     # seconds of samples compared at each end
CLIENT_TIMEOUT = 75             # above nginx's read timeouts: a hang is ours
MAX_REQUESTS = 10_000_000       # per client thread, a bound beside the time
KNOWN = "testing:PTF10tce.fits"
CUT = "CIRCLE=349.7905833+9.196+0.05"
# Cutouts of two sizes at once: the SODA stand-in's default (1 MiB) for
# KNOWN, and LARGE_SIZE for LARGE, which the soak sets as a knob.
LARGE = "testing:PTF10tce_g.fits"
LARGE_SIZE = 100 * 1024 * 1024


class Answer:
    __slots__ = ("endpoint", "start", "end", "status", "verdict", "note")

    def __init__(self, endpoint, start, end, status, verdict, note=""):
        self.endpoint, self.start, self.end = endpoint, start, end
        self.status, self.verdict, self.note = status, verdict, note


# --- what each endpoint answers, and whether it is well formed ------------

def votable_ok(body):
    return body.startswith(b"<?xml") and body.rstrip().endswith(b"</VOTABLE>")


def check_scs(status, headers, body):
    if status == 200 and votable_ok(body) and b'name="Error"' not in body:
        return "ok", ""
    if status == 503 and votable_ok(body) and b'name="Error"' in body:
        return "error", "503 Error"
    return "unexpected", "%d %r" % (status, body[:120])


def check_tap(status, headers, body):
    error = b'name="QUERY_STATUS" value="ERROR"' in body
    if status == 200 and votable_ok(body) and not error:
        return "ok", ""
    if status == 503 and votable_ok(body) and error:
        return "error", "503 ERROR"
    return "unexpected", "%d %r" % (status, body[:120])


def check_links(status, headers, body):
    if status == 200 and votable_ok(body):
        return ("error", "fault rows") if b"TransientFault" in body else ("ok", "")
    if status == 503 and votable_ok(body) and b"TransientFault" in body:
        return "error", "503 TransientFault"
    return "unexpected", "%d %r" % (status, body[:120])


def check_soda(status, headers, body, length=None):
    if status == 200:
        want = headers.get("Content-Length")
        if want is not None and length is not None and int(want) != length:
            # A cut the proxy made on purpose (the site broke off) is
            # announced by the connection closing short: expected in a
            # fault window, unexpected outside one.
            return "error", "short %d of %s" % (length, want)
        return "ok", ""
    if status in (503, 504) and body.startswith(b"ServiceUnavailable"):
        return "error", "%d ServiceUnavailable" % status
    return "unexpected", "%d %r" % (status, body[:120])


# --- the clients --------------------------------------------------------

class Run:
    def __init__(self, seconds, warmup):
        self.t0 = time.monotonic()
        self.end = self.t0 + seconds
        self.warmup_end = self.t0 + warmup
        self.answers = []
        self.lock = threading.Lock()

    def now(self):
        return time.monotonic() - self.t0

    def record(self, a):
        with self.lock:
            self.answers.append(a)

    def running(self):
        return time.monotonic() < self.end


def fetch(url, slow=False, give_up_after=None, stream=False):
    """GET URL: (status, headers, body, bytes read).  SLOW reads in small
    pieces with pauses; GIVE_UP_AFTER closes after that many bytes; STREAM
    reads in pieces and keeps only the first (a large cutout)."""
    req = urllib.request.Request(url)
    try:
        r = urllib.request.urlopen(req, timeout=CLIENT_TIMEOUT)
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read(), None
    with r:
        if not slow and give_up_after is None and not stream:
            try:
                body = r.read()
            except http.client.IncompleteRead as e:
                body = e.partial
            return r.status, r.headers, body, len(body)
        n, first = 0, b""
        while True:
            try:
                piece = r.read(1 << 20 if stream else 16384)
            except http.client.IncompleteRead as e:
                piece = b""
                n += len(e.partial)
            if not piece:
                break
            if not first:
                first = piece[:200]
            n += len(piece)
            if give_up_after is not None and n >= give_up_after:
                return r.status, r.headers, first, None
            if slow:
                time.sleep(0.01)
        return r.status, r.headers, first, n


def client(run, endpoint, make_url, check, **kw):
    """Ask make_url()'s URLs until the run ends; make_url may also give
    (label, URL) to file an answer under an endpoint label of its own."""
    for _ in range(MAX_REQUESTS):
        if not run.running():
            return
        url, label = make_url(), endpoint
        if isinstance(url, tuple):
            label, url = url
        start = run.now()
        try:
            status, headers, body, length = fetch(url, **kw)
            if endpoint.startswith("soda"):
                verdict, note = check(status, headers, body, length)
            else:
                verdict, note = check(status, headers, body)
        except (socket.timeout, TimeoutError) as e:
            status, verdict, note = 0, "unexpected", "no answer in time"
        except Exception as e:      # a refused connection, a cut
            # A relayed cutout cut short is how the proxy reports a site
            # that broke off: expected while a fault lasts.
            status, note = 0, repr(e)[:160]
            verdict = "error" if endpoint.startswith("soda") else "unexpected"
        run.record(Answer(label, start, run.now(), status, verdict, note))


def cone_url(path):
    def make():
        r = random.random()
        if r < 0.05:        # 10,000 rows of a wide cone, timed apart
            return path.strip("/") + "-10k", "%s%s?RA=%.4f&DEC=%.4f&SR=60&MAXREC=10000" % (
                HTTP, path, random.uniform(0, 360), random.uniform(-60, 60))
        sr = random.choice([0.1, 1, 5])
        return "%s%s?RA=%.4f&DEC=%.4f&SR=%g" % (
            HTTP, path, random.uniform(0, 360), random.uniform(-89, 89), sr)
    return make


def tap_url():
    query = ("SELECT TOP 200 obs_id, s_ra, s_dec, s_region FROM ivoa.obscore "
             "WHERE CONTAINS(POINT('ICRS', s_ra, s_dec), "
             "CIRCLE('ICRS', %.4f, %.4f, %g)) = 1" % (
                 random.uniform(0, 360), random.uniform(-89, 89),
                 random.choice([0.5, 2])))
    return HTTP + "/tap/sync?" + urllib.parse.urlencode(
        {"REQUEST": "doQuery", "LANG": "ADQL", "QUERY": query})


def links_url():
    ids = random.choice([[KNOWN], ["nope:missing.fits"],
                         [KNOWN, "testing:PTF10tce_set", "nope:missing.fits"]])
    return HTTP + "/links?" + "&".join("ID=" + i for i in ids) + \
        "&client_ip_address=130.246.210.120"


def soda_url(did=KNOWN):
    return "%s/soda/sync?ID=%s&%s&client_ip_address=130.246.210.120" % (
        HTTP, did, CUT)


def start_clients(run):
    threads = []
    for path in ("/scs", "/scs", "/scs-standby"):
        threads.append(threading.Thread(target=client, args=(
            run, path.strip("/"), cone_url(path), check_scs)))
    threads.append(threading.Thread(target=client, args=(
        run, "tap", tap_url, check_tap)))
    for _ in range(3):
        threads.append(threading.Thread(target=client, args=(
            run, "links", links_url, check_links)))
    threads.append(threading.Thread(target=client, args=(
        run, "soda", soda_url, check_soda)))
    threads.append(threading.Thread(target=client, args=(
        run, "soda", soda_url, check_soda), kwargs={"slow": True}))
    threads.append(threading.Thread(target=client, args=(
        run, "soda", soda_url, check_soda), kwargs={"give_up_after": 65536}))
    threads.append(threading.Thread(target=client, args=(
        run, "soda-100M", lambda: soda_url(LARGE), check_soda),
        kwargs={"stream": True}))
    for t in threads:
        t.daemon = True
        t.start()
    return threads


# --- faults ---------------------------------------------------------------

def soda_sizes():
    control("soda", sizes={LARGE.split(":", 1)[1]: LARGE_SIZE})


def control(name, **knobs):
    req = urllib.request.Request(
        "http://127.0.0.1:%d/_control" % STANDINS[name], method="POST",
        data=json.dumps(knobs).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


def as_postgres(cmd):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd


def pg_ctl(action, mode):
    pg = os.path.join(STATE, "pg")
    subprocess.run(as_postgres([
        "/usr/lib/postgresql/15/bin/pg_ctl", "-D", os.path.join(pg, "data"),
        "-w", "-m", mode, "-l", os.path.join(pg, "server.log"), "-o",
        "-k %s -p 5432 -c listen_addresses= -c max_connections=200" % pg,
        action]), check=True, capture_output=True, timeout=120)


def pids(program):
    return stack_workers.workers(STATE, program)


class Fault:
    def __init__(self, line):
        f = line.split()
        self.start, self.duration = float(f[0]), float(f[1])
        self.target, self.action = f[2], f[3]
        self.arg = f[4] if len(f) > 4 else None
        self.text = " ".join(f[2:])
        self.killed = []
        self.begun = False

    def grace(self):
        # What the configuration lets a recovery take: the database's
        # one-second retry spacing; an upstream's back-off, whose step in
        # force when a fault ends is at most its length (capped at 60 s).
        if self.target == "pg":
            return 2 + 1
        if self.target in ("rucio", "sites", "oauth2", "dm_api"):
            return 2 + min(60, self.duration)
        return 2

    def begin(self):
        t, a = self.target, self.action
        if t == "pg":
            pg_ctl("restart" if a == "restart" else "stop", self.arg)
        elif t == "worker":
            victims = pids(self.arg)
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                self.killed.append(victims[0])
                self.replaced = self.await_replacement(victims)
        elif a == "down":
            control(t, fail="down")
        elif a == "slow":
            control(t, delay_ms=int(self.arg))
        elif a == "status":
            control(t, fail=self.arg)
        elif a == "malformed":
            control(t, fail="malformed")
        elif a == "tokens-expire":
            control(t, token_lifetime_s=1)
        elif a == "drop":
            control(t, drop_after=int(self.arg))
        elif a == "stall":
            control(t, stall_after=int(self.arg))
        else:
            raise SystemExit("faults: unknown action " + self.text)

    def await_replacement(self, before):
        """Seconds until the watcher has as many workers as BEFORE again,
        none of them the killed one; None after 5 s."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5:
            now = pids(self.arg)
            if len(now) >= len(before) and before[0] not in now:
                return time.monotonic() - t0
            time.sleep(0.02)
        return None

    def finish(self):
        if self.target == "pg" and self.action == "stop":
            pg_ctl("start", "fast")
        elif self.target not in ("pg", "worker"):
            control(self.target, reset=True)
            if self.target == "soda":
                soda_sizes()


def read_schedule(path, seconds):
    faults = []
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            f = Fault(line)
            # Room after it for the recovery to be seen.
            if f.start + f.duration + f.grace() + 5 <= seconds:
                faults.append(f)
    return faults


def run_faults(run, faults, log):
    for f in faults:
        while run.now() < f.start and run.running():
            time.sleep(0.05)
        if not run.running():
            return
        log.append((run.now(), "begin " + f.text))
        f.begun = True
        f.begin()
        while run.now() < f.start + f.duration and run.running():
            time.sleep(0.05)
        f.finish()
        f.ended = run.now()
        log.append((f.ended, "end " + f.text))


# --- sampling -----------------------------------------------------------

def proc(pid):
    try:
        rss = 0
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        return rss, len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def sampler(run, samples, backends):
    while run.running():
        t = run.now()
        for program in PROGRAMS:
            for pid in pids(program):
                v = proc(pid)
                samples.setdefault((program, pid), []).append((t, v))
        out = subprocess.run(as_postgres([
            "psql", "-X", "-At", "-h", os.path.join(STATE, "pg"), "-p", "5432",
            "-U", "postgres", "-d", "postgres", "-c",
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"]),
            capture_output=True, text=True)
        if out.returncode == 0:
            backends.append((t, int(out.stdout)))
        time.sleep(1)


# --- the verdict ----------------------------------------------------------

def window_of(a, faults):
    """The fault an answer falls under: one in force while it was asked,
    else the latest whose recovery grace it falls in."""
    last = None
    for f in faults:
        end = getattr(f, "ended", f.start + f.duration)
        if f.start <= a.end and a.start <= end:
            return f
        if f.start <= a.end and a.start <= end + f.grace():
            last = f
    return last


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100.0 * len(values)))]


def report(run, faults, samples, backends, log, rss_budget=True):
    failures = []
    rows = {}
    for a in run.answers:
        f = window_of(a, faults)
        if a.verdict == "error" and f is None:
            a.verdict, a.note = "unexpected", "outside any fault: " + a.note
        key = (a.endpoint, f.text if f else "-")
        rows.setdefault(key, []).append(a)
    print("\n%-12s %-28s %8s %8s %8s %6s %9s %9s" % (
        "endpoint", "fault window", "answers", "ok", "errors", "unexp",
        "p50", "p99"))
    for (endpoint, window), answers in sorted(rows.items()):
        lat = [x.end - x.start for x in answers]
        unexpected = [x for x in answers if x.verdict == "unexpected"]
        print("%-12s %-28s %8d %8d %8d %6d %8.1fms %8.1fms" % (
            endpoint, window[:28], len(answers),
            sum(x.verdict == "ok" for x in answers),
            sum(x.verdict == "error" for x in answers), len(unexpected),
            1000 * percentile(lat, 50), 1000 * percentile(lat, 99)))
        for x in unexpected[:3]:
            failures.append("%s at %.1f s (%s): %s" % (endpoint, x.start, window, x.note))
    # Recovery: the first good answer of each endpoint after a window
    # (a wide cone is its endpoint's answer like any other).
    print("\nrecovery (first good answer after the fault ended):")
    base = {a.endpoint: a.endpoint.replace("-10k", "") for a in run.answers}
    for f in faults:
        if not hasattr(f, "ended"):
            continue
        for endpoint in sorted(set(base.values())):
            good = [a.end for a in run.answers if base[a.endpoint] == endpoint and
                    a.verdict == "ok" and a.end >= f.ended]
            took = (min(good) - f.ended) if good else None
            print("  %-28s %-12s %s" % (f.text[:28], endpoint,
                                         "%.2f s" % took if took is not None else "none"))
            if took is None or took > f.grace():
                failures.append("%s did not recover within %.0f s after %s"
                                % (endpoint, f.grace(), f.text))
    killed = {pid for f in faults for pid in f.killed}
    # The supervisor must bring a killed worker back, and soon: a
    # missing worker is capacity lost for as long as it is missing.
    for f in faults:
        if f.killed:
            took = getattr(f, "replaced", None)
            print("\n%s: the watcher replaced it %s" % (
                f.text, "in %.2f s" % took if took is not None else "NOT within 5 s"))
            if took is None or took > 2:
                failures.append("%s was not replaced within 2 s" % f.text)
    print("\nworkers (RSS KiB and open files, end of warm-up -> end):")
    warm = run.warmup_end - run.t0
    calm = min([f.start for f in faults] + [run.end - run.t0])
    for (program, pid), s in sorted(samples.items()):
        alive = [(t, v) for t, v in s if v is not None]
        if s[-1][1] is None and pid not in killed:
            failures.append("%s worker %d died" % (program, pid))
        after = [v for t, v in alive if t >= warm]
        # A worker started during the run (one replacing a killed one) has
        # no warmed-up baseline to be compared with.
        if pid in killed or len(after) < 2 * WINDOW or s[0][0] > warm:
            continue
        # A worker serving a request holds its connection's descriptor and
        # the request's memory: compare its quietest seconds at both ends,
        # the first before any fault (one can close its database socket).
        quiet = [v for t, v in alive if warm <= t < calm]
        first, last = (quiet or after)[:WINDOW], after[-WINDOW:]
        rss0, rss1 = max(r for r, _ in first), max(r for r, _ in last)
        fd0, fd1 = min(f for _, f in first), min(f for _, f in last)
        print("  %-12s %7d  RSS %6d -> %6d   files %3d -> %3d" % (
            program, pid, rss0, rss1, fd0, fd1))
        if rss_budget and rss1 - rss0 > 1024:
            failures.append("%s worker %d grew %d KiB" % (program, pid, rss1 - rss0))
        if fd1 > fd0:
            failures.append("%s worker %d holds %d more files" % (program, pid, fd1 - fd0))
    if backends:
        print("\nPostgreSQL client backends: min %d, max %d" % (
            min(b for _, b in backends), max(b for _, b in backends)))
    print("\nfaults:")
    for t, text in log:
        print("  %7.1f s  %s" % (t, text))
    print("\nverdict: %s" % ("PASS" if not failures else "FAIL"))
    for f in failures[:40]:
        print("  " + f)
    return not failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--warmup", type=float, default=20)
    ap.add_argument("--schedule", default=os.path.join(TOP, "tests/soak/faults.txt"))
    # AddressSanitizer keeps freed memory in quarantine, so RSS grows by
    # design; LeakSanitizer's report at exit stands for the budget.
    ap.add_argument("--sanitizer-build", action="store_true")
    args = ap.parse_args()
    run = Run(args.seconds, args.warmup)
    faults = read_schedule(args.schedule, args.seconds)
    samples, backends, log = {}, [], []
    soda_sizes()
    threads = start_clients(run)
    sampling = threading.Thread(target=sampler, args=(run, samples, backends), daemon=True)
    sampling.start()
    try:
        run_faults(run, faults, log)
    finally:
        while run.running():
            time.sleep(0.2)
        for t in threads:
            t.join(CLIENT_TIMEOUT + 5)
        sampling.join(10)
        for f in faults:                # leave the stack as it was
            if f.begun and not hasattr(f, "ended") and f.target != "worker":
                try:
                    f.finish()
                except Exception:
                    pass
    print("soak: %.0f s, %d answers" % (args.seconds, len(run.answers)))
    sys.exit(0 if report(run, faults, samples, backends, log,
                         rss_budget=not args.sanitizer_build) else 1)


if __name__ == "__main__":
    main()
