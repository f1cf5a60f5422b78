#!/bin/sh
# Build the fuzz targets with libFuzzer (clang), ASan and UBSan, and run
# each for the given number of seconds (default 60) from its seed corpus in
# tests/fuzz/corpus/TARGET, or for FUZZ_RUNS executions when that is set (a
# campaign).  New inputs found are kept in build/fuzz/corpus/TARGET.
#   request    one request's parameters (SCS, the SODA proxy, escaping,
#              DIDs and the upstream paths built from them)
#   upstream   the answers of Rucio, the site directory and the
#              data-management API, and the replica choice over them
#   adql       ADQL text through the parser, the checker and the emitter
#   upload     an uploaded VOTable (TAP_UPLOAD) through upload_vot_read
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=$top/build/fuzz
cd "$top"

run() {  # run TARGET
    mkdir -p "$out/corpus/$1"
    if [ -n "${FUZZ_RUNS:-}" ]; then
        limit="-runs=$FUZZ_RUNS"
        echo "fuzz: $1 for $FUZZ_RUNS executions"
    else
        limit="-max_total_time=$seconds"
        echo "fuzz: $1 for ${seconds}s"
    fi
    "$out/fuzz_$1" "$limit" -max_len=16384 -timeout=5 \
        -print_final_stats=1 "$out/corpus/$1" "tests/fuzz/corpus/$1"
}

# The targets link the suite's own libraries, built for fuzzing in $out.
make -s BUILD="$out" SAN=fuzz "$out/fuzz_request" "$out/fuzz_upstream" \
    "$out/fuzz_adql" "$out/fuzz_upload"
run request
run upstream
run adql
run upload
