#!/bin/sh
# t1281-query-scan-column.sh: a scan through query.fcgi's column of a text
# attribute (query_scan_cache) kept current from the change log. One
# query.fcgi process behind lighttpd, t1280's schema and seeded content;
# seeded random list queries of t1280's generator are answered as the
# SQLite reference does before any change, after a few changes (items
# edited to values with escapes and non-ASCII letters, unpublished,
# added: the columns are brought up from the change log) and after many
# (the columns are read again); its debug log shows that the columns
# answered and how they were brought up. Then, on a second store, the
# same with a query_scan_cache too small for a column: the scan reads the
# entries, and answers the same; on a third, query_max_scan below the
# item count: the lists are refused and no column is read.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"

command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
[ -x "$QUERY_FCGI" ] && [ -x "$WEBHOOK_FCGI" ] ||
	skip_all "query.fcgi or webhook.fcgi not built"

STRAPI_LIVE_LOG_LEVEL=debug
STRAPI_LIVE_CONFIG=$T/strapi-live.conf
LOG=$T/log/lighttpd.out
export STRAPI_LIVE_LOG_LEVEL STRAPI_LIVE_CONFIG LOG

# part MODE NAME: lighttpd on the store $STRAPI_LIVE_STORE_DIR, one
# process of each program, and the Python checks of MODE.
part() {
	push_web_start /strapi/webhook "$WEBHOOK_FCGI" 1 /api/ "$QUERY_FCGI" 1
	TAP_OFFSET=$_tap_n \
	    run_py "$top_srcdir/tests/server/t1281-query-scan-column.py" \
	    "$1" >"$T/tap.$1" 2>"$T/py.$1.err"
	tap_include "$T/tap.$1"
	[ -s "$T/py.$1.err" ] && sed 's/^/# /' "$T/py.$1.err"
	grep -q '^1\.\.' "$T/tap.$1"
	ok $? "$2 ran to its end"
	kill "$LIGHTTPD_PID" && wait "$LIGHTTPD_PID" 2>/dev/null
	rm -f "$T"/*.sock
}

ql_env
: >"$STRAPI_LIVE_CONFIG"
part full "the comparison"
# A bound below what one column takes: no column, the entries are read.
STRAPI_LIVE_STORE_DIR=$T/store-small
echo "query_scan_cache = 16384" >"$STRAPI_LIVE_CONFIG"
part small "the comparison within a small query_scan_cache"
# More entries than query_max_scan: refused without reading a column.
STRAPI_LIVE_STORE_DIR=$T/store-bound
echo "query_max_scan = 100" >"$STRAPI_LIVE_CONFIG"
part bound "the lists over query_max_scan"
done_testing
