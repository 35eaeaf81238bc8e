#!/bin/sh
# t1760-worker-kill.sh: kill -9 of one query.fcgi and one webhook.fcgi
# worker at a time under load (queries and deliveries; tests/kill_load.py).
# Each pool is three workers under multiwatch on one socket, as
# conf/lighttpd.conf runs them. Also a lone query.fcgi (spawn-fcgi, nothing
# restarts it) is killed first. A death costs the others nothing: the two
# spared workers of each pool keep their pids (they used to exit when they
# saw the dead one, leaving nobody under spawn-fcgi), at most the one
# request inside each killed process fails (in both builds: a request that
# waits for a worker waits in the shared socket's queue, where a living
# worker takes it), and every acknowledged delivery is stored.
. "${top_srcdir:-.}/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null ||
    { echo "Bail out! import failed"; exit 1; }
{
	fcgi_entry /api/ "$QUERY_FCGI" 3 multiwatch
	fcgi_entry /hook "$WEBHOOK_FCGI" 3 multiwatch
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
PORT=$LIGHTTPD_PORT I_CGI=$top_builddir/cgi-bin I_BIN=$top_builddir/src \
    KILL="query webhook" SPARE=2 FOLLOW=0 LONE=${LONE:-0} ROUNDS=${ROUNDS:-4} WEBHOOK_PATH=/hook \
    KILL_STORE="$STRAPI_LIVE_STORE_DIR" \
    PYTHONPATH="$top_srcdir/tests" python3 -u "$top_srcdir/tests/kill_load.py"
