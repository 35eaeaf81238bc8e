#!/bin/sh
# t2100-lighttpd.sh: conf/lighttpd.conf on the installed tree: mod_fastcgi
# spawning the programs, mod_proxy (with upgrade) to the sidecar
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
[ -x "$I_BIN/strapi-live-push" ] || skip_all "sidecar not built (--disable-push)"
lighttpd_deploy_start ||
    { deploy_logs; echo "Bail out! lighttpd did not start"; exit 1; }
push_start || { deploy_logs; echo "Bail out! sidecar did not start"; exit 1; }

base=http://127.0.0.1:$PORT
stream_start "$base/live/events" live
events_follow "$base/events" ev
stream_ready live
ok $? "SSE through mod_proxy starts"
stream_ready ev
ok $? "events.fcgi stream starts"
deploy_roundtrip "$base" /strapi/webhook live
stream_wait ev '^event: upsert'
ok $? "events.fcgi streams the upsert too"

# WebSocket through mod_proxy's upgrade: a reactive query.
ws_query "$PORT" >"$T/ws.out" 2>&1
grep -q '"type": "result"' "$T/ws.out"
ok $? "WebSocket upgrade through mod_proxy: a query result arrives"
grep -q 'hello-strapi-five' "$T/ws.out"
ok $? "the result holds the stored entry"
client_served "$base"
[ "$_tap_fail" = 0 ] || { deploy_logs; cat "$T/ws.out" | sed 's/^/# /'; }
done_testing
