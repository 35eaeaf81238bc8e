#!/bin/sh
# t3010-client.sh: the browser client as a frontend uses it, in headless
# Chromium: a cross-origin import (served as the shipped lighttpd.conf
# serves it), two SSE subscriptions while connecting, a bad query beside
# good ones (SSE and WebSocket), resume from a REST answer's meta.seq,
# configure() with live subscriptions, getOne() by slug, a push_token-gated
# sidecar. The browser part is tests/browser/client.py.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
browser_conf >"$T/extra.conf"
mkdir -p "$T/other"
printf '<!doctype html><title>another origin</title>\n' >"$T/other/index.html"
PORT3=$(free_port)
{
	cat <<EOC
server.modules += ("mod_alias")
\$SERVER["socket"] == "127.0.0.1:$PORT3" {
	server.document-root = "$T/other"
}
EOC
	# How the shipped example serves the client, with this tree's path.
	sed -n '/^alias.url += ( "\/strapi-live\/"/,$p' "$top_srcdir/conf/lighttpd.conf" |
	    sed "s|/usr/local/share/strapi-live/www/|$top_srcdir/www/|"
} >>"$T/extra.conf"
grep -q 'strapi-live/"' "$T/extra.conf" ||
    { echo "Bail out! conf/lighttpd.conf serves no /strapi-live/"; exit 1; }
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
BASE_OTHER="http://127.0.0.1:$PORT3" \
CLIENT_URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi-live/strapi-live.js" \
    browser_run client.py
