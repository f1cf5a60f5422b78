#!/bin/sh
# The cone-search benchmark (make bench).
#
# For each synthetic sky (BENCH_SKIES, default "100000 1000000") it starts a
# stack of its own (state in .state/bench-ROWS, HTTP port 28080), then for each
# radius (0.1 and 1 degree):
#   - wrk, 8 connections, random cone centres uniform on the sphere, through
#     nginx and scs.fcgi: requests/s and latency percentiles;
#   - pgbench, 8 connections, the same statement scs.fcgi prepares (printed
#     by "scs.fcgi -t"), prepared, over the same unix socket, random cone
#     centres drawn the same way: transactions/s.
# Then one whole-sky answer of at least 50,000 rows, and the peak resident
# memory (VmHWM) of every scs.fcgi worker.
#
# Settings: BENCH_SKIES, BENCH_SECONDS (10), BENCH_CONNECTIONS (8),
# WORKERS (scs.fcgi processes, 4).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
export HTTP_PORT=28080 HTTPS_PORT=28443 QUIET=1
export WORKERS=${WORKERS:-4} BUILD=${BUILD:-build}
SKIES=${BENCH_SKIES:-"100000 1000000"}
SECONDS_=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-8}
cleanup() { [ -n "${STATE:-}" ] && "$top/tools/stack.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

. "$top/tools/bench-lib.sh"

wrk_script() {
    wrk_cones "$work/cone-$1.lua" \
        "string.format(\"/scs?RA=%.6f&DEC=%.6f&SR=$1&VERB=2\", ra, dec)"
}

# pgbench has no asin(): Abramowitz & Stegun 4.4.46 (error < 2e-8 rad)
# gives the same distribution of declinations.
pgbench_script() {
    sql=$("$top/$BUILD/scs.fcgi" -t -c "$STATE/rucio-ivoa.ini" | sed -n 's/^cone2\t//p' |
        sed -e 's/\$1/:ra/g' -e 's/\$2/:dec/g' -e 's/\$3/:sr/g' -e 's/\$4/:lim/g')
    cat >"$work/cone-$1.sql" <<EOT
\set ra random(0, 359999999) / 1000000.0
\set z random(-1000000, 1000000) / 1000000.0
\set x abs(:z)
\set p pi() / 2.0 - sqrt(1.0 - :x) * (1.5707963050 + :x * (-0.2145988016 + :x * (0.0889789874 + :x * (-0.0501743046 + :x * (0.0308918810 + :x * (-0.0170881256 + :x * (0.0066700901 + :x * -0.0012624911)))))))
\set dec (case when :z < 0 then -1.0 else 1.0 end) * :p * 180.0 / pi()
\set sr $1
\set lim 1001
SET search_path = pg_catalog, pgsphere;
$sql;
EOT
    # The SET belongs to the session, not the measurement: keep it out.
    sed -i '/^SET search_path/d' "$work/cone-$1.sql"
}

run_pgbench() {
    PGOPTIONS="-c search_path=pg_catalog,pgsphere" "$top/tools/stack.sh" pg \
        pgbench -n -M prepared -c "$CONN" -j 2 -T "$SECONDS_" \
        -f "$work/cone-$1.sql" rucio_ivoa >"$work/pgbench-$1.txt" 2>&1
    awk '/^tps/ {print $3; exit}' "$work/pgbench-$1.txt"
}

echo "cone-search benchmark: $CONN connections, ${SECONDS_}s per run, $WORKERS scs.fcgi workers, $(nproc) cores"
printf '%-8s %-4s %10s %9s %9s %10s %7s %6s\n' rows SR "scs req/s" "p50" "p99" "pgbench" "ratio" "non2xx"
for rows in $SKIES; do
    # A cluster per sky, so that a second run need not load it again.
    export STATE="$top/.state/bench-$rows"
    work=$STATE/bench
    SKY_ROWS=$rows "$top/tools/stack.sh" start
    mkdir -p "$work"
    chmod 755 "$work"
    for sr in 0.1 1; do
        wrk_script "$sr"
        pgbench_script "$sr"
        chmod 644 "$work"/*.sql
        set -- $(run_wrk "$work/cone-$sr.lua" "$work/wrk-$sr.txt" "$CONN" "$SECONDS_")
        tps=$(run_pgbench "$sr")
        ratio=$(awk -v a="$1" -v b="$tps" 'BEGIN { printf "%.0f%%", 100 * a / b }')
        printf '%-8s %-4s %10.0f %9s %9s %10.0f %7s %6s\n' "$rows" "$sr" "$1" "$2" "$3" "$tps" "$ratio" "$4"
    done
    before=$(peak_rss_kib scs)
    big=$(curl -s -o "$work/big.xml" -w '%{http_code} %{size_download} %{time_total}' \
        "http://127.0.0.1:$HTTP_PORT/scs?RA=0&DEC=0&SR=180&VERB=3&MAXREC=60000")
    nrows=$(grep -c '<TR>' "$work/big.xml" || true)
    set -- $big
    echo "  whole-sky answer: HTTP $1, $nrows rows, $(($2 / 1048576)) MiB in ${3}s"
    echo "  scs.fcgi peak RSS per worker: $((before / 1024)) MiB after the cones," \
        "$(($(peak_rss_kib scs) / 1024)) MiB after the whole-sky answer"
    "$top/tools/stack.sh" stop >/dev/null
done
