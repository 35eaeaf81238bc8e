#!/bin/sh
# t2210-apache-proxy-fcgi.sh: conf/apache-proxy-fcgi.conf on the installed
# tree: mod_proxy_fcgi to programs started by conf/spawn-fcgi.sh
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
proxy_fcgi_deploy
push_start || { deploy_logs; echo "Bail out! sidecar did not start"; exit 1; }

base=http://127.0.0.1:$PORT
stream_start "$base/live/events" live
events_follow "$base/events" ev
stream_ready live
ok $? "SSE through mod_proxy_http starts"
stream_ready ev
ok $? "events.fcgi through mod_proxy_fcgi starts at once (flushpackets)"
deploy_roundtrip "$base" /strapi/webhook live
stream_wait ev '^event: upsert'
ok $? "events.fcgi streams the upsert"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer wrong' --data '{}' "$base/strapi/webhook")" 401 \
    "a wrong secret is refused through the proxy"
ws_query "$PORT" >"$T/ws.out" 2>&1
grep -q 'hello-strapi-five' "$T/ws.out"
ok $? "WebSocket through mod_proxy_wstunnel: the query result holds the entry"
client_served "$base"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/ws.out"; }
done_testing
