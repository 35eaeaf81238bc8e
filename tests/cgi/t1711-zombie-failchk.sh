#!/bin/sh
# t1711-zombie-failchk.sh: a process killed in the store whose parent has
# not reaped it yet (a zombie: mod_fcgid reaps its workers late) is dead
# to the next open's failchk. kill(pid, 0) succeeds on a zombie, and
# failchk took it for alive: it left the killed process's state alone (its
# read locks here; a mutex it held under load, on which every writer then
# waited) while Berkeley DB emptied its registry slot, so that nobody saw
# that death again.
. "${top_srcdir:-.}/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_read_locks"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_read_locks is not built"
[ -r /proc/self/stat ] || skip_all "no /proc"
export STRAPI_LIVE_LOG_LEVEL=debug # the CLI shows info lines at debug only

"$STRAPI_LIVE" stats >/dev/null 2>&1 # creates the store
# Its parent execs sleep, which never reaps it.
sh -c '"$1" "$2" entries.db changes.db meta.db >"$3" 2>&1 &
echo $! >"$4"; exec sleep 60' sh "$HOLD" "$STRAPI_LIVE_STORE_DIR" \
    "$T/hold" "$T/hold.pid" &
sl_track $!
for i in $(seq 1 100); do
	grep -q holding "$T/hold" 2>/dev/null && break
	sleep 0.1
done
check "a process holds read locks in the store" grep -q holding "$T/hold"
pid=$(cat "$T/hold.pid")
kill -9 "$pid"
state() { sed 's/.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null; }
for i in $(seq 1 100); do
	[ "$(state)" = Z ] && break
	sleep 0.05
done
is "$(state)" Z "killed, it is a zombie: its parent has not reaped it"
"$STRAPI_LIVE" stats >/dev/null 2>"$T/err"
ok $? "the next open succeeds"
is "$(grep -c 'bdb: failchk cleaned up after dead processes: read locks of [1-9][0-9]* lockers' "$T/err")" 1 \
    "its failchk cleaned up after the zombie"
sed 's/^/# /' "$T/err" | head -4
done_testing
