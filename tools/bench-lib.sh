# Shell functions the benchmarks share (sourced, not run).  They expect
# $top (the checkout), $STATE (the stack's state) and $HTTP_PORT.

# wrk_cones FILE EXPR: a wrk script asking for cones whose centres are
# uniform on the sphere (RA uniform, Dec = asin(z) with z uniform in
# [-1, 1]), the same sequence in every run.  EXPR is a Lua expression of
# ra and dec giving the request's path; enc() URL-encodes a string.
wrk_cones() {
    cat >"$1" <<EOT
math.randomseed(1003)
local function enc(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c)) end))
end
request = function()
  local ra = math.random() * 360
  local dec = math.deg(math.asin(2 * math.random() - 1))
  return wrk.format("GET", $2)
end
EOT
}

# run_wrk SCRIPT OUT CONNECTIONS SECONDS: wrk through nginx, its report in
# OUT; prints "requests/s p50 p99 non-2xx".
run_wrk() {
    wrk -t2 -c"$3" -d"$4s" --latency -s "$1" "http://127.0.0.1:$HTTP_PORT" \
        >"$2" 2>&1
    rps=$(awk '/^Requests\/sec/ {print $2}' "$2")
    p50=$(awk '$1 == "50%" {print $2}' "$2")
    p99=$(awk '$1 == "99%" {print $2}' "$2")
    errs=$(awk '/Non-2xx/ {print $NF}' "$2")
    echo "$rps $p50 $p99 ${errs:-0}"
}

# peak_rss_kib NAME: the largest peak resident memory (VmHWM) of program
# NAME's workers, in KiB.
peak_rss_kib() {
    max=0
    for pid in $(pgrep -P "$(cat "$STATE/$1.pid")"); do
        v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "$v" -gt "$max" ] && max=$v
    done
    echo "$max"
}
