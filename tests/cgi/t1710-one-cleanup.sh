#!/bin/sh
# t1710-one-cleanup.sh: two processes that find the same dead process in
# the store clean up after it one at a time. Run at once, two clean-ups
# (each may end in recovery) each built an environment of their own and
# wrote the log from the same place over the other: seen under kills,
# acknowledged deliveries gone. Here the first one's clean-up hangs (its
# probe child stuck opening the store, tests/fault/fault_once.so's
# FAULT_OPEN_HANG) until its 3 s limit; the second, started meanwhile,
# waits for it instead of cleaning up alongside, and finishes after it.
. "${top_srcdir:-.}/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_read_locks"
FAULT="$top_builddir/tests/fault/fault_once.so"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_read_locks is not built"
[ -f "$FAULT" ] || skip_all "tests/fault/fault_once.so is not built"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS STRAPI_LIVE_LOG_LEVEL=debug

is "$(deliver_cgi "$FIXTURES/04-entry.publish.json")" 200 "an article is published"
fault_hold "$HOLD" "$STRAPI_LIVE_STORE_DIR" entries.db
check "a process holds read locks in the store" grep -q holding "$T/hold"
kill -9 $HOLD_PID
wait $HOLD_PID 2>/dev/null

# The first: its clean-up's probe hangs 3 s.
: >"$T/hang"
env LD_PRELOAD="$FAULT" FAULT_OPEN_HANG="$T/hang" "$STRAPI_LIVE" stats \
    >"$T/a.out" 2>"$T/a.err" &
a=$!
for i in $(seq 1 100); do [ -e "$T/hang" ] || break; sleep 0.05; done
ok "$([ ! -e "$T/hang" ]; echo $?)" "the first one's clean-up is stuck"
# The second, while the first is stuck.
"$STRAPI_LIVE" stats >"$T/b.out" 2>"$T/b.err"
b_rc=$?
b_end=$(date +%s.%N)
wait $a
a_rc=$?
is "$a_rc:$b_rc" "0:0" "both open the store"
# When the first one's clean-up gave up (its log line's time), against
# when the second one was done.
order=$(python3 - "$T/a.err" "$b_end" <<'PY'
import datetime, sys
hung = None
for l in open(sys.argv[1]):
    if "hung for" in l:
        t = datetime.datetime.strptime(l.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
        hung = t.replace(tzinfo=datetime.timezone.utc).timestamp()
print("none" if hung is None else
      "after" if float(sys.argv[2]) >= hung else "before")
PY
)
is "$order" after \
    "the second was done only after the first one's clean-up ended"
is "$(json "$T/b.out" 'd["collections"]["articles"]["entries"]')" 1 \
    "and sees the stored article"
sed 's/^/# a: /' "$T/a.err" | grep -v 'info req' | head -4
sed 's/^/# b: /' "$T/b.err" | grep -v 'info req' | head -4
done_testing
