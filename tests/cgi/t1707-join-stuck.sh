#!/bin/sh
# t1707-join-stuck.sh: a program joining the store cleans up after dead
# processes (failchk), which takes their mutexes. When a process dies
# holding them after the joiner looked for dead ones, the join waited on
# them until a 2-minute watchdog ended the program (a CGI request: 500
# after the web server's timeout; seen under plain CGI with kills). A
# join stuck for 3 s is now left and tried again, which recovers the
# store at once (no second wait in a failchk probe), and the request is
# answered: in 3 s, where a 10 s bound and the probe took 13.
. "${top_srcdir:-.}/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_mutexes"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_mutexes is not built"

is "$(deliver_cgi "$FIXTURES/04-entry.publish.json")" 200 "an article is published"
# A process takes the store's mutexes and is killed 1 s later (well
# before the joiner's 3 s limit, which then finds it dead).
fault_hold "$HOLD" "$STRAPI_LIVE_STORE_DIR" 1
check "a process holds the store's mutexes" grep -q holding "$T/hold"
# query.fcgi as CGI joins while it holds them, and waits.
start=$(date +%s)
timeout 60 env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_URI=/api/articles QUERY_STRING= SCRIPT_NAME= \
    PATH_INFO=/api/articles "$QUERY_FCGI" </dev/null >"$T/resp" 2>"$T/err"
took=$(($(date +%s) - start))
wait $HOLD_PID 2>/dev/null
is "$(cgi_status <"$T/resp")" 200 "the query is answered (in ${took} s)"
cgi_body <"$T/resp" >"$T/body"
is "$(json "$T/body" 'len(d["data"])')" 1 "with the stored article"
ok $((took >= 10)) "within 10 s"
is "$(grep -c 'joining the environment was stuck on a process that died in it; trying again' "$T/err")" 1 \
    "it says why it joined again"
sed 's/^/# /' "$T/err" | grep -v 'info req' | head -8
done_testing
