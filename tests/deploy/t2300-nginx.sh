#!/bin/sh
# t2300-nginx.sh: conf/nginx.conf on the installed tree: fastcgi_pass to
# programs started by conf/spawn-fcgi.sh, proxy_pass with Upgrade and
# proxy_buffering off to the sidecar
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
command -v nginx >/dev/null 2>&1 || skip_all "nginx not installed"
command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
[ -f /etc/nginx/fastcgi_params ] || skip_all "no /etc/nginx/fastcgi_params"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
[ -x "$I_BIN/strapi-live-push" ] || skip_all "sidecar not built (--disable-push)"
fcgi_spawn || { deploy_logs; echo "Bail out! spawn-fcgi failed"; exit 1; }
# shellcheck disable=SC2046
ex=$(deploy_example nginx.conf $(fcgi_ports_sub) \
    -e "s/listen 80 /listen 127.0.0.1:$PORT /" -e '/listen \[::\]:80 /d')
cp /etc/nginx/fastcgi_params "$T/fastcgi_params"
user=
[ "$(id -u)" = 0 ] && user="user $RUNUSER $RUNGROUP;"
mkdir -p "$SRV/run/nginx"
cat >"$T/nginx-main.conf" <<CONF
$user
pid $SRV/run/nginx.pid;
error_log $SRV/log/nginx-error.log;
worker_processes 1;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $SRV/run/nginx/body;
	proxy_temp_path $SRV/run/nginx/proxy;
	fastcgi_temp_path $SRV/run/nginx/fastcgi;
	uwsgi_temp_path $SRV/run/nginx/uwsgi;
	scgi_temp_path $SRV/run/nginx/scgi;
	include $ex;
}
CONF
check "nginx accepts the configuration" nginx -t -p "$T/" -c "$T/nginx-main.conf"
nginx -p "$T/" -c "$T/nginx-main.conf" -g 'daemon off;' >"$SRV/log/nginx.out" 2>&1 &
sl_track $!
wait_port "$PORT" || { deploy_logs; echo "Bail out! nginx did not start"; exit 1; }
push_start || { deploy_logs; echo "Bail out! sidecar did not start"; exit 1; }

base=http://127.0.0.1:$PORT
stream_start "$base/live/events" live
stream_start "$base/events" ev
stream_ready live
ok $? "SSE through proxy_pass starts (proxy_buffering off)"
stream_ready ev
ok $? "events.fcgi through fastcgi_pass starts (fastcgi_buffering off)"
deploy_roundtrip "$base" /strapi/webhook live
stream_wait ev '^event: upsert'
ok $? "events.fcgi streams the upsert"
PYTHONPATH="$top_srcdir/tests" python3 - "$PORT" <<'PY' >"$T/ws.out" 2>&1
import sys, json
from push_client import WS
w = WS("127.0.0.1", int(sys.argv[1]), "/live/ws")
w.send({"type": "subscribe", "id": "q", "collection": "articles"})
print(json.dumps(w.recv(5)))
PY
grep -q 'hello-strapi-five' "$T/ws.out"
ok $? "WebSocket through proxy_pass Upgrade: the query result holds the entry"
is "$(curl -s -o /dev/null -w '%{http_code}' "$base/strapi-live/strapi-live.js")" 200 \
    "the installed browser client is served"
is "$(client_cors "$base/strapi-live/strapi-live.js")" "*" \
    "a page of another origin may import it (Access-Control-Allow-Origin: *)"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/ws.out"; }
done_testing
