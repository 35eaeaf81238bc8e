#!/bin/sh
# t1713-sizing-stuck.sh: every writer, once it has opened the store,
# checks that meta counts the bytes of the change and event logs (the
# retention's sizing) in a transaction of its own. That transaction ran
# outside the one retry loop of the writes, so outside the write
# watchdog: a process that died holding the store's mutexes while it
# waited left it waiting for ever; under plain CGI until the request
# child's 20 s bound (seen in t2650: a delivery's process joined the
# store, then sat 20 s in futex(2) and its client gave up at 15 s). The
# sizing is a body of the retry loop now: stuck on a dead process, it
# leaves the environment, reopens it (recovering it) and goes on.
. "${top_srcdir:-.}/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_mutexes"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_mutexes is not built"

is "$(deliver_cgi "$FIXTURES/04-entry.publish.json")" 200 "an article is published"
# A delivery whose process pauses 3 s once it has opened the store
# (SL_FAULT_PAUSE_AFTER_OPEN), before the sizing.
start=$(date +%s)
(SL_FAULT_PAUSE_AFTER_OPEN=3000 deliver_cgi "$FIXTURES/05-entry.update.json" \
    >"$T/status") &
dpid=$!
sl_track $dpid
for i in $(seq 1 100); do
	child=$(pgrep -f "$WEBHOOK_FCGI" | while read -r p; do
		grep -q "$STRAPI_LIVE_STORE_DIR/__db" /proc/$p/maps 2>/dev/null &&
		    echo "$p"; done | tail -1)
	[ -n "$child" ] && break
	sleep 0.1
done
check "the delivery's process has the store open" test -n "$child"
# Meanwhile a process takes the store's mutexes, and is killed 1 s later.
fault_hold "$HOLD" "$STRAPI_LIVE_STORE_DIR" 1
check "a process holds the store's mutexes" grep -q holding "$T/hold"
wait $dpid
took=$(($(date +%s) - start))
wait $HOLD_PID 2>/dev/null
is "$(cat "$T/status")" 200 "the delivery is answered 200 (in ${took} s)"
ok $((took >= 12)) "within 12 s (the pause is 3)"
check "its write was left on the dead process's mutexes and reopened" \
    grep -q 'a write was stuck on a process that died in the store' \
    "$T/stderr"
is "$(grep -c 'sizing the logs' "$T/stderr")" 0 "and the sizing did not fail"
sed 's/^/# /' "$T/stderr" | grep -v 'info req' | head -8
done_testing
