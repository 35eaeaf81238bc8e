#!/bin/sh
# recycle.sh: the cost of max_requests (in-place recycling) on query.fcgi
# under lighttpd: wrk on the list query with max_requests = 0 (the
# ceiling, same run), 1000 and 50. Prints req/s, errors and the ratio to
# the ceiling for each.
#
#   bench/recycle.sh [SECONDS] [CONNECTIONS]       (default 5 8)
set -u
SECS=${1:-5}
CONNS=${2:-8}
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 2; }
"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null
export STRAPI_LIVE_CONFIG="$T/strapi-live.conf" STRAPI_LIVE_LOG_LEVEL=warn
ceiling=
for mr in 0 1000 50; do
	echo "max_requests = $mr" >"$STRAPI_LIVE_CONFIG"
	chmod 600 "$STRAPI_LIVE_CONFIG"
	lighttpd_start "$(fcgi_entry /api/ "$QUERY_FCGI" 2)" ||
	    { echo "lighttpd failed" >&2; exit 1; }
	curl -s "http://127.0.0.1:$LIGHTTPD_PORT/api/articles" >/dev/null
	wrk -t2 -c"$CONNS" -d"${SECS}s" \
	    "http://127.0.0.1:$LIGHTTPD_PORT/api/articles" >"$T/wrk.$mr" 2>&1
	rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$T/wrk.$mr")
	errs=$(grep -e 'Non-2xx' -e 'Socket errors' "$T/wrk.$mr" | tr -s ' ' | tr '\n' ';')
	[ -z "$ceiling" ] && ceiling=$rps
	printf 'max_requests=%-5s %9s req/s  ratio %.2f  errors: %s\n' "$mr" \
	    "$rps" "$(awk -v a="$rps" -v b="$ceiling" 'BEGIN {print a / b}')" "${errs:-none}"
	kill "$LIGHTTPD_PID"
	wait "$LIGHTTPD_PID" 2>/dev/null
done
