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

browser_setup
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
S=$T/static
UPLOADS=$T/uploads
mkdir -p "$S" "$UPLOADS"
# Small pages, few kept: a client far behind finds its page removed.
cat >"$T/strapi-live.conf" <<CONF
store_dir = $STRAPI_LIVE_STORE_DIR
static_dir = $S
schema_dir = $top_srcdir/www/demo/schema
collections = article,author,category,global,about
locales = en,fr
static_change_page_size = 4
static_change_pages = 3
CONF
STRAPI_LIVE_CONFIG=$T/strapi-live.conf
export STRAPI_LIVE_CONFIG UPLOADS
sed -e "s|/usr/local/libexec/strapi-live/cgi-bin/query.fcgi|$QUERY_FCGI|" \
    -e "s|/run/strapi-live|$T|" \
    -e "s|/usr/local/etc/strapi-live.conf|$T/strapi-live.conf|" \
    -e "s|/usr/local/var/lib/strapi-live-static|$S|" \
    "$top_srcdir/conf/lighttpd-static.conf" >"$T/static.conf"
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
