#!/bin/sh
# t3000-live-blog.sh: the live blog demo in headless Chromium, end to end
#
# lighttpd serves www/ and runs webhook.fcgi and query.fcgi; /live/ goes to
# the push sidecar through mod_proxy (WebSocket upgrade enabled, responses
# streamed). A second port of the same server refuses /live/ws, as a proxy
# without WebSocket support does, for the SSE fallback. The browser part is
# tests/browser/live_blog.py (DevTools protocol, stdlib only).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

ARTIFACTS="$top_builddir/tests/artifacts"
mkdir -p "$ARTIFACTS"
browser_setup
browser_conf >"$T/extra.conf"
echo 'index-file.names = ( "index.html" )' >>"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
ARTIFACTS="$ARTIFACTS" browser_run live_blog.py
