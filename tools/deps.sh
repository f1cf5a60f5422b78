#!/bin/sh
# Install what the suite needs to build, run and be tested, when missing.
#
# Debian bookworm packages only.  Runs apt-get as root (or through sudo when
# available); a non-root user without sudo gets the list to install instead.
# Afterwards tools/pgsphere-compat.sh makes pgSphere installable on
# PostgreSQL 15.20+ (see that script and README.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)

PACKAGES="build-essential pkg-config bison flex
    libfcgi-dev libpq-dev libmxml-dev libiniparser-dev libjansson-dev
    libcurl4-openssl-dev libmaxminddb-dev libcunit1-dev
    postgresql-15 postgresql-15-pgsphere
    nginx-light spawn-fcgi multiwatch openssl curl
    python3 python3-pyvo python3-astropy python3-pytest stilts
    wrk clang libclang-rt-14-dev valgrind libmaxmind-db-writer-perl mmdb-bin
    libnginx-mod-http-echo mandoc"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done

if [ -n "$missing" ]; then
    echo "deps: installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "deps: please install as root: apt-get install$missing" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

if [ "$(id -u)" -eq 0 ]; then
    "$here/pgsphere-compat.sh" 15
elif command -v sudo >/dev/null 2>&1; then
    sudo "$here/pgsphere-compat.sh" 15
else
    "$here/pgsphere-compat.sh" 15
fi
