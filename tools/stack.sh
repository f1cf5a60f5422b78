#!/bin/sh
# The local stack: a private PostgreSQL cluster with the schema and demo
# data, stand-ins for the services that cannot run here (Rucio, the site
# directory) with demo data and a small GeoIP database, the FastCGI
# programs under spawn-fcgi, and nginx in front.  Each program's workers
# are watched by multiwatch, which starts a worker again when one dies (as
# systemd does in production, where each unit is one worker); NAME.pid
# holds the watcher's pid, and the workers are its children.
#
#   tools/stack.sh start     start (or restart the programs of) the stack
#   tools/stack.sh stop      stop exactly what start started
#   tools/stack.sh status
#   tools/stack.sh program NAME PROGRAM CONFIG WORKERS
#                            (re)start one program on NAME.sock with
#                            $STATE/CONFIG (the benchmarks use it)
#   tools/stack.sh workers NAME
#                            the pids of NAME's workers, one per line
#   tools/stack.sh reload NAME
#                            SIGHUP to NAME's workers (tap.fcgi reads
#                            TAP_SCHEMA again)
#   tools/stack.sh runner    (re)start tap-runner alone (the tests kill it)
#   tools/stack.sh pg COMMAND [ARG...]
#                            run a PostgreSQL client as the cluster's owner
#                            with PGHOST and PGPORT naming the stack's
#                            primary (pgbench in the benchmark)
#
# Everything lives under $STATE (default .state/run in the checkout); no
# system cluster, service or port 80 is touched.  Settings, from the
# environment:
#   STATE       state folder                         (.state/run)
#   HTTP_PORT   nginx HTTP port on 127.0.0.1         (8080)
#   HTTPS_PORT  nginx HTTPS port on 127.0.0.1        (8443)
#   SKY_ROWS    rows of the synthetic sky            (100000)
#   WORKERS     scs.fcgi processes                   (2)
#   TAP_WORKERS    tap.fcgi processes                (2)
#   LINKS_WORKERS  links.fcgi processes              (8)
#   SODA_WORKERS   soda-proxy.fcgi processes         (4)
#   STANDIN_PORT   first of the stand-ins' ports     (HTTP_PORT + 11)
#   STANDBY     1: also a streaming-replication hot standby of the
#               cluster, and scs.fcgi on both at /scs-standby   (0)
#   BUILD       where the programs were built        (build)
#   QUIET       1: print nothing but errors
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
STATE=${STATE:-$top/.state/run}
case $STATE in /*) ;; *) STATE=$top/$STATE ;; esac
HTTP_PORT=${HTTP_PORT:-8080}
HTTPS_PORT=${HTTPS_PORT:-8443}
SKY_ROWS=${SKY_ROWS:-100000}
WORKERS=${WORKERS:-2}
TAP_WORKERS=${TAP_WORKERS:-2}
LINKS_WORKERS=${LINKS_WORKERS:-8}
SODA_WORKERS=${SODA_WORKERS:-4}
STANDIN_PORT=${STANDIN_PORT:-$((HTTP_PORT + 11))}
RUCIO_PORT=$STANDIN_PORT
SITES_PORT=$((STANDIN_PORT + 1))
DM_PORT=$((STANDIN_PORT + 2))
OAUTH2_PORT=$((STANDIN_PORT + 3))
SODA_PORT=$((STANDIN_PORT + 4))
# A second site directory whose SODA services are https://, served by nginx
# in front of the SODA stand-in with the stack's self-signed certificate.
SITES_TLS_PORT=$((STANDIN_PORT + 5))
SODA_TLS_PORT=$((STANDIN_PORT + 6))
FIXTURE=$top/tests/standins/fixture.json
# What programs_start and standins_start run, by the names of their pid
# files (stop and status go through the same lists; scs-standby runs only
# with STANDBY=1, but is stopped whatever the setting).
PROGRAMS="tap-runner scs tap links links-dm links-oauth2 links-2023 soda soda-redirect soda-dm soda-tls soda-untrusted scs-standby"
STANDINS="rucio sites dm_api oauth2 soda sites-tls"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
QUIET=${QUIET:-0}
STANDBY=${STANDBY:-0}
PGBIN=/usr/lib/postgresql/15/bin
PGDIR=$STATE/pg
# The standby's socket is in the primary's folder, on the next port, so a
# conninfo names both as host=$PGDIR,$PGDIR port=5432,5433.
SBDIR=$STATE/pg-standby
DBNAME=rucio_ivoa

say() { [ "$QUIET" = 1 ] || echo "stack: $*"; }
die() { echo "stack: $*" >&2; exit 1; }

# PostgreSQL refuses to run as root: as root, its commands run as postgres.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql_() {
    PGOPTIONS="-c client_min_messages=warning" \
        as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -p 5432 "$@"
}

pg_start() {
    mkdir -p "$PGDIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PGDIR"
        as_pg test -w "$PGDIR" ||
            die "user postgres cannot reach $PGDIR; use a STATE outside private folders"
    fi
    if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
        say "creating a PostgreSQL cluster in $PGDIR/data"
        as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres -E UTF8 \
            --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 ||
            die "initdb failed: see $PGDIR/initdb.log"
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
            -o "-k $PGDIR -p 5432 -c listen_addresses= -c max_connections=200" \
            start >/dev/null || die "PostgreSQL did not start: see $PGDIR/server.log"
    fi
    if ! psql_ -d postgres -Atc "select 1 from pg_database where datname='$DBNAME'" |
            grep -q 1; then
        as_pg "$PGBIN/createdb" -h "$PGDIR" -p 5432 -U postgres "$DBNAME"
    fi
    for f in "$top"/sql/*.sql; do
        psql_ -U postgres -d "$DBNAME" -f "$f" >/dev/null
    done
    want="$SKY_ROWS $(cat "$top"/demo/load.sql | md5sum | cut -c1-12) $HTTP_PORT"
    if [ "$(cat "$STATE/demo.loaded" 2>/dev/null)" != "$want" ]; then
        say "loading the demo data ($SKY_ROWS synthetic rows)"
        psql_ -U postgres -d "$DBNAME" -v sky_rows="$SKY_ROWS" \
            -v links_url="http://127.0.0.1:$HTTP_PORT/links" \
            -f "$top/demo/load.sql" >/dev/null
        psql_ -U postgres -d "$DBNAME" -c "ANALYZE" >/dev/null
        echo "$want" >"$STATE/demo.loaded"
    fi
}

# The hot standby: a base backup of the primary through a replication slot
# (so the primary keeps the WAL the standby has not yet received), started
# with its socket beside the primary's.  A standby of an earlier primary
# (the cluster was made anew) is made anew too.
standby_start() {
    id=$(as_pg "$PGBIN/pg_controldata" "$PGDIR/data" |
        awk -F': *' '/system identifier/ {print $2}')
    if [ "$(cat "$SBDIR/primary.id" 2>/dev/null)" != "$id" ]; then
        [ -f "$SBDIR/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" \
            -D "$SBDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$SBDIR"
        mkdir -p "$SBDIR"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$SBDIR"
        psql_ -d postgres -Atc "select 1 from pg_replication_slots
                                 where slot_name = 'standby'" | grep -q 1 ||
            psql_ -d postgres -c "select pg_create_physical_replication_slot('standby')" \
                >/dev/null
        say "making a hot standby in $SBDIR/data"
        as_pg "$PGBIN/pg_basebackup" -h "$PGDIR" -p 5432 -U postgres \
            -D "$SBDIR/data" -R -S standby -X stream -c fast >"$SBDIR/basebackup.log" 2>&1 ||
            die "pg_basebackup failed: see $SBDIR/basebackup.log"
        echo "$id" >"$SBDIR/primary.id"
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$SBDIR/data" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$SBDIR/data" -l "$SBDIR/server.log" -w \
            -o "-k $PGDIR -p 5433 -c listen_addresses= -c max_connections=200" \
            start >/dev/null || die "the standby did not start: see $SBDIR/server.log"
    fi
}

# The shipped example with this stack's keys set, one file per variant the
# programs run with: rucio-ivoa.ini (Rucio and the site directory),
# -dm (the data-management API, links advertising the suite's own SODA
# proxy), -redirect (the SODA proxy in redirect mode, a public URL), -tls and -untrusted
# (the site directory naming an https SODA site, with and without its CA),
# -oauth2 (client-credentials tokens for Rucio and the site directory, whose
# table is fetched every second so that the tests see the token in use) and
# -2023 (the 2023 site directory, no metadata cache, a 3 s request
# deadline, a public URL).  An ADQL query may run 5 s, so that the tests
# see a timeout soon; a WAIT on an async job blocks 10 s at most, and a
# job whose runner was killed ends within about 3 s; uploads are at most
# 4 MiB and 20,000 rows, from 127.0.0.1 alone.  SODA timeouts are short so that a stalled stand-in site is
# left quickly (the failover tests rely on it), a client that stops
# reading is left after 2 s, and /links answers at most 50 rows, so that
# the hard limits can be seen.
write_config() {
    tls_sites="http://127.0.0.1:$SITES_TLS_PORT/v1"
    set -- \
        "database.conninfo=host=$PGDIR port=5432 dbname=$DBNAME user=postgres" \
        "rucio.url=http://127.0.0.1:$RUCIO_PORT" \
        rucio.username=datalink rucio.password=datalink-password \
        "sites.url=http://127.0.0.1:$SITES_PORT/v1" \
        sites.token=sites-static-token http.ca_file= \
        "geoip.database=$STATE/geoip.mmdb" \
        "dm.url=http://127.0.0.1:$DM_PORT" \
        "oauth2.token_url=http://127.0.0.1:$OAUTH2_PORT/token" \
        oauth2.client_id=datalink-dm oauth2.client_secret=dm-secret \
        links.backend=rucio links.link_auth_rses=SPSRC_STORM=optional \
        links.maxrec_default=50 links.maxrec_limit=50 request.send_timeout=2000 \
        tap.statement_timeout=5000 "tap.results_dir=$STATE/tap-results" \
        tap.max_wait=10 tap.runner_stale=3 tap.upload_max_size=4194304 \
        tap.upload_max_rows=20000 tap.upload_hosts=127.0.0.1 \
        soda.redirect=false soda.first_byte_timeout=2000 \
        soda.stall_timeout=3000 "log.file=$STATE/log/programs.log"
    ini_with "$@" >"$STATE/rucio-ivoa.ini"
    ini_with "$@" links.backend=dm \
        "links.soda_proxy_url=http://127.0.0.1:$HTTP_PORT/soda/sync" \
        "log.file=$STATE/log/links-dm.log" >"$STATE/rucio-ivoa-dm.ini"
    ini_with "$@" soda.redirect=true "log.file=$STATE/log/soda-redirect.log" \
        soda.public_url=https://ivoa.example.org/soda/sync \
        >"$STATE/rucio-ivoa-redirect.ini"
    ini_with "$@" "sites.url=$tls_sites" "http.ca_file=$STATE/tls/server.crt" \
        >"$STATE/rucio-ivoa-tls.ini"
    ini_with "$@" "sites.url=$tls_sites" >"$STATE/rucio-ivoa-untrusted.ini"
    ini_with "$@" rucio.password= rucio.oauth2_client_id=datalink-rucio \
        rucio.oauth2_client_secret=rucio-secret sites.token= \
        sites.oauth2_client_id=datalink-sc sites.oauth2_client_secret=sc-secret \
        sites.ttl=1 >"$STATE/rucio-ivoa-oauth2.ini"
    ini_with "$@" sites.shape=2023 "sites.url=http://127.0.0.1:$SITES_PORT" \
        links.meta_ttl=0 links.request_timeout=3000 \
        links.public_url=https://ivoa.example.org/links \
        >"$STATE/rucio-ivoa-2023.ini"
    # The primary first, the standby second: cones go on from the standby
    # while the primary is down, and come back within failback_interval.
    ini_with "$@" "database.conninfo=host=$PGDIR,$PGDIR port=5432,5433 \
dbname=$DBNAME user=postgres connect_timeout=2" database.failback_interval=2 \
        "log.file=$STATE/log/scs-standby.log" >"$STATE/rucio-ivoa-standby.ini"
}

# ini_with SECTION.KEY=VALUE ...: conf/rucio-ivoa.ini with those keys set
# (a later setting of a key wins).  A key the example does not have is an
# error, so that a renamed key cannot leave a variant silently unchanged.
ini_with() {
    awk -v sets="$(printf '%s\n' "$@")" '
        BEGIN {
            n = split(sets, kv, "\n")
            for (i = 1; i <= n; i++)
                if ((eq = index(kv[i], "=")) > 0)
                    want[substr(kv[i], 1, eq - 1)] = substr(kv[i], eq + 1)
        }
        /^\[/ { sec = substr($0, 2, index($0, "]") - 2) }
        /^[a-z_0-9]+ =/ && (sec "." $1) in want {
            $0 = $1 " = " want[sec "." $1]
            seen[sec "." $1] = 1
        }
        { print }
        END {
            for (k in want)
                if (!(k in seen)) {
                    print "conf/rucio-ivoa.ini has no key " k >"/dev/stderr"
                    exit 1
                }
        }' "$top/conf/rucio-ivoa.ini"
}

# Start stand-in NAME on PORT (further arguments go to it), waiting for its
# "ready" line.  NAME is the server's file name unless the third argument
# gives it.
standin_start() {
    name=$1 port=$2 server=$1
    shift 2
    case ${1:-} in -*|"") ;; *) server=$1; shift ;; esac
    stop_pids "$STATE/standin-$name.pid"
    /usr/bin/python3 "$top/tests/standins/$server.py" --port "$port" \
        --fixture "$FIXTURE" "$@" >"$STATE/log/standin-$name.out" \
        2>"$STATE/log/standin-$name.log" &
    echo $! >"$STATE/standin-$name.pid"
    for _ in $(seq 1 50); do
        grep -q "^ready" "$STATE/log/standin-$name.out" 2>/dev/null && return 0
        sleep 0.1
    done
    die "the $name stand-in did not start: see $STATE/log/standin-$name.log"
}

standins_start() {
    mkdir -p "$STATE/log"
    # Every site's SODA service is the one SODA stand-in (paths kept).
    standin_start rucio "$RUCIO_PORT"
    standin_start sites "$SITES_PORT" --soda-endpoint "http://127.0.0.1:$SODA_PORT"
    standin_start dm_api "$DM_PORT" --soda-endpoint "http://127.0.0.1:$SODA_PORT"
    standin_start oauth2 "$OAUTH2_PORT"
    standin_start soda "$SODA_PORT"
    standin_start sites-tls "$SITES_TLS_PORT" sites \
        --soda-endpoint "https://127.0.0.1:$SODA_TLS_PORT"
    if [ ! -f "$STATE/geoip.mmdb" ] || [ "$FIXTURE" -nt "$STATE/geoip.mmdb" ]; then
        perl "$top/tests/standins/make-geoip.pl" "$FIXTURE" "$STATE/geoip.mmdb" \
            >/dev/null || die "could not build the GeoIP database"
    fi
}

# kill the processes whose pids are listed in file $1, then remove it
stop_pids() {
    [ -f "$1" ] || return 0
    for pid in $(cat "$1"); do kill "$pid" 2>/dev/null || true; done
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        alive=0
        for pid in $(cat "$1"); do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.2
    done
    for pid in $(cat "$1"); do kill -9 "$pid" 2>/dev/null || true; done
    rm -f "$1"
}

# program_start NAME PROGRAM CONFIG WORKERS: PROGRAM.fcgi on NAME.sock.
# spawn-fcgi makes the socket and execs multiwatch on it, which forks the
# workers, restarts any that dies, and passes its SIGTERM on to them.
program_start() {
    program_stop "$1"
    rm -f "$STATE/$1.sock"
    [ -x "$BUILD/$2.fcgi" ] || die "$BUILD/$2.fcgi is not built (make)"
    spawn-fcgi -s "$STATE/$1.sock" -M 0666 -P "$STATE/$1.pid" \
        -- /usr/bin/multiwatch -f "$4" -s TERM -- "$BUILD/$2.fcgi" -c "$STATE/$3" \
        >>"$STATE/log/spawn-fcgi.log" 2>>"$STATE/log/$1.log" ||
        die "spawn-fcgi failed: see $STATE/log/$1.log"
    # The workers are up when all have forked.
    for _ in $(seq 1 50); do
        [ "$(workers "$1" | wc -l)" -ge "$4" ] && return 0
        sleep 0.1
    done
    die "$2.fcgi did not start $4 workers: see $STATE/log/$1.log"
}

# The pids of program NAME's workers: its watcher's children.
workers() {
    [ -f "$STATE/$1.pid" ] || return 0
    pgrep -P "$(cat "$STATE/$1.pid")" || true
}

# Stop program NAME: its watcher, which stops the workers; then any left.
program_stop() {
    left=$(workers "$1")
    stop_pids "$STATE/$1.pid"
    for pid in $left; do kill -9 "$pid" 2>/dev/null || true; done
}

# tap-runner, a daemon of its own (not under spawn-fcgi), runs the async
# jobs of /tap/async; its pid goes where stop_pids finds it.
runner_start() {
    stop_pids "$STATE/tap-runner.pid"
    [ -x "$BUILD/tap-runner" ] || die "$BUILD/tap-runner is not built (make)"
    mkdir -p "$STATE/log" "$STATE/tap-results"
    "$BUILD/tap-runner" -c "$STATE/rucio-ivoa.ini" </dev/null \
        >>"$STATE/log/tap-runner.log" 2>&1 &
    echo $! >"$STATE/tap-runner.pid"
}

programs_start() {
    mkdir -p "$STATE/log"
    runner_start
    program_start scs scs rucio-ivoa.ini "$WORKERS"
    # As the database's superuser, which SET ROLE takes to [tap] role.
    program_start tap tap rucio-ivoa.ini "$TAP_WORKERS"
    program_start links links rucio-ivoa.ini "$LINKS_WORKERS"
    # The same service on the data-management API, at /links-dm; its
    # #cutout descriptors point at the SODA proxy.
    program_start links-dm links rucio-ivoa-dm.ini 2
    program_start soda soda-proxy rucio-ivoa.ini "$SODA_WORKERS"
    # The proxy in redirect mode, at /soda-redirect.
    program_start soda-redirect soda-proxy rucio-ivoa-redirect.ini 1
    # The proxy on the data-management API, at /soda-dm.
    program_start soda-dm soda-proxy rucio-ivoa-dm.ini 1
    # Rucio and the site directory through OAuth2 tokens, at /links-oauth2.
    program_start links-oauth2 links rucio-ivoa-oauth2.ini 1
    # On the 2023 site directory, at /links-2023.
    program_start links-2023 links rucio-ivoa-2023.ini 1
    # Sites reached over TLS: with the stack's certificate as [http] ca_file
    # at /soda-tls, without it (so the sites are not trusted) at
    # /soda-untrusted.
    program_start soda-tls soda-proxy rucio-ivoa-tls.ini 1
    program_start soda-untrusted soda-proxy rucio-ivoa-untrusted.ini 1
    # On the primary and its standby, at /scs-standby.
    [ "$STANDBY" = 1 ] && program_start scs-standby scs rucio-ivoa-standby.ini 2
    return 0
}

tls_cert() {
    [ -f "$STATE/tls/server.crt" ] && return 0
    mkdir -p "$STATE/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$STATE/tls/server.key" -out "$STATE/tls/server.crt" \
        >/dev/null 2>&1 || die "openssl could not make a certificate"
}

nginx_start() {
    mkdir -p "$STATE/nginx" "$STATE/log"
    ln -sfn "$top/nginx" "$STATE/nginx/rucio-ivoa"
    user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user nobody nogroup;"
    sed -e "s|@STATE@|$STATE|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
        -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" -e "s|@USER_LINE@|$user_line|" \
        -e "s|@SODA_PORT@|$SODA_PORT|g" -e "s|@SODA_TLS_PORT@|$SODA_TLS_PORT|g" \
        -e "s|@TAP_RESULTS@|$STATE/tap-results|g" \
        "$top/nginx/local.conf.in" >"$STATE/nginx/nginx.conf"
    nginx -q -t -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" ||
        die "nginx rejected $STATE/nginx/nginx.conf"
    if [ -f "$STATE/nginx.pid" ] && kill -0 "$(cat "$STATE/nginx.pid")" 2>/dev/null; then
        nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -s reload 2>/dev/null
    else
        nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" ||
            die "nginx did not start: see $STATE/log/nginx-error.log"
    fi
}

wait_ready() {
    for _ in $(seq 1 50); do
        curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/scs/availability" && return 0
        sleep 0.1
    done
    die "the stack does not answer on port $HTTP_PORT"
}

start() {
    mkdir -p "$STATE"
    pg_start
    [ "$STANDBY" = 1 ] && standby_start
    standins_start
    write_config
    programs_start
    tls_cert
    nginx_start
    wait_ready
    [ "$QUIET" = 1 ] && return 0
    cat <<EOT
stack: up.  State, logs and configuration in $STATE
  Cone search   http://127.0.0.1:$HTTP_PORT/scs?RA=53.75308&DEC=-24.93365&SR=1
                https://127.0.0.1:$HTTPS_PORT/scs (self-signed certificate)
                http://127.0.0.1:$HTTP_PORT/rucio/rucio/cone/scs.xml (prototype path)
  VOSI          http://127.0.0.1:$HTTP_PORT/scs/availability  .../scs/capabilities
  TAP           http://127.0.0.1:$HTTP_PORT/tap  (sync, async, tables, capabilities, availability;
                async jobs run by tap-runner, results in $STATE/tap-results)
  DataLink      http://127.0.0.1:$HTTP_PORT/links?ID=testing:PTF10tce.fits&client_ip_address=130.246.210.120
                (also /rucio/links; /links-dm uses the data-management API instead;
                stand-ins: Rucio $RUCIO_PORT, site directory $SITES_PORT,
                data-management API $DM_PORT, OAuth2 $OAUTH2_PORT)
  SODA cutout   http://127.0.0.1:$HTTP_PORT/soda/sync?ID=testing:PTF10tce.fits&CIRCLE=349.7905833+9.196+0.05&client_ip_address=130.246.210.120
                (from the nearest site's SODA service: the stand-in on $SODA_PORT;
                /soda-redirect/sync answers 303 to it instead)
  pyvo          python3 -c "import pyvo; print(pyvo.dal.conesearch('http://127.0.0.1:$HTTP_PORT/scs', pos=(53.75308, -24.93365), radius=1).to_table())"
                python3 -c "import pyvo; print(pyvo.dal.TAPService('http://127.0.0.1:$HTTP_PORT/tap').search('SELECT TOP 5 obs_id, s_ra, s_dec FROM ivoa.obscore').to_table())"
  Stop with     make stop
EOT
}

stop() {
    if [ -f "$STATE/nginx.pid" ]; then
        nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -s quit 2>/dev/null || true
        for _ in $(seq 1 30); do [ -f "$STATE/nginx.pid" ] || break; sleep 0.1; done
    fi
    for p in $PROGRAMS; do
        program_stop "$p"
        rm -f "$STATE/$p.sock"
    done
    for s in $STANDINS; do stop_pids "$STATE/standin-$s.pid"; done
    for d in "$SBDIR" "$PGDIR"; do
        [ -f "$d/data/postmaster.pid" ] &&
            as_pg "$PGBIN/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null 2>&1 ||
            true
    done
    say "stopped"
}

# How many of the processes listed in file $1 are alive.
count_alive() {
    n=0
    [ -f "$1" ] && for pid in $(cat "$1"); do kill -0 "$pid" 2>/dev/null && n=$((n + 1)); done
    echo $n
}

status() {
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1 &&
        echo "postgresql: running" || echo "postgresql: stopped"
    for p in $PROGRAMS; do
        case $p in
        tap-runner) echo "$p: $(count_alive "$STATE/$p.pid") process" ;;
        *) echo "$p: $(workers "$p" | wc -l) worker(s)" ;;
        esac
    done
    for s in $STANDINS; do
        echo "$s stand-in: $(count_alive "$STATE/standin-$s.pid")"
    done
    [ -f "$STATE/nginx.pid" ] && kill -0 "$(cat "$STATE/nginx.pid")" 2>/dev/null &&
        echo "nginx: running on $HTTP_PORT/$HTTPS_PORT" || echo "nginx: stopped"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    runner) runner_start ;;
    program) [ $# -eq 5 ] || die "usage: $0 program NAME PROGRAM CONFIG WORKERS"
        shift; program_start "$@" ;;
    workers) [ $# -eq 2 ] || die "usage: $0 workers NAME"
        workers "$2" ;;
    reload) [ $# -eq 2 ] || die "usage: $0 reload NAME"
        for pid in $(workers "$2"); do kill -HUP "$pid"; done ;;
    pg) [ $# -ge 2 ] || die "usage: $0 pg COMMAND [ARG...]"
        shift; as_pg env PGHOST="$PGDIR" PGPORT=5432 PGUSER=postgres "$@" ;;
    *) echo "usage: $0 start|stop|status|runner|program|workers|reload|pg" >&2; exit 2 ;;
esac
