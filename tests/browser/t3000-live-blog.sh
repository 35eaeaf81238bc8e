#!/bin/sh
# t3000-live-blog.sh: the live blog demo in headless Chromium, end to end
#
# lighttpd serves www/ and runs webhook.fcgi and query.fcgi; /live/ goes to
# the push sidecar through mod_proxy (WebSocket upgrade enabled, responses
# streamed). A second port of the same server refuses /live/ws, as a proxy
# without WebSocket support does, for the SSE fallback. The browser part is
# tests/browser/live_blog.py (DevTools protocol, stdlib only).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

: "${QUERY_FCGI:=$top_builddir/cgi-bin/query.fcgi}"
: "${STRAPI_LIVE_PUSH:=${PUSH_BIN:-$top_builddir/src/strapi-live-push}}"
: "${CHROMIUM:=/usr/bin/chromium}"

[ -x "$CHROMIUM" ] || skip_all "no Chromium at $CHROMIUM (apt-get install chromium)"
[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$STRAPI_LIVE_PUSH" ] || skip_all "strapi-live-push not built (--disable-push?)"
command -v lighttpd >/dev/null 2>&1 || skip_all "no lighttpd"

ARTIFACTS="$top_builddir/tests/artifacts"
mkdir -p "$ARTIFACTS" "$T/store"
rmdir "$T/www" 2>/dev/null
ln -s "$top_srcdir/www" "$T/www"

PUSH_PORT=$(free_port)
DEAD_PORT=$(free_port)
PORT2=$(free_port)
{
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI"
	fcgi_entry /api/ "$QUERY_FCGI"
	cat <<EOC
server.stream-response-body = 2
index-file.names = ( "index.html" )
\$HTTP["url"] =~ "^/live/" {
	proxy.server = ( "" => (( "host" => "127.0.0.1", "port" => $PUSH_PORT )) )
	proxy.header = ( "upgrade" => "enable" )
}
\$SERVER["socket"] == "127.0.0.1:$PORT2" {
	\$HTTP["url"] =~ "^/live/ws" {
		proxy.server = ( "" => (( "host" => "127.0.0.1", "port" => $DEAD_PORT )) )
		proxy.header = ( "upgrade" => "disable" )
	}
}
EOC
} >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"

BASE="http://127.0.0.1:$LIGHTTPD_PORT" \
BASE_NOWS="http://127.0.0.1:$PORT2" \
WEBHOOK="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook" \
SECRET="$SECRET" \
PUSH_BIN="${TRACEME:+$TRACEME }$STRAPI_LIVE_PUSH" \
PUSH_LISTEN="127.0.0.1:$PUSH_PORT" \
ARTIFACTS="$ARTIFACTS" T="$T" CHROMIUM="$CHROMIUM" \
    python3 "$top_srcdir/tests/browser/live_blog.py"
rc=$?
[ $rc -eq 0 ] || { diag "lighttpd log:"; sed 's/^/# /' "$T/log/lighttpd-error.log"; diag "push log:"; sed 's/^/# /' "$T/push.log" 2>/dev/null | tail -40; }
exit $rc
