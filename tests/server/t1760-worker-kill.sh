#!/bin/sh
# t1760-worker-kill.sh: kill -9 of one query.fcgi and one webhook.fcgi
# worker at a time under load (queries and deliveries; tests/kill_load.py).
# Also a lone query.fcgi (spawn-fcgi, nothing restarts it) is killed first.
# A death costs the others nothing: the two spared workers of each pool keep their pids (they used to exit when they saw the
# dead one, leaving nobody under spawn-fcgi), at most the one request inside
# each killed process fails, and every acknowledged delivery is stored.
. "${top_srcdir:-.}/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null ||
    { echo "Bail out! import failed"; exit 1; }
{
	fcgi_entry /api/ "$QUERY_FCGI" 3
	fcgi_entry /hook "$WEBHOOK_FCGI" 3
} >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" || { echo "Bail out! lighttpd"; exit 1; }
curl -sf "http://127.0.0.1:$LIGHTTPD_PORT/api/articles" >/dev/null
# One more query.fcgi in the store, as spawn-fcgi starts it: nothing
# restarts it, so after its kill the dead process stays in the registry.
if command -v spawn-fcgi >/dev/null 2>&1; then
	spawn-fcgi -a 127.0.0.1 -p "$(free_port)" -P "$T/lone.pid" -- \
	    "$QUERY_FCGI" >/dev/null 2>&1 && LONE=$(cat "$T/lone.pid")
	sl_track "$LONE"
	sleep 0.5
fi
# Under the sanitizer build requests take long enough to queue on a
# worker's own socket, and lighttpd resets those queued on a killed one
# (t2610): there "at most the killed requests failed" is a TAP TODO row.
# The other rows are hard in both builds.
open=
grep -qa __asan_init "$QUERY_FCGI" && open=count
PORT=$LIGHTTPD_PORT KNOWN_OPEN=$open I_CGI=$top_builddir/cgi-bin I_BIN=$top_builddir/src \
    KNOWN_OPEN_WHY="lighttpd resets the requests queued on a killed worker's own socket" \
    KILL="query webhook" SPARE=2 FOLLOW=0 LONE=${LONE:-0} ROUNDS=${ROUNDS:-4} WEBHOOK_PATH=/hook \
    KILL_STORE="$STRAPI_LIVE_STORE_DIR" \
    PYTHONPATH="$top_srcdir/tests" python3 -u "$top_srcdir/tests/kill_load.py"
