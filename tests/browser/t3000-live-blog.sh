#!/bin/sh
# t3000-live-blog.sh: the live blog demo in headless Chromium, end to end
#
# The demo's content model is Strapi's blog template (www/demo/schema/, as
# scripts/demo sets it up); its images are served from $T/uploads at
# /uploads/, where the media rows say they are.
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
STRAPI_LIVE_SCHEMA_DIR=$top_srcdir/www/demo/schema
STRAPI_LIVE_COLLECTIONS=article,author,category,global,about
STRAPI_LIVE_LOCALES=en,fr
UPLOADS=$T/uploads
export STRAPI_LIVE_SCHEMA_DIR STRAPI_LIVE_COLLECTIONS STRAPI_LIVE_LOCALES UPLOADS
mkdir -p "$UPLOADS"
browser_conf >"$T/extra.conf"
cat >>"$T/extra.conf" <<EOC
index-file.names = ( "index.html" )
server.modules += ( "mod_alias" )
alias.url += ( "/uploads/" => "$UPLOADS/" )
mimetype.assign += ( ".png" => "image/png" )
EOC
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
ARTIFACTS="$ARTIFACTS" browser_run live_blog.py
