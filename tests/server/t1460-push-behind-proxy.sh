#!/bin/sh
# t1460-push-behind-proxy.sh: 1,000 connections from one client behind the
# reverse proxy (lighttpd adding X-Forwarded-For, as conf/lighttpd.conf
# does) are held to that client's limit; other clients still get in; a
# reader that stops cannot pin catch-up copies beyond the global budget
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_need
SIDECAR_PORT=$(free_port)
export SIDECAR_PORT
PUSH_WEB_EXTRA="server.max-fds = 8192
server.max-connections = 4000
$(live_proxy "$SIDECAR_PORT")"
push_web_start /strapi/webhook "$WEBHOOK_FCGI" 2
run_py "$top_srcdir/tests/server/t1460-push-behind-proxy.py"
