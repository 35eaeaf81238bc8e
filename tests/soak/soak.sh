#!/bin/sh
# soak.sh: the 10-minute soak. Webhooks at a steady rate, queries at full
# speed (wrk), 1,000 SSE and 1,000 WebSocket subscribers on the sidecar.
# Passes when no request failed, every event reached every subscriber, and
# no process's RSS grew by more than GROWTH_KIB (default 8192) between
# the first minute and the end. Not part of make check.
#
#   tests/soak/soak.sh [SECONDS] [RATE]       (BUILD=dir, default _build)
#   e.g. tests/soak/soak.sh 600 5   -> 2 x 3000 webhooks, 2 x 3,000,000 pushes
set -u
SECS=${1:-600}
RATE=${2:-5}
NSUB=${NSUB:-1000}
GROWTH_KIB=${GROWTH_KIB:-8192}
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
: "${top_builddir:=$top_srcdir/${BUILD:-_build}}"
FANOUT=$top_builddir/bench/fanout
PUSH_BIN=$top_builddir/src/strapi-live-push
WEBHOOK_FCGI=$top_builddir/cgi-bin/webhook.fcgi
QUERY_FCGI=$top_builddir/cgi-bin/query.fcgi
STRAPI_LIVE=$top_builddir/src/strapi-live
for b in "$FANOUT" "$PUSH_BIN" "$WEBHOOK_FCGI" "$QUERY_FCGI"; do
	[ -x "$b" ] || { echo "soak: $b not built" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "soak: wrk not installed" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
. "$top_srcdir/tests/lib.sh"

"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null
{
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2
	fcgi_entry /api/ "$QUERY_FCGI" 2
} >"$T/lh.extra"
lighttpd_start <"$T/lh.extra" || { echo "soak: lighttpd failed" >&2; exit 2; }
PP=$(free_port)
STRAPI_LIVE_PUSH_LISTEN=127.0.0.1:$PP STRAPI_LIVE_LOG_LEVEL=warn \
    "$PUSH_BIN" 2>"$T/push.log" &
PUSH_PID=$!
sl_track $PUSH_PID
for i in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$PP/live/healthz" >/dev/null && break
	sleep 0.05
done
B="http://127.0.0.1:$LIGHTTPD_PORT"
curl -sf "$B/api/articles" >/dev/null # start the query workers

procs() { # name pid, for every process under test
	echo "lighttpd $LIGHTTPD_PID"
	echo "strapi-live-push $PUSH_PID"
	for p in $(pgrep -P "$LIGHTTPD_PID" -f "$WEBHOOK_FCGI"); do echo "webhook.fcgi $p"; done
	for p in $(pgrep -P "$LIGHTTPD_PID" -f "$QUERY_FCGI"); do echo "query.fcgi $p"; done
}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

M=$((RATE * SECS))
"$FANOUT" -m sse -n "$NSUB" -e "$M" -r "$RATE" -k sse -o s \
    -s "127.0.0.1:$PP/live/events" -w "127.0.0.1:$LIGHTTPD_PORT/strapi/webhook" \
    -b strapi -R "$PUSH_PID" -t 30 >"$T/sse.json" 2>"$T/sse.err" &
F1=$!
"$FANOUT" -m ws -n "$NSUB" -e "$M" -r "$RATE" -k ws -o w \
    -s "127.0.0.1:$PP/live/ws" -w "127.0.0.1:$LIGHTTPD_PORT/strapi/webhook" \
    -b strapi -R "$PUSH_PID" -t 30 >"$T/ws.json" 2>"$T/ws.err" &
F2=$!
sl_track "$F1"
sl_track "$F2"
sleep 60 # the first minute: connections made, caches warm
procs >"$T/procs"
while read -r n p; do echo "$n $p $(rss "$p")"; done <"$T/procs" >"$T/rss0"
wrk -t1 -c8 -d"$((SECS - 60))s" "$B/api/articles?pagination[pageSize]=5" \
    >"$T/wrk.txt" 2>&1
while read -r n p; do echo "$n $p $(rss "$p")"; done <"$T/procs" >"$T/rss1"
wait "$F1"
wait "$F2"

echo "== soak: ${SECS}s, webhooks 2 x $RATE/s, $NSUB SSE + $NSUB WebSocket subscribers, wrk -c8 on a list query"
fail=0
for m in sse ws; do
	echo "$m: $(cat "$T/$m.json")"
	python3 - "$T/$m.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
if d["connected"] != d["subscribers"]: bad.append("connected %d of %d" % (d["connected"], d["subscribers"]))
if d["delivered"] != d["expected"]: bad.append("delivered %d of %d" % (d["delivered"], d["expected"]))
if d["duplicates"] or d["out_of_order_subscribers"] or d["closed"]: bad.append("duplicates/out-of-order/closed")
for b in bad: print("  FAIL " + b)
sys.exit(1 if bad else 0)
PY
	if [ -s "$T/$m.err" ]; then echo "  FAIL webhook errors:"; head -5 "$T/$m.err"; fail=1; fi
done
sed -n '/Requests\/sec\|requests in\|Non-2xx\|Socket errors\|Latency/p' "$T/wrk.txt"
grep -q -e 'Non-2xx' -e 'Socket errors' "$T/wrk.txt" && { echo "  FAIL query errors"; fail=1; }
echo "RSS (KiB) after the first minute -> at the end:"
join "$T/rss0" "$T/rss1" 2>/dev/null >/dev/null
paste "$T/rss0" "$T/rss1" | while read -r n p a n2 p2 b; do
	echo "  $n[$p] $a -> $b ($((b - a)))"
	[ $((b - a)) -le "$GROWTH_KIB" ] || echo "  FAIL $n grew"
done | tee "$T/rss.txt"
grep -q FAIL "$T/rss.txt" && fail=1
check_verify=$("$STRAPI_LIVE" verify >/dev/null 2>&1 && echo clean || echo PROBLEMS)
echo "strapi-live verify: $check_verify"
[ "$check_verify" = clean ] || fail=1
[ $fail -eq 0 ] && echo "SOAK PASSED" || echo "SOAK FAILED"
exit $fail
