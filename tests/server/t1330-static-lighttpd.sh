#!/bin/sh
# t1330-static-lighttpd.sh: conf/lighttpd-static.conf (docs/static.md)
# under lighttpd: after the recorded rich deliveries every answer file,
# fetched through lighttpd, is the bytes query.fcgi answers for its URL,
# with its Content-Type, CORS and Cache-Control; the rest falls back to
# query.fcgi; a client that takes gzip gets the .gz; a write shows at
# once; a writer killed between its commit and its render leaves stale
# files that the next writer repairs.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/static_lib.sh"

command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
rich_env
# A writer is killed here: with durable = no its commit could be lost by
# the recovery that follows (the store then goes back, the files ahead).
export STRAPI_LIVE_DURABLE=yes
export STRAPI_LIVE_STATIC_DIR="$T/static"
S=$STRAPI_LIVE_STATIC_DIR
# The programs under lighttpd read the same settings from a file.
static_lighttpd_conf "$S"
lighttpd_start "include \"$T/static.conf\"" || skip_all "lighttpd did not start"
base=http://127.0.0.1:$LIGHTTPD_PORT

is "$(deliver_range_cgi 1 83)" 0 "the 83 recorded deliveries are taken"
static_all_through "$base" "$S" lighttpd

static_served "$base" "$S" lighttpd
static_gzip "$base" "$S" lighttpd
static_head_poll "$base" "$S" lighttpd

# A write shows at once.
static_versions "$T/v" "Through lighttpd"
SL_FAULT_DIE_BEFORE_RENDER=1 deliver_cgi "$T/v1" >/dev/null
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
t=$(json "$T/b" 'd["data"]["title"]')
ok $([ "$t" != "Through lighttpd 1" ] && cmp -s "$T/b" "$S/articles/slug/$slug/index.json"; echo $?) \
    "a writer killed before its render: its file is served, old ($t)"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 1 "static-verify finds the stale files first"
is "$(deliver_cgi "$T/v2")" 200 "the next writer"
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" "Through lighttpd 2" \
    "its write is served at once"
static_all_through "$base" "$S" lighttpd again
static_head_changed "$base" "$S" lighttpd
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr" "$T/log/lighttpd.out" | awk -F: '{s += $2} END {print s}')" 0 \
    "no sanitizer reports"
done_testing
