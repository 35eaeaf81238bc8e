#!/bin/sh
# t1270-populate-fresh.sh: query.fcgi under lighttpd, one long-lived
# FastCGI process, answering populate from what the store holds at each
# request: a related row read by one request (and kept for the rest of
# it, so that a list reads a shared author once) is read again by the
# next, so an author renamed between two requests shows renamed in every
# article at once, with no article delivery.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"

rich_env
export STRAPI_LIVE_STORE_DIR="$T/store"

# The recorded deliveries up to the author's rename (18), as CGI.
bad=0
for f in "$RICH"/0[1-9]-*.json "$RICH"/1[0-7]-*.json; do
	case $(deliver_cgi "$f") in 2??) ;; *) bad=$((bad + 1)) ;; esac
done
is "$bad" 0 "deliveries 01-17 are stored"

# One query.fcgi process: every request below reaches the same one.
fcgi_entry /api/ "$QUERY_FCGI" 1 >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" ||
	{ echo "Bail out! lighttpd did not start"; exit 1; }

URL="http://127.0.0.1:$LIGHTTPD_PORT/api/articles?populate[author]=true&populate[cover]=true&populate[category]=true&locale=*"

# authors: the author names of the answer's articles, sorted, one line.
authors() {
	curl -s -g "$URL" | json - \
	    '" ".join(sorted(set(a["author"]["name"] for a in d["data"] if a.get("author"))))'
}

before=$(authors)
is "$(authors)" "$before" "the same request twice: the same authors"
case $before in
*"Ada Lovelace"*) ok 0 "the articles show their author as stored" ;;
*) ok 1 "the articles show their author as stored (got: $before)" ;;
esac

# The rename: one entry.update of the author, no article delivery.
is "$(deliver_cgi "$RICH/18-entry.update.author.json")" 200 \
    "the author's rename is stored"
after=$(authors)
case $after in
*"Ada King-Lovelace"*) ok 0 "the next request shows the new name" ;;
*) ok 1 "the next request shows the new name (got: $after)" ;;
esac
case $after in
*"Ada Lovelace"*) ok 1 "no article keeps the old name (got: $after)" ;;
*) ok 0 "no article keeps the old name" ;;
esac
kill "$LIGHTTPD_PID"
wait "$LIGHTTPD_PID" 2>/dev/null
done_testing
