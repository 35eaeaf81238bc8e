#!/bin/sh
# t1332-static-changes-lighttpd.sh: the change pages (docs/static.md)
# under lighttpd with conf/lighttpd-static.conf: after the recorded rich
# deliveries and more, each page served is its file and holds, byte for
# byte, the records events.fcgi's JSON page sends for its seqs; only the
# newest static_change_pages are kept, a removed one answers 404, and the
# head answers 304 to its ETag.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/static_lib.sh"

: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
[ -x "$EVENTS_FCGI" ] || skip_all "events.fcgi not built"
rich_env
S=$T/static
static_lighttpd_conf "$S" "static_change_page_size = 5" "static_change_pages = 3"
export STRAPI_LIVE_CONFIG=$T/strapi-live.conf
{
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI"
	fcgi_entry /events "$EVENTS_FCGI" 1
	echo "include \"$T/static.conf\""
} >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
base=http://127.0.0.1:$LIGHTTPD_PORT

is "$(static_deliver_all "$base")" 0 "the 83 recorded deliveries, through webhook.fcgi"
static_changes "$base" "$S" lighttpd "$base/events" 5 3
# More writes: the newest page grows, then a new one starts.
static_versions "$T/v" "Paged"
static_deliver "$base" "$T/v1" >/dev/null
static_deliver "$base" "$T/v2" >/dev/null
static_changes "$base" "$S" "lighttpd, after two writes" "$base/events" 5 3
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: the pages are the store's"
rm "$S/_live/changes/$(ls "$S/_live/changes" | sort -n | tail -1)/index.json"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
ok $([ $? = 1 ] && grep -q '_live/changes/.*missing' "$T/verify"; echo $?) \
    "static-verify reports a missing page"
"$STRAPI_LIVE" materialize >/dev/null 2>>"$T/stderr"
static_changes "$base" "$S" "lighttpd, after materialize" "$base/events" 5 3

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr" "$T/log/lighttpd.out" | awk -F: '{s += $2} END {print s}')" 0 \
    "no sanitizer reports"
done_testing
