#!/bin/sh
# Build the fuzz targets with libFuzzer (clang), ASan and UBSan, and run
# each for the given number of seconds (default 60) from the seed corpus in
# tests/fuzz/corpus.  New inputs found are kept in build/fuzz/corpus.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=$top/build/fuzz
mkdir -p "$out/corpus"
cd "$top"
clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Icommon -Iscs -Isoda -I/usr/include/iniparser -I/usr/include/postgresql \
    -o "$out/fuzz_request" tests/fuzz/fuzz_request.c \
    common/params.c common/request.c common/strbuf.c common/xmlw.c \
    common/response.c common/votable.c common/log.c common/soda_params.c \
    common/did.c common/http.c soda/cut.c \
    scs/scs_query.c scs/obscore.c -lm -lcurl -lcrypto
"$out/fuzz_request" -max_total_time="$seconds" -max_len=4096 -timeout=5 \
    -print_final_stats=1 "$out/corpus" tests/fuzz/corpus
