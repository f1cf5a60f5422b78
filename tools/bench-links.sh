#!/bin/sh
# The DataLink benchmark (part of make bench).
#
# links.fcgi behind nginx, its upstreams (Rucio, the site directory) served
# by a second nginx from fixed answers (tests/bench/upstream), so that the
# numbers are links.fcgi's own:
#   - zero upstream delay, 8 connections: requests/s, latency, and per
#     request (from links.fcgi's log) its time in the program, the part of
#     it spent in upstream calls, the rest (its own), and its CPU;
#   - Rucio 50 ms late, 32 connections: requests/s against the bound that
#     the upstream sets, 32 / 0.05 s = 640/s;
# with the CPU seconds of each side (links.fcgi, the front nginx, the
# upstream nginx, wrk) over each run.
# Settings: BENCH_SECONDS (10), LINKS_WORKERS (64).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
export STATE="$top/.state/bench-links" HTTP_PORT=29080 HTTPS_PORT=29443
export QUIET=1 SKY_ROWS=1000 WORKERS=1 BUILD=${BUILD:-build}
export LINKS_WORKERS=${LINKS_WORKERS:-64}
SECONDS_=${BENCH_SECONDS:-10}
FAST=29191 SLOW=29192
ID="sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits"
Q="/links?ID=$ID&client_ip_address=130.246.210.120&must_include_soda=true"

upstream_nginx() {
    nginx -p "$STATE/nginx" -c "$STATE/upstream.conf" "$@"
}
cleanup() {
    upstream_nginx -s quit 2>/dev/null || true
    "$top/tools/stack.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

"$top/tools/stack.sh" start
sed -e "s|@STATE@|$STATE|g" -e "s|@FAST_PORT@|$FAST|g" -e "s|@SLOW_PORT@|$SLOW|g" \
    -e "s|@DATA@|$top/tests/bench/upstream|g" "$top/tests/bench/upstream.conf.in" \
    >"$STATE/upstream.conf"
cp "$top/tests/bench/upstream-routes.conf" "$STATE/upstream-routes.conf"
upstream_nginx

# links.fcgi on the benchmark upstream at PORT, in the stack's place.
links_on() {
    sed -e "/^\[rucio\]/,/^\[/ s|^url = .*|url = http://127.0.0.1:$1|" \
        -e "/^\[sites\]/,/^\[/ s|^url = .*|url = http://127.0.0.1:$1/v1|" \
        -e "/^\[log\]/,/^\[/ s|^file = .*|file = $STATE/log/links-bench.log|" \
        "$STATE/rucio-ivoa.ini" >"$STATE/bench.ini"
    "$top/tools/stack.sh" program links links bench.ini "$LINKS_WORKERS"
    : >"$STATE/log/links-bench.log"
    curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT$Q"
}

# CPU seconds (user + system) of the processes whose pids are in $@.
cpu() {
    t=0
    for p in "$@"; do
        v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
        t=$((t + v))
    done
    awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

side_pids() {
    case $1 in
    links) pgrep -P "$(cat "$STATE/links.pid")" ;;
    front) pgrep -f "nginx: worker" -P "$(cat "$STATE/nginx.pid")" ;;
    upstream) pgrep -f "nginx: worker" -P "$(cat "$STATE/upstream-nginx.pid")" ;;
    esac
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int((NR + 1) / 2)]; else print "-" }'
}

# Each request's log line: its time in the program and, of that, in
# upstream calls; "own" is the difference.
req_times() {
    awk '/ GET \/links / && $NF ~ /ms$/ {
        t = $(NF - 2); u = $NF; sub("ms", "", t); sub("ms", "", u)
        print t, u, t - u }' "$STATE/log/links-bench.log"
}

run() {  # run NAME CONNECTIONS
    for s in links front upstream; do eval "b_$s=\$(cpu \$(side_pids $s))"; done
    wrk -t2 -c"$2" -d"${SECONDS_}s" --latency "http://127.0.0.1:$HTTP_PORT$Q" \
        >"$STATE/wrk-$1.txt" 2>&1
    for s in links front upstream; do eval "a_$s=\$(cpu \$(side_pids $s))"; done
    rps=$(awk '/^Requests\/sec/ {print $2}' "$STATE/wrk-$1.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$STATE/wrk-$1.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$STATE/wrk-$1.txt")
    bad=$(awk '/Non-2xx/ {print $NF}' "$STATE/wrk-$1.txt")
    inprog=$(req_times | awk '{ print $1 }' | median)
    up=$(req_times | awk '{ print $2 }' | median)
    own=$(req_times | awk '{ print $3 }' | median)
    n=$(req_times | wc -l)
    cpu_links=$(awk -v a="$a_links" -v b="$b_links" 'BEGIN{printf "%.1f", a-b}')
    printf '%-14s %5s %7.0f %8s %8s %8s %8s %7s %9s %6s  cpu s: links %s, nginx %s, upstream %s\n' \
        "$1" "$2" "$rps" "$p50" "$p99" "${inprog}ms" "${up}ms" "${own}ms" \
        "$(awk -v c="$cpu_links" -v n="$n" 'BEGIN { printf "%.2fms", n ? 1000 * c / n : 0 }')" \
        "${bad:-0}" "$cpu_links" \
        "$(awk -v a="$a_front" -v b="$b_front" 'BEGIN{printf "%.1f", a-b}')" \
        "$(awk -v a="$a_upstream" -v b="$b_upstream" 'BEGIN{printf "%.1f", a-b}')"
}

echo "DataLink benchmark: $LINKS_WORKERS links.fcgi workers, ${SECONDS_}s per run, $(nproc) cores"
printf '%-14s %5s %7s %8s %8s %8s %8s %7s %9s %6s\n' run conns "req/s" p50 p99 \
    "in links" upstream own "CPU/req" non2xx
echo "  (p50 and p99 as wrk sees them; then per request, p50 of the log: time in"
echo "  links.fcgi, of which in upstream calls, and its own; its CPU per request)"
links_on $FAST
run "zero delay" 8
links_on $SLOW
run "rucio +50 ms" 32
echo "  bound set by the upstream at 32 connections: 640 req/s"
