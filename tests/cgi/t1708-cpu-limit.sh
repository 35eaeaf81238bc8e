#!/bin/sh
# t1708-cpu-limit.sh: a plain-CGI process that loops on the CPU inside
# libdb (seen: an events.cgi left spinning in the buffer pool after a
# recovery, at 40% of a core, long after its web server had gone) ends
# itself after cgi_cpu_limit seconds of CPU, and plain CGI's supervisor
# answers its request from a fresh process.
. "${top_srcdir:-.}/tests/lib.sh"
FAULT="$top_builddir/tests/fault/fault_once.so"
[ -f "$FAULT" ] || skip_all "tests/fault/fault_once.so is not built"
# The sanitizers' runtime must come first; the fault library is plain.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

is "$(deliver_cgi "$FIXTURES/04-entry.publish.json")" 200 "an article is published"

# query.fcgi as CGI; its first process spins in db_env_create.
query_spin() { # query_spin LIMIT TIMEOUT
	: >"$T/spin"
	timeout "$2" env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_URI=/api/articles QUERY_STRING= SCRIPT_NAME= \
	    PATH_INFO=/api/articles STRAPI_LIVE_CGI_CPU_LIMIT="$1" \
	    LD_PRELOAD="$FAULT" FAULT_SPIN="$T/spin" \
	    "$QUERY_FCGI" </dev/null >"$T/resp" 2>"$T/err"
}
start=$(date +%s)
query_spin 1 60
took=$(($(date +%s) - start))
is "$(cgi_status <"$T/resp")" 200 "the query is answered (in ${took} s)"
cgi_body <"$T/resp" >"$T/body"
is "$(json "$T/body" 'len(d["data"])')" 1 "with the stored article"
ok $((took >= 15)) "soon after the spinning process used its second of CPU"
check "the spinning process said why it left" \
    grep -q "used its cgi_cpu_limit of CPU time" "$T/err"
check "and a fresh one answered" grep -q "answering again" "$T/err"
sed 's/^/# /' "$T/err" | grep -v 'info req' | head -4

# 0: no limit; the process spins until something else ends it.
query_spin 0 3
is $? 124 "cgi_cpu_limit = 0: no limit (still spinning after 3 s)"

# A stream (events.cgi, no supervisor) is bounded too.
env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI=/events \
    QUERY_STRING= SCRIPT_NAME= PATH_INFO=/events \
    STRAPI_LIVE_EVENTS_CGI_DURATION=3 \
    "$top_builddir/cgi-bin/events.fcgi" </dev/null >"$T/events" 2>&1 &
ev=$!
sl_track $ev
lim=
for i in $(seq 1 50); do
	lim=$(awk '/^Max cpu time/ { print $4, $5 }' /proc/$ev/limits 2>/dev/null)
	[ "$lim" = "60 65" ] && break
	sleep 0.1
done
is "$lim" "60 65" \
    "an events.cgi stream may use 60 s of CPU (the default), 65 at most"
wait $ev 2>/dev/null
done_testing
