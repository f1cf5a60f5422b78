#!/bin/sh
# The soak (make soak): a stack of its own with a hot standby (state in
# .state/soak, HTTP port 29080), every endpoint driven at once for
# SOAK_SECONDS (600) while tests/soak/faults.txt injects faults, then the
# table and the verdict of tests/soak/soak.py, whose exit status this is.
#
# Settings: SOAK_SECONDS, SOAK_WARMUP (20), SOAK_SCHEDULE (a fault file),
# SOAK_ROWS (rows of the synthetic sky, 100000), BUILD (the programs, as
# built by make), SOAK_SAN=1 for a sanitizer build: its reports go to
# $STATE/log/sanitizer.* and any fails the soak once the programs have
# exited (LeakSanitizer's at exit then stands for the RSS budget).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
export STATE="$top/.state/soak" HTTP_PORT=29080 HTTPS_PORT=29443 QUIET=1
. "$top/tools/sanitizer-lib.sh"
export STANDBY=1 SKY_ROWS=${SOAK_ROWS:-100000} BUILD=${BUILD:-build}
export WORKERS=4 LINKS_WORKERS=8 SODA_WORKERS=4
export STANDIN_PORT=$((HTTP_PORT + 11))
cleanup() { "$top/tools/stack.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
"$top/tools/stack.sh" stop >/dev/null 2>&1 || true
sanitizer_setup
"$top/tools/stack.sh" start
export SOAK_HTTP="http://127.0.0.1:$HTTP_PORT" SOAK_STATE="$STATE" SOAK_TOP="$top"
export SOAK_STANDIN_PORT="$STANDIN_PORT"
status=0
/usr/bin/python3 "$top/tests/soak/soak.py" --seconds "${SOAK_SECONDS:-600}" \
    --warmup "${SOAK_WARMUP:-20}" \
    --schedule "${SOAK_SCHEDULE:-$top/tests/soak/faults.txt}" \
    ${SOAK_SAN:+--sanitizer-build} || status=$?
cleanup
sanitizer_check soak || status=1
exit $status
