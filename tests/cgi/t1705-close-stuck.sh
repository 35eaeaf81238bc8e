#!/bin/sh
# t1705-close-stuck.sh: a CGI program's answer ends when it exits, and it
# exits after closing the store. A process that died holding the store's
# mutexes while the close waited on them left the close, and so the
# client, waiting for ever (seen under plain CGI with kills: webhook
# deliveries answered 200 in the log, timed out at the client). The close
# runs under the watchdog now: stuck on a dead process, it leaves the
# store and the program exits.
. "${top_srcdir:-.}/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_mutexes"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_mutexes is not built"

is "$(deliver_cgi "$FIXTURES/04-entry.publish.json")" 200 "an article is published"
# webhook.fcgi as CGI, its body held back: it opens the store, then waits
# for the body on a FIFO.
mkfifo "$T/in"
exec 3<>"$T/in"
env REQUEST_METHOD=POST CONTENT_LENGTH=2 CONTENT_TYPE=application/json \
    HTTP_AUTHORIZATION="Bearer not-the-secret" GATEWAY_INTERFACE=CGI/1.1 \
    "$WEBHOOK_FCGI" <"$T/in" >"$T/resp" 2>"$T/err" &
cgi=$!
sl_track $cgi
# (Under plain CGI the request is served by a child of the process.)
for i in $(seq 1 100); do
	child=$(pgrep -P $cgi | head -1)
	grep -q "$STRAPI_LIVE_STORE_DIR/__db" /proc/$child/maps 2>/dev/null && break
	sleep 0.1
done
check "webhook.fcgi has the store open, waiting for its body" \
    grep -q "$STRAPI_LIVE_STORE_DIR/__db" /proc/$child/maps
# Another process takes the store's mutexes, and is killed 2 s later.
fault_hold "$HOLD" "$STRAPI_LIVE_STORE_DIR" 2
check "a process holds the store's mutexes" grep -q holding "$T/hold"
printf '{}' >&3
exec 3>&-
# The refused delivery closes the store on the held mutexes.
for i in $(seq 1 200); do
	kill -0 $cgi 2>/dev/null || break
	sleep 0.1
done
kill -0 $cgi 2>/dev/null
ok $((! $?)) "webhook.fcgi exits within 20 s of its answer"
kill -9 $cgi 2>/dev/null
wait $HOLD_PID 2>/dev/null
is "$(cgi_status <"$T/resp")" 401 "its answer was sent (401: the wrong secret)"
is "$(grep -c 'closing was stuck on a process that died in the store; leaving it' "$T/err")" 1 \
    "it says why it left the store unclosed"
cgi_get "/api/articles"
is "$STATUS" 200 "the next query is answered"
is "$(json "$T/body" 'len(d["data"])')" 1 "with the stored article"
done_testing
