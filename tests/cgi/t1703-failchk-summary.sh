#!/bin/sh
# t1703-failchk-summary.sh: after processes that held read locks die, the
# next open's failchk reports it in one summary line, not a line per locker
. "${top_srcdir:-.}/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_read_locks"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_read_locks is not built"
export STRAPI_LIVE_LOG_LEVEL=debug # the CLI shows info lines at debug only

"$STRAPI_LIVE" stats >/dev/null 2>&1 # creates the store
pids=""
for i in 1 2 3 4 5 6; do
	"$HOLD" "$STRAPI_LIVE_STORE_DIR" entries.db changes.db meta.db >"$T/hold.$i" 2>&1 &
	pids="$pids $!"
	sl_track $!
done
for i in $(seq 1 100); do
	[ "$(cat "$T"/hold.* | grep -c holding)" -eq 6 ] && break
	sleep 0.1
done
is "$(cat "$T"/hold.* | grep -c holding)" 6 "six processes hold read locks"
for p in $pids; do kill -9 "$p"; done
for p in $pids; do wait "$p" 2>/dev/null; done
"$STRAPI_LIVE" stats >/dev/null 2>"$T/err"
ok $? "the next open succeeds"
is "$(grep -c 'Freeing' "$T/err")" 0 "no line per locker or per process"
is "$(grep -c 'bdb: failchk cleaned up after dead processes: read locks of [1-9][0-9]* lockers' "$T/err")" 1 \
    "one summary line"
grep 'failchk cleaned up' "$T/err" | sed 's/^/# /'
done_testing
