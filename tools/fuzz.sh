#!/bin/sh
# Build the fuzz targets with libFuzzer (clang), ASan and UBSan, and run
# each for the given number of seconds (default 60) from its seed corpus in
# tests/fuzz/corpus/TARGET.  New inputs found are kept in
# build/fuzz/corpus/TARGET.
#   request    one request's parameters (SCS, the SODA proxy, escaping,
#              DIDs and the upstream paths built from them)
#   upstream   the answers of Rucio, the site directory and the
#              data-management API, and the replica choice over them
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=$top/build/fuzz
cd "$top"

build() {  # build TARGET SOURCES...
    name=$1
    shift
    clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 \
        -D_DEFAULT_SOURCE \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -Icommon -Iscs -Isoda -Ilinks -I/usr/include/iniparser \
        -I/usr/include/postgresql -o "$out/fuzz_$name" \
        "tests/fuzz/fuzz_$name.c" "$@" -lm -lcurl -lcrypto -ljansson -lmaxminddb
}

run() {  # run TARGET
    mkdir -p "$out/corpus/$1"
    echo "fuzz: $1 for ${seconds}s"
    "$out/fuzz_$1" -max_total_time="$seconds" -max_len=16384 -timeout=5 \
        -print_final_stats=1 "$out/corpus/$1" "tests/fuzz/corpus/$1"
}

mkdir -p "$out"
build request common/params.c common/request.c common/strbuf.c \
    common/xmlw.c common/utf8.c common/response.c common/votable.c \
    common/log.c common/soda_params.c common/did.c common/http.c \
    common/choose.c common/geo.c common/sites.c common/authed.c \
    common/oauth2.c common/replica_params.c soda/cut.c soda/relay.c \
    scs/scs_query.c scs/obscore.c
build upstream common/rucio.c common/sites.c common/dmapi.c \
    common/choose.c common/geo.c common/authed.c common/http.c \
    common/oauth2.c common/strbuf.c common/log.c common/did.c common/utf8.c \
    common/params.c common/request.c links/dlmeta.c
run request
run upstream
