#!/bin/sh
# t1706-first-open-race.sh: the first programs to open a new store build
# its indexes (DB_CREATE associate) together. One of them could lose a
# deadlock there and answer 500 ("cannot open the store"): seen when a
# shared host's first requests came at once. The open is retried now.
# Twenty new stores, each opened first by 8 deliveries and 8 queries at
# once (plain CGI): every request answered 200. (Without the retry about
# one store in ten lost a request.)
. "${top_srcdir:-.}/tests/lib.sh"

fixture_body "$FIXTURES/04-entry.publish.json" "$T/body.json"
len=$(wc -c <"$T/body.json")
bad=0
for r in $(seq 1 20); do
	export STRAPI_LIVE_STORE_DIR="$T/store$r"
	for i in 1 2 3 4 5 6 7 8; do
		cgi_run "$QUERY_FCGI" GET "" REQUEST_URI=/api/articles \
		    QUERY_STRING= SCRIPT_NAME= PATH_INFO=/api/articles \
		    2>>"$T/err" | cgi_status >"$T/st.$r.q$i" &
		cgi_run "$WEBHOOK_FCGI" POST "$T/body.json" \
		    CONTENT_TYPE=application/json \
		    "HTTP_AUTHORIZATION=Bearer $SECRET" \
		    HTTP_X_STRAPI_EVENT=entry.publish 2>>"$T/err" |
		    cgi_status >"$T/st.$r.w$i" &
	done
	wait
	n=$(cat "$T"/st.$r.* | grep -c '^200$')
	[ "$n" = 16 ] || { bad=$((bad + 1)); diag "store $r: $n of 16 answered 200"; }
done
is "$bad" 0 "20 new stores, 16 first requests each: all answered 200"
is "$(grep -c 'cannot open the store' "$T/err")" 0 "no program failed to open its store"
grep -h 'warn\|fatal' "$T/err" | sed 's/^[^ ]* //; s/\[[0-9]*\]//' | sort | uniq -c | sed 's/^/# /' | head -5
done_testing
