#!/bin/sh
# make install and make uninstall, into folders of their own: nothing of the
# machine is touched.
#
#   1. A staged install (DESTDIR) under a PREFIX that is not the default:
#      the file list and modes, and every path written into the files names
#      the PREFIX, never DESTDIR or the default /usr/local.
#   2. A live install under a temporary PREFIX, so that the installed files
#      find each other: the manual pages pass mandoc -Tlint and document
#      exactly the keys each program's -k prints; the programs check the
#      installed configuration (-t); nginx -t accepts the installed site
#      with the snippets it includes; as root, the scs unit's own commands
#      start a worker whose socket the web server may use.
#   3. Installing again keeps an edited configuration, and uninstalling
#      leaves nothing but the configuration.
#
# Run by "make test" (make install-test); MAKE and BUILD come from there.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
PROGS="scs.fcgi tap.fcgi links.fcgi soda-proxy.fcgi tap-runner"

T=$(mktemp -d "${TMPDIR:-/tmp}/rif-install.XXXXXX")
worker=
cleanup() {
	[ -z "$worker" ] || kill "$worker" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
# The workers of step 2 run as nobody and read their configuration here.
chmod 755 "$T"

failed=0
checks=0
fail() {
	echo "install test: FAIL: $*" >&2
	failed=1
}
ok() {
	checks=$((checks + 1))
}
# check WHAT COMMAND...: COMMAND must succeed.
check() {
	what=$1
	shift
	if "$@"; then ok; else fail "$what"; fi
}
# same WHAT EXPECTED ACTUAL: the two texts are the same, else the diff.
same() {
	if [ "$2" = "$3" ]; then
		ok
	else
		fail "$1:"
		printf '%s\n' "$2" >"$T/expected"
		printf '%s\n' "$3" >"$T/actual"
		diff -u "$T/expected" "$T/actual" | sed 's/^/    /' >&2 || true
	fi
}
is_root() {
	[ "$(id -u)" -eq 0 ]
}

# make install or uninstall with the given variables; the log on failure.
run_make() {
	log=$T/make.log
	if "$MAKE" -s BUILD="$BUILD" "$@" >"$log" 2>&1; then
		return 0
	fi
	sed 's/^/    /' "$log" >&2
	return 1
}

# The keys a manual page documents in its section SH, as -k prints them:
# "[section] key = default".  A key is an item ".It Cm key No = ..." under
# an ".Ss [section]" heading; anything else in the section that looks like
# an item is refused, so a key cannot hide from the comparison.
page_keys() {
	awk -v want="$2" '
	/^\.Sh / { in_sh = ($0 == ".Sh " want); next }
	!in_sh { next }
	/^\.Ss / {
		s = $2
		sub(/\\&$/, "", s)
		sect = s ~ /^\[[a-z0-9_]+\]$/ ? s : ""
		next
	}
	/^\.It / {
		if (sect == "" || $0 !~ /^\.It Cm [a-z0-9_]+ No =/) {
			print FILENAME ": not a key item: " $0 >"/dev/stderr"
			bad = 1
			next
		}
		v = $0
		sub(/^\.It Cm [a-z0-9_]+ No =[ ]*/, "", v)
		if (v == "Pq required")
			v = "(required)"
		else if (v ~ /^Li /)
			sub(/^Li /, "", v)
		else if (v != "") {
			print FILENAME ": cannot read the default: " $0 \
			    >"/dev/stderr"
			bad = 1
			next
		}
		print sect " " $3 " =" (v == "" ? "" : " " v)
	}
	END { exit bad }' "$1"
}

# The keys PROGRAM -k prints, without the list of words a key accepts.
prog_keys() {
	"$1" -k | sed -e 's/\t#.*//' -e 's/[[:space:]]*$//'
}

# The keys of an ini file, "[section] key = value".
ini_keys() {
	awk '/^\[/ { sect = $0; next }
	    /^[a-z0-9_]+[ \t]*=/ {
		v = $0
		sub(/^[^=]*=[ \t]*/, "", v)
		sub(/[ \t]*$/, "", v)
		k = $0
		sub(/[ \t]*=.*/, "", k)
		print sect " " k " =" (v == "" ? "" : " " v)
	    }' "$1"
}

# --- 1. Staged ---------------------------------------------------------------

stage=$T/stage
P=/opt/rucio-ivoa-install-test
if ! run_make install DESTDIR="$stage" PREFIX="$P" SYSCONFDIR="$P/etc"; then
	fail "make install DESTDIR=... failed"
	exit 1
fi

expected=$(
	for p in $PROGS; do echo "$P/sbin/$p 755"; done
	echo "$P/etc/rucio-ivoa/rucio-ivoa.ini 640"
	for u in scs tap links soda; do
		echo "$P/lib/systemd/system/rucio-ivoa-$u@.service 644"
	done
	echo "$P/lib/systemd/system/rucio-ivoa-tap-runner.service 644"
	echo "$P/share/man/man5/rucio-ivoa.ini.5 644"
	for p in $PROGS; do echo "$P/share/man/man8/$p.8 644"; done
	for f in rucio-ivoa.conf rucio-ivoa-locations.conf \
	    fastcgi-params.conf trusted-proxies.conf; do
		echo "$P/share/rucio-ivoa-fcgi/nginx/$f 644"
	done
	for f in sql/*.sql; do
		echo "$P/share/rucio-ivoa-fcgi/$f 644"
	done
)
actual=$(cd "$stage" && find . -type f -exec stat -c '%n %a' {} + |
    sed 's|^\.||')
same "staged files and their modes" "$(echo "$expected" | sort)" \
    "$(echo "$actual" | sort)"

# Paths in the installed files: the PREFIX's, never the stage's or the
# default layout's.
leaks=$(grep -rl -e "$stage" "$stage" || true)
same "files naming DESTDIR" "" "$leaks"
leaks=$(grep -rl -e /usr/local "$stage$P/lib" "$stage$P/share" || true)
same "files naming /usr/local under another PREFIX" "" "$leaks"
units=$stage$P/lib/systemd/system
for u in scs:scs.fcgi tap:tap.fcgi links:links.fcgi soda:soda-proxy.fcgi; do
	f=$units/rucio-ivoa-${u%%:*}@.service
	check "${f##*/}: ExecStart runs $P/sbin/${u#*:}" \
	    grep -q -e "^    -- $P/sbin/${u#*:}\$" "$f"
	check "${f##*/}: ExecStartPre checks with $P/sbin/${u#*:}" \
	    grep -q -e "--init-groups $P/sbin/${u#*:} -t\$" "$f"
	check "${f##*/}: the configuration is $P/etc/rucio-ivoa/rucio-ivoa.ini" \
	    grep -qx "Environment=RUCIO_IVOA_CONFIG=$P/etc/rucio-ivoa/rucio-ivoa.ini" \
	    "$f"
done
f=$units/rucio-ivoa-tap-runner.service
check "${f##*/}: ExecStart runs $P/sbin/tap-runner" \
    grep -qx "ExecStart=$P/sbin/tap-runner" "$f"
check "${f##*/}: ExecStartPre checks with $P/sbin/tap-runner" \
    grep -qx "ExecStartPre=$P/sbin/tap-runner -t" "$f"
check "${f##*/}: the configuration is $P/etc/rucio-ivoa/rucio-ivoa.ini" \
    grep -qx "Environment=RUCIO_IVOA_CONFIG=$P/etc/rucio-ivoa/rucio-ivoa.ini" \
    "$f"
# Every include of the nginx files names an installed file.
includes=$(cat "$stage$P"/share/rucio-ivoa-fcgi/nginx/*.conf |
    sed -n 's/^[[:space:]]*include[[:space:]]*\([^;]*\);.*/\1/p' | sort -u)
same "nginx includes" "$(printf '%s\n' \
    "$P/share/rucio-ivoa-fcgi/nginx/fastcgi-params.conf" \
    "$P/share/rucio-ivoa-fcgi/nginx/rucio-ivoa-locations.conf" \
    "$P/share/rucio-ivoa-fcgi/nginx/trusted-proxies.conf")" "$includes"
check "scs.fcgi.8 names the installed unit" grep -q \
    "$P/lib/systemd/system/rucio-ivoa-scs@.service" \
    "$stage$P/share/man/man8/scs.fcgi.8"

run_make uninstall DESTDIR="$stage" PREFIX="$P" SYSCONFDIR="$P/etc" ||
    fail "make uninstall DESTDIR=... failed"
same "staged files left by make uninstall" \
    ".$P/etc/rucio-ivoa/rucio-ivoa.ini" "$(cd "$stage" && find . -type f)"

# --- 2. Live, under a temporary PREFIX --------------------------------------

L=$T/live
set -- PREFIX="$L" SYSCONFDIR="$L/etc"
if is_root; then
	# Groups that exist here; the default rucio-ivoa need not.
	set -- "$@" SERVICE_USER=nobody SERVICE_GROUP=nogroup
	check "install as root refuses a group that does not exist" \
	    sh -c '! "$1" -s BUILD="$2" install PREFIX="$3" SYSCONFDIR="$3/etc" \
	    SERVICE_GROUP=rif-no-such-group >/dev/null 2>&1' sh "$MAKE" \
	    "$BUILD" "$T/nogroup"
	check "and installs nothing then" test ! -e "$T/nogroup"
fi
if ! run_make install "$@"; then
	fail "make install PREFIX=... failed"
	exit 1
fi
ini=$L/etc/rucio-ivoa/rucio-ivoa.ini
if is_root; then
	same "owner of the configuration" "root:nogroup 640" \
	    "$(stat -c '%U:%G %a' "$ini")"
fi

# The manual pages: mandoc -Tlint, but for cross references it cannot
# check (it looks only in the system's manual folders).
lint=$(mandoc -Tlint "$L"/share/man/man5/* "$L"/share/man/man8/* 2>&1 |
    grep -v -e 'referenced manual not found' -e 'outdated mandoc.db' || true)
same "mandoc -Tlint" "" "$lint"

# Each program's page documents exactly the keys it reads, and
# rucio-ivoa.ini.5 and the example configuration every key.
all=
for p in $PROGS; do
	keys=$(prog_keys "$L/sbin/$p")
	all=$(printf '%s\n%s\n' "$all" "$keys")
	doc=$(page_keys "$L/share/man/man8/$p.8" CONFIGURATION) ||
	    fail "$p.8: CONFIGURATION cannot be read"
	same "$p.8, CONFIGURATION, against $p -k" \
	    "$(printf '%s\n' "$keys" | sort)" "$(printf '%s\n' "$doc" | sort)"
done
all=$(printf '%s\n' "$all" | sed '/^$/d' | sort -u)
doc=$(page_keys "$L/share/man/man5/rucio-ivoa.ini.5" KEYS) ||
    fail "rucio-ivoa.ini.5: KEYS cannot be read"
same "rucio-ivoa.ini.5, KEYS, against every program's -k" "$all" \
    "$(printf '%s\n' "$doc" | sort)"
# The example gives required keys a value of its own.
printf '%s\n' "$all" | sed -n 's/ = (required)$//p' >"$T/required"
same "the installed example configuration against every program's -k" \
    "$(printf '%s\n' "$all" | sed 's/ = (required)$//')" \
    "$(ini_keys "$ini" | awk 'NR == FNR { req[$0] = 1; next }
	{ k = $0; sub(/ = .*/, "", k); print (k in req) ? k : $0 }' \
	"$T/required" - | sort)"

# The programs check the installed configuration.  The example names no
# upstream: links and soda need one, and then check without calling it.
check "scs.fcgi -t -c the installed configuration" sh -c \
    '"$1" -t -c "$2" | grep -q "^cone1	SELECT"' sh "$L/sbin/scs.fcgi" "$ini"
check "tap.fcgi -t -c the installed configuration" sh -c \
    '"$1" -t -c "$2" | grep -q "^role	tap_reader"' sh "$L/sbin/tap.fcgi" "$ini"
check "tap-runner -t -c the installed configuration" sh -c \
    '"$1" -t -c "$2" | grep -q "^results_dir	/var/lib/rucio-ivoa/tap-results"' \
    sh "$L/sbin/tap-runner" "$ini"
check "scs.fcgi -t with RUCIO_IVOA_CONFIG" sh -c \
    'RUCIO_IVOA_CONFIG="$2" "$1" -t >/dev/null' sh "$L/sbin/scs.fcgi" "$ini"
sed -e '/^\[rucio\]/,/^\[/s|^url =.*|url = https://rucio.example.org|' \
    -e '/^\[rucio\]/,/^\[/s|^username =.*|username = ivoa|' \
    -e '/^\[sites\]/,/^\[/s|^url =.*|url = https://sites.example.org/api/v1|' \
    "$ini" >"$T/upstreams.ini"
for p in links.fcgi soda-proxy.fcgi; do
	check "$p -t refuses the example, which names no Rucio" sh -c \
	    '! "$1" -t -c "$2" >/dev/null 2>&1' sh "$L/sbin/$p" "$ini"
	check "$p -t with Rucio and the site directory set" sh -c \
	    '"$1" -t -c "$2" | grep -q "https://rucio.example.org/"' sh \
	    "$L/sbin/$p" "$T/upstreams.ini"
done

# nginx -t on the installed site, as an operator would copy it, with its
# own certificate; pid, logs, temporary files and the sockets it listens on
# (nginx -t binds them) under $T.
N=$T/nginx
mkdir -p "$N"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj /CN=ivoa.example.org -keyout "$N/site.key" \
    -out "$N/site.crt" 2>/dev/null
sed -e "s|^\([[:space:]]*ssl_certificate\)[[:space:]].*|\1 $N/site.crt;|" \
    -e "s|^\([[:space:]]*ssl_certificate_key\)[[:space:]].*|\1 $N/site.key;|" \
    -e "s|^\([[:space:]]*listen\) \[::\]:\([0-9]*\)|\1 unix:$N/v6-\2.sock|" \
    -e "s|^\([[:space:]]*listen\) \([0-9][0-9]*\)|\1 unix:$N/\2.sock|" \
    "$L/share/rucio-ivoa-fcgi/nginx/rucio-ivoa.conf" >"$N/site.conf"
cat >"$N/nginx.conf" <<EOF
pid        $N/nginx.pid;
error_log  $N/error.log;
events {
}
http {
    access_log             $N/access.log;
    client_body_temp_path  $N/body;
    fastcgi_temp_path      $N/fastcgi;
    proxy_temp_path        $N/proxy;
    uwsgi_temp_path        $N/uwsgi;
    scgi_temp_path         $N/scgi;
    include                $N/site.conf;
}
EOF
if nginx -t -p "$N/" -e "$N/error.log" -c "$N/nginx.conf" >"$N/t.log" 2>&1 &&
    ! grep -q -e '\[warn\]' -e '\[emerg\]' "$N/t.log"; then
	ok
else
	fail "nginx -t on the installed site:"
	sed 's/^/    /' "$N/t.log" >&2
fi

# As root: the scs unit's own commands, with its socket under $T.  The
# check runs as the service user, who reads the configuration through its
# group; the worker runs as that user, on a socket the web server owns.
if is_root && getent passwd www-data >/dev/null; then
	unit=$(sed -e ':a' -e '/\\$/N' -e 's/\\\n//' -e 'ta' \
	    "$L/lib/systemd/system/rucio-ivoa-scs@.service" |
	    sed -e 's/%i/1/g' -e "s|/run/rucio-ivoa/|$T/run/|g")
	env=$(printf '%s\n' "$unit" | sed -n 's/^Environment=//p')
	pre=$(printf '%s\n' "$unit" | sed -n 's/^ExecStartPre=//p')
	start=$(printf '%s\n' "$unit" | sed -n 's/^ExecStart=//p')
	mkdir -p "$T/run"
	set -f
	# shellcheck disable=SC2086
	check "the scs unit's ExecStartPre" env "$env" $pre >/dev/null
	# shellcheck disable=SC2086
	env "$env" $start 2>"$T/spawn.log" &
	worker=$!
	set +f
	n=0
	while [ "$n" -lt 50 ] && { [ ! -S "$T/run/scs-1.sock" ] ||
	    [ "$(cat /proc/$worker/comm 2>/dev/null)" != scs.fcgi ]; }; do
		sleep 0.1
		n=$((n + 1))
	done
	same "the scs unit's socket" "www-data:www-data 660" \
	    "$(stat -c '%U:%G %a' "$T/run/scs-1.sock" 2>&1)"
	same "the scs unit's worker" "nobody" \
	    "$(ps -o user= -p "$worker" 2>&1)"
	kill "$worker" 2>/dev/null || true
	wait "$worker" 2>/dev/null || true
	worker=
fi

# --- 3. Again, and away -----------------------------------------------------

run_make install "$@" || fail "make install over an installed tree failed"
check "an unchanged configuration gets no .new" test ! -e "$ini.new"
echo "; edited by the operator" >>"$ini"
edited=$(cat "$ini")
run_make install "$@" || fail "make install over an edited configuration"
same "the edited configuration after make install" "$edited" "$(cat "$ini")"
check "the new example beside it" cmp -s conf/rucio-ivoa.ini "$ini.new"
same "mode of the new example" 640 "$(stat -c %a "$ini.new" 2>&1)"

run_make uninstall "$@" || fail "make uninstall failed"
same "files left by make uninstall" "./etc/rucio-ivoa/rucio-ivoa.ini" \
    "$(cd "$L" && find . -type f)"
check "make uninstall removes the data folder" \
    test ! -e "$L/share/rucio-ivoa-fcgi"
same "the configuration after make uninstall" "$edited" "$(cat "$ini")"

if [ "$failed" -ne 0 ]; then
	echo "install test: failed" >&2
	exit 1
fi
echo "install test: $checks checks passed"
