#!/bin/sh
# t1712-schema-read-stuck.sh: a program reads the content model kept in
# the store (strapi-live schema pull) right after opening it, before any
# request, where no watchdog looked. A process that took the store's
# mutexes then (tests/fault/hold_mutexes) and was killed left that read
# waiting: a FastCGI worker for ever, a plain-CGI request's process until
# its 20 s bound (answered by a second one, late). Under the read watch
# the read jumps back once the holder is dead, the store is reopened
# (recovered) and the read tried again: answered within seconds.
. "$top_srcdir/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_mutexes"
FAULT="$top_builddir/tests/fault/fault_once.so"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_mutexes is not built"
[ -f "$FAULT" ] || skip_all "tests/fault/fault_once.so is not built"
[ -r /proc/self/task/$$/syscall ] || skip_all "no /proc/PID/task/TID/syscall"
"$STRAPI_LIVE" --help | grep -q '^  sync ' || skip_all "built without libcurl"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
export STRAPI_LIVE_COLLECTIONS=article,author,category,global,about
unset STRAPI_LIVE_SCHEMA_DIR

FAKE_TOKEN=custom-token fake_strapi_start
"$STRAPI_LIVE" schema pull >/dev/null 2>"$T/pull.err"
ok $? "the content model is kept in the store"
kill "$FAKE_PID"

# The query's process stops in the content model's parse (FAULT_JSON_PAUSE:
# its marker gone), the store open and the model's first part read.
: >"$T/pause"
t0=$(date +%s)
env LD_PRELOAD="$FAULT" FAULT_JSON_PAUSE="$T/pause" REQUEST_METHOD=GET \
    GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI=/api/articles \
    PATH_INFO=/api/articles QUERY_STRING= SCRIPT_NAME= "$QUERY_FCGI" \
    </dev/null >"$T/resp" 2>"$T/err" &
q=$!
sl_track $q
for i in $(seq 1 200); do [ -e "$T/pause" ] || break; sleep 0.05; done
ok "$([ ! -e "$T/pause" ]; echo $?)" "the query's process is reading the content model"
# Meanwhile a process takes the store's mutexes, and is killed 3 s later.
fault_hold "$HOLD" "$STRAPI_LIVE_STORE_DIR" 3
check "another process holds the store's mutexes" grep -q holding "$T/hold"
: >"$T/pause" # the read goes on, and waits on them
wait $q
took=$(($(date +%s) - t0))
# (Its exit status is the sanitizer's under ASan: the handles of the
# environment it left are never closed, by design.)
is "$(cgi_status <"$T/resp")" 200 "the query is answered 200"
diag "it took $took s (the holder died after 3 s; plain CGI's bound is 20 s)"
# Not by a second process after the first was killed at the bound (what
# happened without the watch): the supervisor says so when it kills one.
grep -q 'was stuck opening the store' "$T/err"
ok $((1 - $?)) "by its first process: none was killed at the 20 s bound"

check "the process said why" \
    grep -q "reading the content model kept in the store was stuck on a process that died in it" "$T/err"
grep 'warn' "$T/err" | sed 's/^/# /' | head -6
done_testing
