#!/bin/sh
# t1460-push-behind-proxy.sh: 1,000 connections from one client behind the
# reverse proxy (lighttpd adding X-Forwarded-For, as conf/lighttpd.conf
# does) are held to that client's limit; other clients still get in; a
# reader that stops cannot pin catch-up copies beyond the global budget
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
[ -x "$PUSH_BIN" ] || skip_all "sidecar not built (--disable-push)"
SIDECAR_PORT=$(free_port)
export SIDECAR_PORT
{
	echo 'server.stream-response-body = 2'
	echo 'server.max-fds = 8192'
	echo 'server.max-connections = 4000'
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2
	# The /live/ block of conf/lighttpd.conf, on this test's port.
	cat <<EOC
\$HTTP["url"] =~ "^/live/" {
	proxy.server = ( "" => (( "host" => "127.0.0.1", "port" => $SIDECAR_PORT )) )
	proxy.header = ( "upgrade" => "enable" )
}
EOC
} >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" || { echo "Bail out! lighttpd did not start"; exit 1; }
WEBHOOK_URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"
export WEBHOOK_URL LIGHTTPD_PORT
run_py "$top_srcdir/tests/server/t1460-push-behind-proxy.py"
