#!/bin/sh
# soak.sh: the 10-minute soak. Webhooks at a steady rate, queries at full
# speed (wrk), 1,000 SSE and 1,000 WebSocket subscribers on the sidecar.
# Passes when no request failed, every event reached every subscriber, and
# no process's private memory (RssAnon: heap and stacks, where a leak
# shows) grew by more than GROWTH_KIB (default 2048) between the first
# minute and the end. RSS (which also counts the pages of the shared
# store cache a process has touched, and grows with the data) and RssAnon
# of every process are printed at the start (after a minute of warm-up:
# subscribers connected, store cache touched by every worker), the middle
# and the end. Not part of make check.
#
#   tests/soak/soak.sh [SECONDS] [RATE]       (BUILD=dir, default _build)
#   e.g. tests/soak/soak.sh 600 5   -> 2 x 3000 webhooks, 2 x 3,000,000 pushes
set -u
SECS=${1:-600}
RATE=${2:-5}
NSUB=${NSUB:-1000}
GROWTH_KIB=${GROWTH_KIB:-2048}
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
# Every subscriber comes from 127.0.0.1: one client to the per-address
# limits, so they are lifted here.
push_start STRAPI_LIVE_LOG_LEVEL=warn \
    STRAPI_LIVE_PUSH_MAX_PER_ADDR=$((NSUB + 100)) \
    STRAPI_LIVE_PUSH_MAX_SUBS_PER_ADDR=$((NSUB + 100))
PP=$PUSH_PORT
B="http://127.0.0.1:$LIGHTTPD_PORT"
curl -sf "$B/api/articles" >/dev/null # start the query workers

procs() { # name pid, for every process under test
	echo "lighttpd $LIGHTTPD_PID"
	echo "strapi-live-push $PUSH_PID"
	for p in $(pgrep -P "$LIGHTTPD_PID" -f "$WEBHOOK_FCGI"); do echo "webhook.fcgi $p"; done
	for p in $(pgrep -P "$LIGHTTPD_PID" -f "$QUERY_FCGI"); do echo "query.fcgi $p"; done
}
# mem PID: "VmRSS RssAnon" in KiB (0 0 when the process is gone)
mem() {
	awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print (r?r:0), (a?a:0)}' \
	    "/proc/$1/status" 2>/dev/null || echo "0 0"
}
sample() { # sample FILE: one line per process, "name pid rss anon"
	while read -r n p; do echo "$n $p $(mem "$p")"; done <"$T/procs" >"$1"
}

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
# Warm-up: every query and webhook worker reads the whole store once
# (pages of the shared cache it will touch anyway), then the first minute
# of posts and subscribers.
for i in 1 2 3 4 5 6 7 8; do
	curl -s "$B/api/articles?pagination[pageSize]=100" >/dev/null
done
sleep 60 # the first minute: connections made, caches warm
procs >"$T/procs"
sample "$T/rss0"
( sleep $(((SECS - 60) / 2)); sample "$T/rssm" ) &
MID=$!
wrk -t1 -c8 -d"$((SECS - 60))s" "$B/api/articles?pagination[pageSize]=5" \
    >"$T/wrk.txt" 2>&1
sample "$T/rss1"
wait "$MID"
wait "$F1"
echo $? >"$T/sse.rc"
wait "$F2"
echo $? >"$T/ws.rc"

echo "== soak: ${SECS}s, webhooks 2 x $RATE/s, $NSUB SSE + $NSUB WebSocket subscribers, wrk -c8 on a list query"
fail=0
for m in sse ws; do
	echo "$m: $(cat "$T/$m.json")"
	if [ ! -s "$T/$m.json" ]; then
		echo "  FAIL the $m probe printed nothing (exit status $(cat "$T/$m.rc"))"
		cat "$T/$m.err"
		fail=1
		continue
	fi
	python3 - "$T/$m.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
print("  %s: delivered %d of %d (%d subscribers x %d events), %d duplicates, "
      "%d subscribers out of order, %d closed, %d post failures, "
      "p50 %.1f ms, p99 %.1f ms" % (
          sys.argv[1].split("/")[-1][:-5], d["delivered"], d["expected"],
          d["connected"], d["events"], d["duplicates"],
          d["out_of_order_subscribers"], d["closed"],
          d.get("post_failures", 0), d["p50_ms"], d["p99_ms"]))
bad = []
if d.get("post_failures"): bad.append("%d posts failed" % d["post_failures"])
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
echo "memory (KiB): RSS start -> middle -> end; RssAnon (private) start -> middle -> end"
paste "$T/rss0" "$T/rssm" "$T/rss1" |
    while read -r n p r0 a0 _ _ rm am _ _ r1 a1; do
	echo "  $n[$p] RSS $r0 -> $rm -> $r1 ($((r1 - r0))); anon $a0 -> $am -> $a1 ($((a1 - a0)))"
	[ $((a1 - a0)) -le "$GROWTH_KIB" ] || echo "  FAIL $n private memory grew"
	[ "$r1" -gt 0 ] || echo "  FAIL $n is gone"
done | tee "$T/rss.txt"
grep -q FAIL "$T/rss.txt" && fail=1
check_verify=$("$STRAPI_LIVE" verify >/dev/null 2>&1 && echo clean || echo PROBLEMS)
echo "strapi-live verify: $check_verify"
[ "$check_verify" = clean ] || fail=1
[ $fail -eq 0 ] && echo "SOAK PASSED" || echo "SOAK FAILED"
exit $fail
