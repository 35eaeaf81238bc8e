#!/bin/sh
# t3100-static-poll.sh: the browser client without a daemon, in headless
# Chromium: no sidecar, no events.fcgi; lighttpd serves www/, runs
# webhook.fcgi, and serves /api/ with the shipped conf/lighttpd-static.conf
# (static answers with change pages, query.fcgi for the rest). The demo
# picks polling by itself (transport auto) and shows each delivery; a page
# polling the change head sees every delivered change, its live query
# follows, and a resume point older than the kept pages is a reset. The
# browser part is tests/browser/static_poll.py.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"
. "$top_srcdir/tests/static_lib.sh"

browser_setup
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
S=$T/static
UPLOADS=$T/uploads
mkdir -p "$UPLOADS"
STRAPI_LIVE_SCHEMA_DIR=$top_srcdir/www/demo/schema
STRAPI_LIVE_COLLECTIONS=article,author,category,global,about
STRAPI_LIVE_LOCALES=en,fr
# Small pages, few kept: a client far behind finds its page removed.
static_lighttpd_conf "$S" "static_change_page_size = 4" "static_change_pages = 3"
STRAPI_LIVE_CONFIG=$T/strapi-live.conf
export STRAPI_LIVE_CONFIG UPLOADS
{
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI"
	cat <<EOC
include "$T/static.conf"
index-file.names = ( "index.html" )
alias.url += ( "/uploads/" => "$UPLOADS/" )
mimetype.assign += ( ".png" => "image/png" )
accesslog.filename = "$T/log/access.log"
server.modules += ( "mod_accesslog" )
EOC
} >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
S="$S" browser_run static_poll.py
