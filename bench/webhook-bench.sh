#!/bin/bash
# webhook-bench.sh: durable webhook ingest through lighttpd at concurrency
# 1, 8 and 32, next to the ceiling measured in the same run: a minimal
# FastCGI program (bench/fcgi_const) answering the same POSTs through the
# same lighttpd. Each concurrency writes to a store of its own, empty at
# its start: with one store, the later runs met a store that had outgrown
# the 64 MiB cache (page evictions) and read as "concurrency hurts".
# Usage: bench/webhook-bench.sh [BUILD_DIR] (default _build)
# DURATION (seconds per run, default 10) and PROCS (FastCGI processes,
# default 4) can be set in the environment.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/_build}" && pwd) || exit 2
dur=${DURATION:-10}
procs=${PROCS:-4}
for p in lighttpd wrk; do
	command -v $p >/dev/null || { echo "bench: $p is not installed" >&2; exit 2; }
done
[ -x "$build/cgi-bin/webhook.fcgi" ] && [ -x "$build/bench/fcgi_const" ] ||
    { echo "bench: build first (make in $build)" >&2; exit 2; }
T=$(mktemp -d "${BENCH_TMP:-/var/tmp}/sl-bench.XXXXXX")
trap 'kill $(cat "$T"/*.pid 2>/dev/null) 2>/dev/null; sleep 0.5; rm -rf "$T"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BENCH_SECRET=bench-secret
cat >"$T/lighttpd.conf" <<CONF
server.document-root = "$T"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$T/error.log"
server.max-connections = 1024
server.modules += ("mod_fastcgi")
fastcgi.server = (
$(for c in 1 8 32; do cat <<HOOK
  "/hook$c" => (( "socket" => "$T/hook$c.sock", "bin-path" => "$build/cgi-bin/webhook.fcgi", "max-procs" => $procs, "check-local" => "disable",
     "bin-environment" => ( "STRAPI_LIVE_STORE_DIR" => "$T/store$c", "STRAPI_LIVE_WEBHOOK_SECRET" => "$BENCH_SECRET", "STRAPI_LIVE_DURABLE" => "yes", "STRAPI_LIVE_LOG_LEVEL" => "warn" ) )),
HOOK
done)
  "/const" => (( "socket" => "$T/const.sock", "bin-path" => "$build/bench/fcgi_const", "max-procs" => $procs, "check-local" => "disable", "bin-environment" => ( "FCGI_CONST_SIZE" => "44" ) ))
)
CONF
lighttpd -D -f "$T/lighttpd.conf" >"$T/out" 2>&1 &
echo $! >"$T/lighttpd.pid"
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

echo "stores: $T/store{1,8,32} (a fresh one per concurrency) on $(df -P "$T" | awk 'NR==2 {print $1}') (durable commits: log flushed before each 200)"
printf "%-12s %14s %14s %8s %10s %8s\n" concurrency "deliveries/s" "ceiling req/s" ratio "p99 ms" errors
total_ok=0
for c in 1 8 32; do
	t=$([ $c -lt 2 ] && echo 1 || echo 2)
	w=$(wrk -t$t -c$c -d${dur}s -s "$top/bench/webhook.lua" "http://127.0.0.1:$port/hook$c" 2>/dev/null | awk '/^RESULT/ {print $2, $3, $4, $5}')
	k=$(wrk -t$t -c$c -d${dur}s -s "$top/bench/webhook.lua" "http://127.0.0.1:$port/const" 2>/dev/null | awk '/^RESULT/ {print $4}')
	set -- $w
	total_ok=$((total_ok + $1 - $2))
	printf "%-12s %14.0f %14.0f %8.2f %10.1f %8d\n" "$c" "$3" "$k" "$(awk -v a="$3" -v b="$k" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$4" "$2"
done
stored=0
for c in 1 8 32; do
	n=$(STRAPI_LIVE_STORE_DIR="$T/store$c" "$build/src/strapi-live" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["collections"]["articles"]["entries"])')
	stored=$((stored + n))
done
echo "acknowledged: $total_ok, stored: $stored (requests cut off at the end of a run may be stored but not counted)"
for c in 1 8 32; do
	printf "store%s: " $c
	STRAPI_LIVE_STORE_DIR="$T/store$c" "$build/src/strapi-live" verify
done
