#!/bin/sh
# t1770-read-stuck.sh: a request that reads, waiting on a mutex of a
# process that is then killed (tests/fault/hold_mutexes). Before the read
# watch it waited for ever (reads have no alarm: they run the renderers
# between library calls). Now the worker's watcher thread sees it wait in
# futex(2) on a store where a process died, the request jumps back to its
# start, the store is reopened (recovered) and the request answered again:
# the client gets its 200, late, and the worker goes on.
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
HOLD="$top_builddir/tests/fault/hold_mutexes"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_mutexes not built"
[ -r /proc/self/task/$$/syscall ] || skip_all "no /proc/PID/task/TID/syscall"

lighttpd_hook_api 1

post() { post_gen "$1" "$base/hook"; } # post DOC: prints the status
count() { # count URL: status and number of entries, or the failure
	curl -s -m 40 -o "$T/q.json" -w '%{http_code}' "$1" >"$T/q.code"
	printf '%s %s' "$(cat "$T/q.code")" \
	    "$(json "$T/q.json" 'len(d["data"])' 2>/dev/null || echo none)"
}

for d in a1 a2 a3; do post "$d" >>"$T/codes"; echo >>"$T/codes"; done
is "$(sort -u "$T/codes")" 200 "deliveries are stored"
is "$(count "$base/api/articles")" "200 3" "the query worker answers"

# A process takes the store's mutexes, a list comes and waits on them,
# then the holder is killed: the list waits on a dead process.
fault_hold "$HOLD" "$T/store" 3
check "the fault program holds the store's mutexes" grep -q holding "$T/hold"
t0=$(date +%s)
got=$(count "$base/api/articles")
took=$(($(date +%s) - t0))
wait $HOLD_PID
is $? 137 "the holder was killed while the list waited"
is "$got" "200 3" "the list is answered, whole, by the worker that waited"
diag "the list took $took s (the holder died after 3 s; curl gives up at 40)"
ok "$([ "$took" -lt 30 ] && echo 0 || echo 1)" "within 30 s"
check "the worker said why" grep -q "a request was stuck on a process that died" "$LOG"
is "$(post b1)" 200 "a delivery after it is acknowledged"
is "$(count "$base/api/articles")" "200 4" "and listed"
check "verify is clean" timeout 60 "$STRAPI_LIVE" verify
done_testing
