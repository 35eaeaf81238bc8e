#!/bin/sh
# valgrind.sh: webhook.fcgi, query.fcgi and events.fcgi as FastCGI
# programs under valgrind's memcheck (spawn-fcgi, behind lighttpd), N
# mixed requests (tests/mixed_load.py), then a clean stop (SIGTERM): no
# memcheck error and no definite or indirect leak in any of them.
#
#   tests/soak/valgrind.sh [N]          (default 10000; BUILD=dir, default _build)
# Prints one line per program ("ok <prog>: ..." or "FAIL <prog>: ..."),
# exits 0 when all are clean, 1 when not, 77 when something is missing.
set -u
N=${1:-10000}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${top_builddir:=$top_srcdir/${BUILD:-_build}}"
WEBHOOK_FCGI=$top_builddir/cgi-bin/webhook.fcgi
QUERY_FCGI=$top_builddir/cgi-bin/query.fcgi
EVENTS_FCGI=$top_builddir/cgi-bin/events.fcgi
STRAPI_LIVE=$top_builddir/src/strapi-live
for b in valgrind spawn-fcgi lighttpd; do
	command -v $b >/dev/null 2>&1 || { echo "valgrind.sh: $b not installed"; exit 77; }
done
for b in "$WEBHOOK_FCGI" "$QUERY_FCGI" "$EVENTS_FCGI"; do
	[ -x "$b" ] || { echo "valgrind.sh: $b not built"; exit 77; }
done
# A sanitizer build cannot run under valgrind.
if nm "$QUERY_FCGI" 2>/dev/null | grep -q __asan_init; then
	echo "valgrind.sh: an ASan build; valgrind needs a plain one"; exit 77
fi
. "$top_srcdir/tests/lib.sh"
trap - EXIT
VG_PIDS=""
vg_cleanup() {
	for p in $VG_PIDS; do kill "$p" 2>/dev/null; done
	sl_cleanup
}
trap vg_cleanup EXIT

"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null ||
    { echo "valgrind.sh: import failed"; exit 1; }
export STRAPI_LIVE_LOG_LEVEL=warn
for prog in webhook query events; do
	eval bin=\$$(echo $prog | tr a-z A-Z)_FCGI
	spawn-fcgi -n -s "$T/$prog.sock" -- "$(command -v valgrind)" --quiet \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=99 \
	    --suppressions="$top_srcdir/tests/soak/valgrind.supp" \
	    --log-file="$T/vg.$prog.log" "$bin" 2>"$T/$prog.err" &
	VG_PIDS="$VG_PIDS $!"
	eval ${prog}_pid=$!
done
for prog in webhook query events; do
	for i in $(seq 1 200); do
		[ -S "$T/$prog.sock" ] && break
		sleep 0.05
	done
done
lighttpd_start <<EOF2 || { echo "valgrind.sh: lighttpd failed"; exit 1; }
fastcgi.server = (
 "/strapi/webhook" => (( "socket" => "$T/webhook.sock", "check-local" => "disable" )),
 "/api/" => (( "socket" => "$T/query.sock", "check-local" => "disable" )),
 "/events" => (( "socket" => "$T/events.sock", "check-local" => "disable" )) )
EOF2
base="http://127.0.0.1:$LIGHTTPD_PORT"
# The programs start slowly under valgrind: wait for a first answer.
for i in $(seq 1 300); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/articles")" = 200 ] && break
	sleep 0.1
done
t0=$(date +%s)
python3 "$top_srcdir/tests/mixed_load.py" "$base" "$SECRET" "$N" >"$T/load.json"
lrc=$?
t1=$(date +%s)
echo "# $N mixed requests in $((t1 - t0)) s: $(cat "$T/load.json")"
[ $lrc = 0 ] || echo "FAIL load: a request got no answer or a 5xx"
rc=$lrc
for prog in webhook query events; do
	eval pid=\$${prog}_pid
	kill -TERM "$pid"
	wait "$pid"
	st=$?
	if [ $st = 0 ]; then
		echo "ok $prog.fcgi: exit 0, no memcheck error, no definite or indirect leak"
	else
		echo "FAIL $prog.fcgi: exit $st"
		sed 's/^/#   /' "$T/vg.$prog.log" | head -60
		rc=1
	fi
done
VG_PIDS=""
exit $rc
