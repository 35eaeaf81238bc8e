#!/bin/sh
# t2300-nginx.sh: conf/nginx.conf on the installed tree: fastcgi_pass to
# programs started by conf/spawn-fcgi.sh, proxy_pass with Upgrade and
# proxy_buffering off to the sidecar
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
nginx_deploy
push_start || { deploy_logs; echo "Bail out! sidecar did not start"; exit 1; }

base=http://127.0.0.1:$PORT
stream_start "$base/live/events" live
events_follow "$base/events" ev
stream_ready live
ok $? "SSE through proxy_pass starts (proxy_buffering off)"
stream_ready ev
ok $? "events.fcgi through fastcgi_pass starts (fastcgi_buffering off)"
deploy_roundtrip "$base" /strapi/webhook live
stream_wait ev '^event: upsert'
ok $? "events.fcgi streams the upsert"
ws_query "$PORT" >"$T/ws.out" 2>&1
grep -q 'hello-strapi-five' "$T/ws.out"
ok $? "WebSocket through proxy_pass Upgrade: the query result holds the entry"
client_served "$base"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/ws.out"; }
done_testing
