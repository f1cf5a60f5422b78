#!/bin/sh
# The SODA proxy benchmark (part of make bench).
#
# A 1 GiB cutout over loopback, the same bytes four ways, each the best of
# BENCH_ROUNDS (5) downloads with curl:
#   - direct from the site (an nginx serving a fixed FITS file, standing in
#     for the site's SODA service: tests/bench/soda-site.conf.in);
#   - through nginx proxy_pass, buffering off and on (memory only): what an
#     operator would otherwise put in front of the site;
#   - through the suite's public URL, /soda/sync: nginx, soda-proxy.fcgi
#     (which finds the site through Rucio and the site directory), the site.
# Then the peak resident memory (VmHWM) of the soda-proxy.fcgi workers after
# 1 MiB cutouts and again after the 1 GiB ones.
# Settings: BENCH_ROUNDS (5), BENCH_MIB (1024).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/bench-lib.sh"
export STATE="$top/.state/bench-soda" HTTP_PORT=29280 HTTPS_PORT=29643
export QUIET=1 SKY_ROWS=1000 WORKERS=1 LINKS_WORKERS=1 SODA_WORKERS=2
export BUILD=${BUILD:-build}
ROUNDS=${BENCH_ROUNDS:-5}
MIB=${BENCH_MIB:-1024}
export STANDIN_PORT=$((HTTP_PORT + 11))
SITE=$((STANDIN_PORT + 4))	# the SODA stand-in's port (see stack.sh), taken over by nginx
OFF=$((HTTP_PORT + 20)) ON=$((HTTP_PORT + 21))
DATA="$STATE/bench-data"
ID="sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits"
Q="ID=$ID&client_ip_address=130.246.210.120"

bench_nginx() {  # bench_nginx NAME [nginx arguments]
    name=$1
    shift
    nginx -p "$STATE/nginx" -c "$STATE/$name.conf" "$@"
}
cleanup() {
    bench_nginx site -s quit 2>/dev/null || true
    bench_nginx proxy -s quit 2>/dev/null || true
    "$top/tools/stack.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

"$top/tools/stack.sh" start
# The site nginx takes the SODA stand-in's port: the site directory
# already points every SODA service there.
kill "$(cat "$STATE/standin-soda.pid")"
rm -f "$STATE/standin-soda.pid"
mkdir -p "$DATA"
# The two cutouts, the same bytes as the SODA stand-in sends.
PYTHONPATH="$top/tests/standins" /usr/bin/python3 -c '
import os, sys, soda
for name, size in (("small.fits", 1 << 20), ("large.fits", int(sys.argv[2]) << 20)):
    path = os.path.join(sys.argv[1], name)
    if os.path.exists(path) and os.path.getsize(path) == soda.fits_size(size):
        continue
    with open(path, "wb") as f:
        for piece in soda.fits_bytes(size):
            f.write(piece)
' "$DATA" "$MIB"
for name in site proxy; do
    sed -e "s|@STATE@|$STATE|g" -e "s|@NAME@|$name|g" \
        "$top/tests/bench/soda-site.conf.in" >"$STATE/$name.conf"
    sed -e "s|@SITE_PORT@|$SITE|g" -e "s|@OFF_PORT@|$OFF|g" \
        -e "s|@ON_PORT@|$ON|g" -e "s|@DATA@|$DATA|g" \
        "$top/tests/bench/soda-$name-servers.conf" >"$STATE/$name-servers.conf"
    bench_nginx "$name"
done
sleep 0.5

# speed URL: one download's speed in GB/s; checks the status and size.
speed() {
    set -- "$1" $(curl -sS -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' "$1")
    [ "$2" = 200 ] || { echo "bench-soda: $1 answered $2" >&2; exit 1; }
    [ "$3" = "$size" ] || { echo "bench-soda: $1 gave $3 bytes, not $size" >&2; exit 1; }
    awk -v b="$4" 'BEGIN { printf "%.3f", b / 1e9 }'
}
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a ? b : a) }'; }

size=$(stat -c %s "$DATA/small.fits")
for _ in 1 2 3 4 5 6; do
    curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/soda/sync?$Q&CIRCLE=349.79+9.19+0.1"
done
small_kib=$(peak_rss_kib soda)
size=$(stat -c %s "$DATA/large.fits")
cut="CIRCLE=349.79+9.19+1"
# Rounds interleave the four ways, so that a slow moment of the machine
# does not fall on one of them only.
direct=0 off=0 on=0 suite=0
for _ in $(seq 1 "$ROUNDS"); do
    direct=$(max "$direct" "$(speed "http://127.0.0.1:$SITE/soda/sync?$Q&$cut")")
    off=$(max "$off" "$(speed "http://127.0.0.1:$OFF/soda/sync?$Q&$cut")")
    on=$(max "$on" "$(speed "http://127.0.0.1:$ON/soda/sync?$Q&$cut")")
    suite=$(max "$suite" "$(speed "http://127.0.0.1:$HTTP_PORT/soda/sync?$Q&$cut")")
done
large_kib=$(peak_rss_kib soda)

echo "SODA proxy benchmark: $MIB MiB cutout over loopback, best of $ROUNDS, $(nproc) cores"
printf '%-34s %6.2f GB/s\n' "direct from the site (nginx)" "$direct" \
    "nginx proxy_pass, buffering off" "$off" \
    "nginx proxy_pass, buffering on" "$on" \
    "the suite: /soda/sync" "$suite"
awk -v s="$suite" -v d="$direct" -v off="$off" -v on="$on" 'BEGIN {
    printf "  suite / proxy_pass off %3.0f%%, / proxy_pass on %3.0f%%, / direct %3.0f%%\n",
        100 * s / off, 100 * s / on, 100 * s / d }'
awk -v a="$small_kib" -v b="$large_kib" 'BEGIN {
    printf "  soda-proxy.fcgi peak RSS: %.1f MiB after 1 MiB cutouts, %.1f MiB after %s\n",
        a / 1024, b / 1024, "the large ones" }'
