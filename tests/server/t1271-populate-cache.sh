#!/bin/sh
# t1271-populate-cache.sh: query.fcgi under lighttpd, one long-lived
# FastCGI process with the answer cache off, keeping populate's related
# rows across requests (populate_cache_rows): no request after a change
# is answered with a related row as it was before it. An author renamed
# twice, unpublished (a row remembered as missing), published again; a
# cover's media row edited; an author renamed while the change log is
# trimmed so short that the rename's record is gone by the next request;
# more changes between two requests than rows kept; and with
# populate_cache_rows 0, every request reading its own rows.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"

rich_env
export STRAPI_LIVE_STORE_DIR="$T/store"

is "$(deliver_range_cgi 1 17)" 0 "deliveries 01-17 are stored"

# gen FIXTURE EVENT MINUTE KEY=VALUE...: the fixture's delivery as EVENT,
# its entry (or media row) with those string values, updated (and, for
# an entry, published: an unpublish names the version it takes down)
# MINUTE minutes after the recording: into
# $T/gen.json, delivered through webhook.fcgi; prints the status.
gen() {
	python3 - "$@" >"$T/gen.json" <<'PY'
import json, sys
src, event, minute = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(src))
body = json.loads(d["raw_body"])
row = body["entry"] if "entry" in body else body["media"]
for kv in sys.argv[4:]:
    k, v = kv.split("=", 1)
    row[k] = v
stamp = "2026-12-03T09:%02d:00.000Z" % minute
row["updatedAt"] = stamp
if "entry" in body:
    row["publishedAt"] = stamp
body["event"] = event
d["raw_body"] = json.dumps(body)
d["headers"]["X-Strapi-Event"] = event
print(json.dumps(d))
PY
	deliver_cgi "$T/gen.json"
}
AUTHOR=$RICH/18-entry.update.author.json
MEDIA=$RICH/01-media.create.json

# serve ROWS: one query.fcgi process (every request reaches it), the
# answer cache off, populate_cache_rows ROWS.
serve() {
	fcgi_entry /api/ "$QUERY_FCGI" 1 |
	    sed "s|\"bin-environment\" => ( |&\"STRAPI_LIVE_QUERY_CACHE\" => \"0\", \"STRAPI_LIVE_POPULATE_CACHE_ROWS\" => \"$1\", |" \
	    >"$T/lighttpd.extra"
	lighttpd_start <"$T/lighttpd.extra" ||
		{ echo "Bail out! lighttpd did not start"; exit 1; }
	URL="http://127.0.0.1:$LIGHTTPD_PORT/api/articles?populate[author]=true&populate[cover]=true&locale=*"
}
stop() {
	kill "$LIGHTTPD_PID"
	wait "$LIGHTTPD_PID" 2>/dev/null
}

# shown: the author names and cover texts of the answer's articles,
# sorted, one line ("-" for an article without its author).
shown() {
	curl -s -g "$URL" | json - \
	    '" ".join(sorted(set((a["author"] or {}).get("name", "-") for a in d["data"]))) + " | " + " ".join(sorted(set((a["cover"] or {}).get("alternativeText") or "-" for a in d["data"])))'
}

# expect NAME WANT-IN WANT-OUT: the next request shows WANT-IN and not
# WANT-OUT (empty: no check).
expect() {
	_got=$(shown)
	case $_got in
	*"$2"*) ;;
	*) ok 1 "$1 (got: $_got)"; return ;;
	esac
	case $_got in
	*"$3"*) [ -n "$3" ] && { ok 1 "$1 (got: $_got)"; return; } ;;
	esac
	ok 0 "$1"
}

serve 4096
expect "the articles show their author and cover as stored" \
    "Ada Lovelace" "Ada King"
expect "the same request again: the same rows" "Ada Lovelace" "Ada King"

is "$(gen "$AUTHOR" entry.update 1 "name=Ada One")" 200 "a rename is stored"
expect "the next request shows it" "Ada One" "Ada Lovelace"
is "$(gen "$AUTHOR" entry.update 2 "name=Ada Two")" 200 "a second rename"
expect "the next request shows the second name" "Ada Two" "Ada One"

is "$(gen "$AUTHOR" entry.unpublish 3)" 200 "the author is unpublished"
expect "the next request shows no author" "- |" "Ada"
expect "and again (the missing row is kept)" "- |" "Ada"
is "$(gen "$AUTHOR" entry.publish 4 "name=Ada Three")" 200 \
    "the author is published again"
expect "the next request shows it again, renamed" "Ada Three" "- |"

is "$(gen "$MEDIA" media.update 5 "alternativeText=Peaks at noon")" 200 \
    "the cover's media row is edited"
expect "the next request shows the cover's new text" "Peaks at noon" \
    "Mountains at dawn"

# The change log trimmed to its newest record by every write: the
# rename's record is gone when the next request reads the log.
export STRAPI_LIVE_CHANGES_MAX_BYTES=1
is "$(gen "$AUTHOR" entry.update 6 "name=Ada Four")" 200 \
    "a rename with the change log trimmed"
is "$(gen "$MEDIA" media.update 7 "alternativeText=Peaks at dusk")" 200 \
    "then another change"
expect "the next request shows the rename the log no longer holds" \
    "Ada Four" "Ada Three"
expect "and the other change" "Peaks at dusk" "Peaks at noon"
unset STRAPI_LIVE_CHANGES_MAX_BYTES
stop

# Two rows kept: more changes since the last request than rows kept.
serve 2
expect "with two rows kept, the rows as stored" "Ada Four" "Ada Three"
is "$(gen "$AUTHOR" entry.update 8 "name=Ada Five")" 200 "a rename"
is "$(gen "$MEDIA" media.update 9 "alternativeText=Peaks at night")" 200 \
    "and two more changes"
is "$(gen "$MEDIA" media.update 10 "alternativeText=Peaks at dawn")" 200 \
    "(the third)"
expect "the next request shows the rename" "Ada Five" "Ada Four"
expect "and the last change" "Peaks at dawn" "Peaks at night"
stop

serve 0
is "$(gen "$AUTHOR" entry.update 11 "name=Ada Six")" 200 "a rename"
expect "with populate_cache_rows 0, the next request shows it" \
    "Ada Six" "Ada Five"
stop
done_testing
