#!/bin/sh
# Make Debian bookworm's pgSphere 1.2.0 installable on PostgreSQL 15.20 and later.
#
# From 15.20 on, CREATE OPERATOR refuses to make an operator the commutator of a
# second one, and bookworm's pg_sphere--1.2.0.sql still defines two obsolete
# "@ (..., smoc)" compatibility operators that do exactly that, so
# CREATE EXTENSION pg_sphere fails with
#   commutator operator @> is already the commutator of operator <@
# Upstream pgSphere has since removed those two operators.  This script does the
# same to the installed script, through dpkg-divert, so that the package's own
# file is kept (as pg_sphere--1.2.0.sql.distrib) and dpkg knows about the change.
# Where the operators are absent it does nothing; running it twice is harmless.
#
# usage: pgsphere-compat.sh [PG_MAJOR]      (default: 15)
set -eu
major=${1:-15}
script=/usr/share/postgresql/$major/extension/pg_sphere--1.2.0.sql
[ -f "$script" ] || exit 0
grep -A3 '^CREATE OPERATOR @ ($' "$script" | grep -q 'RIGHTARG *= *smoc' || exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "pgsphere-compat: $script defines the obsolete @ (..., smoc) operators;" \
         "run tools/pgsphere-compat.sh as root to remove them" >&2
    exit 1
fi
# Hold each "CREATE OPERATOR @ (" block until its ");" and print it unless it
# takes an smoc operand.
awk '
    held == "" && /^CREATE OPERATOR @ \($/ { held = $0 "\n"; next }
    held != "" {
        held = held $0 "\n"
        if ($0 ~ /^\);/) {
            if (held !~ /RIGHTARG *= *smoc/) printf "%s", held
            held = ""
        }
        next
    }
    { print }
' "$script" > "$script.compat"
dpkg-divert --quiet --local --rename --divert "$script.distrib" --add "$script"
mv "$script.compat" "$script"
echo "pgsphere-compat: removed the obsolete @ (..., smoc) operators from $script"
