#!/bin/sh
# Integration tests: start a stack of their own (state in .state/test, ports
# that do not collide with "make run"), run the pytest suites against it
# with Debian's python3 (pyvo, astropy) and STILTS, and stop it again,
# whatever happened.
#
# usage: tools/run-integration.sh [BUILD-DIR] [pytest arguments...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
[ $# -gt 0 ] && shift
export STATE="$top/.state/test"
export HTTP_PORT=${TEST_HTTP_PORT:-18080}
export HTTPS_PORT=${TEST_HTTPS_PORT:-18443}
export SKY_ROWS=${TEST_SKY_ROWS:-20000}
export WORKERS=2 STANDBY=1
export BUILD QUIET=1

. "$top/tools/sanitizer-lib.sh"
cleanup() { "$top/tools/stack.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
"$top/tools/stack.sh" stop >/dev/null 2>&1 || true
sanitizer_setup
"$top/tools/stack.sh" start

export RIF_TOP="$top" RIF_STATE="$STATE"
export RIF_HTTP="http://127.0.0.1:$HTTP_PORT" RIF_HTTPS="https://127.0.0.1:$HTTPS_PORT"
export RIF_SKY_ROWS="$SKY_ROWS"
# The stand-ins' ports as tools/stack.sh lays them out from STANDIN_PORT.
export STANDIN_PORT=${STANDIN_PORT:-$((HTTP_PORT + 11))}
export RIF_RUCIO="http://127.0.0.1:$STANDIN_PORT" RIF_SITES="http://127.0.0.1:$((STANDIN_PORT + 1))"
export RIF_SODA="http://127.0.0.1:$((STANDIN_PORT + 4))"
cd "$top"
status=0
# The stand-ins first: the tests below trust what they answer.
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/standins || status=$?
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@" || status=$?
cleanup
sanitizer_check integration || status=1
exit $status
