#!/bin/sh
# t0950-static-render.sh: static_dir (docs/static.md) with the recorded
# rich deliveries through webhook.fcgi as plain CGI: after each write the
# canonical answers are files, each the bytes query.fcgi answers for its
# URL; deleted documents lose theirs; a writer killed between its commit
# and its render leaves stale files that static-verify reports and the
# next writer repairs; materialize rebuilds and sweeps left-overs.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
rich_env
# A writer is killed here: with durable = no its commit could be lost by
# the recovery that follows (the store then goes back, the files ahead).
export STRAPI_LIVE_DURABLE=yes
export STRAPI_LIVE_STATIC_DIR="$T/static"
S=$STRAPI_LIVE_STATIC_DIR
A1=ps7ajq06b9x40es6l4z2jnsw

# Each file against query.fcgi's answer for its URL: prints "N BAD".
same_as_query() {
	local rel uri n=0 bad=0
	python3 "$top_srcdir/tests/static_urls.py" "$S" >"$T/urls"
	while IFS='	' read -r rel uri; do
		n=$((n + 1))
		cgi_get "$uri"
		if [ "$STATUS" != 200 ] || ! cmp -s "$T/body" "$S/$rel"; then
			bad=$((bad + 1))
			diag "differs: $rel ($uri, $STATUS)"
		fi
	done <"$T/urls"
	echo "$n $bad"
}

# A new version of recorded delivery 83 (an article), V seconds later;
# prints its file. Sets slug (the article's).
bumped() {
	python3 - "$RICH/83-entry.publish.article.json" "$1" >"$T/bumped$1.json" <<'PY'
import json, sys
from datetime import datetime, timedelta
d = json.load(open(sys.argv[1]))
b = json.loads(d["raw_body"])
def later(s):
    t = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(seconds=int(sys.argv[2]))
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
e = b["entry"]
e["updatedAt"] = later(e["updatedAt"])
e["publishedAt"] = later(e["publishedAt"])
e["title"] = "Bumped v" + sys.argv[2]
d["raw_body"] = json.dumps(b, separators=(",", ":"))
print(json.dumps(d))
PY
	echo "$T/bumped$1.json"
}
slug=$(json "$RICH/83-entry.publish.article.json" 'json.loads(d["raw_body"])["entry"]["slug"]')

is "$(deliver_range_cgi 1 44)" 0 "the first 44 recorded deliveries are taken"
(cd "$S" && find . -name '*.json' | sort) >"$T/files44"
is "$(deliver_range_cgi 45 83)" 0 "the other 39 (deletions among them) too"
(cd "$S" && find . -name '*.json' | sort) >"$T/files83"

set -- $(same_as_query)
ok $(($1 < 40)) "40 answers or more are files ($1)"
is "$2" 0 "each file is the bytes query.fcgi answers for its URL"
for f in articles/index.json articles/page=1.json global/index.json \
    about/index.json "articles/$A1/index.json" "articles/$A1/locale=fr.json" \
    articles/locale=fr.json "articles/page=1&locale=fr.json" \
    articles/slug=hello-rich-strapi.json \
    articles/slug/hello-rich-strapi/index.json \
    "articles/slug=bonjour-strapi-riche&locale=fr.json"; do
	[ -f "$S/$f" ]
	ok $? "rendered: $f"
done
# Each answer carries its own seq (its entry's, its collection's): the
# newest of them is the store's, which .seq names (a pass after which
# only what a commit touches is rendered: "own").
seq=$(python3 - "$S" <<'PY'
import json, os, sys
top = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        if f.endswith(".json") and "/_live" not in d:
            top = max(top, json.load(open(os.path.join(d, f)))["meta"]["seq"])
print(top)
PY
)
is "$(cat "$S/.seq")" "$seq own" ".seq names the newest answer's seq, the store's"
is "$(cat "$S/_live/head/index.json")" "{\"seq\":$seq,\"etag\":\"W/\\\"$seq\\\"\",\"changes\":{\"size\":100,\"first\":0}}" \
    "the change head names that seq, query.fcgi's ETag at it and the change pages"

comm -23 "$T/files44" "$T/files83" >"$T/gone"
ok $(($(wc -l <"$T/gone") == 0)) "the deleted documents' files are gone ($(wc -l <"$T/gone"))"
# A path form is a 404 now, a filter form an empty list.
bad=0
while read -r rel; do
	uri=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import static_urls; print(static_urls.url_of(sys.argv[2]))' \
	    "$top_srcdir/tests" "${rel#./}")
	cgi_get "$uri"
	case $rel in
	*/index.json | */locale=*) want=404 ;;
	*) want=200 ;;
	esac
	[ "$STATUS" = "$want" ] || { bad=$((bad + 1)); diag "$rel: $STATUS"; }
	[ "$want" = 404 ] || [ "$(json "$T/body" 'd["data"]')" = "[]" ] ||
	    { bad=$((bad + 1)); diag "$rel: not an empty list"; }
done <"$T/gone"
is "$bad" 0 "each removed file's URL answers 404, or an empty list"

"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale after the deliveries"

# A writer killed between its commit and its render.
SL_FAULT_DIE_BEFORE_RENDER=1 deliver_cgi "$(bumped 100)" >"$T/st"
is "$(cat "$T/st")" 503 "the writer dies before answering (after its commit): 503, no acknowledgement"
cgi_get "/api/articles/slug/$slug"
is "$(json "$T/body" 'd["data"]["title"]')" "Bumped v100" "its write is in the store"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 1 "static-verify exits 1: files are stale"
grep -q "^stale: $S/articles/index.json: differs" "$T/verify" &&
    grep -q "^stale: $S/_live/head/index.json: differs" "$T/verify"
ok $? "it names them (the list and the change head among them)"
is "$(deliver_cgi "$(bumped 200)")" 200 "the next writer is answered"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: it repaired every file"
set -- $(same_as_query)
is "$2" 0 "each file is query.fcgi's answer again ($1 files)"

# Left-overs and losses: static-verify reports them, materialize repairs.
mkdir -p "$S/articles/zzzzzzzzzzzzzzzzzzzzzzzz"
echo '{}' >"$S/articles/zzzzzzzzzzzzzzzzzzzzzzzz/index.json"
rm "$S/global/index.json"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 1 "static-verify exits 1 for a left-over and a missing file"
is "$(grep -c '^stale: ' "$T/verify")" 2 "it lists both"
"$STRAPI_LIVE" materialize >"$T/mat" 2>>"$T/stderr"
is "$?" 0 "materialize"
grep -q "1 written, 1 removed" "$T/mat"
ok $? "it wrote the missing file and removed the left-over"
"$STRAPI_LIVE" static-verify >/dev/null 2>>"$T/stderr"
is "$?" 0 "static-verify: ok after materialize"

# The .gz beside each answer (built with zlib): checked and repaired too.
if grep -q '^#define HAVE_ZLIB 1' "$top_builddir/config.h"; then
	gzip -dc <"$S/articles/index.json.gz" | cmp -s - "$S/articles/index.json"
	ok $? "the list's .gz holds the list"
	echo 'not gzip' >"$S/articles/index.json.gz"
	rm "$S/global/index.json.gz"
	echo x | gzip >"$S/articles/zzzzzzzzzzzzzzzzzzzzzzzz.json.gz"
	"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
	is "$?" 1 "static-verify exits 1 for a bad, a missing and a left-over .gz"
	grep -q "^stale: $S/articles/index.json: its .gz differs" "$T/verify" &&
	    grep -q "^stale: $S/global/index.json: its .gz is missing" "$T/verify" &&
	    grep -q "^stale: $S/articles/zzzzzzzzzzzzzzzzzzzzzzzz.json.gz: not an answer" "$T/verify"
	ok $? "it names the three"
	"$STRAPI_LIVE" materialize >/dev/null 2>>"$T/stderr"
	"$STRAPI_LIVE" static-verify >/dev/null 2>>"$T/stderr"
	is "$?" 0 "materialize repairs them"
	[ ! -e "$S/articles/zzzzzzzzzzzzzzzzzzzzzzzz.json.gz" ]
	ok $? "and removes the left-over .gz"
else
	tap_skip "built without zlib: no .gz"
fi

# Concurrent writers, each its own version (deliver_v: no shared files):
# whatever order their renders run in, the last one leaves the newest
# state.
deliver_v() { # deliver_v V [VAR=VALUE...]: version V; prints the status
	local v=$1
	shift
	python3 - "$(bumped "$v")" "$T/v$v.body" <<'PY'
import json, sys
open(sys.argv[2], "w").write(json.load(open(sys.argv[1]))["raw_body"])
PY
	env "$@" REQUEST_METHOD=POST GATEWAY_INTERFACE=CGI/1.1 \
	    CONTENT_LENGTH="$(wc -c <"$T/v$v.body")" \
	    CONTENT_TYPE=application/json "HTTP_AUTHORIZATION=Bearer $SECRET" \
	    HTTP_X_STRAPI_EVENT=entry.publish "$WEBHOOK_FCGI" <"$T/v$v.body" \
	    2>>"$T/stderr" | cgi_status
}
for v in 301 302 303 304 305 306; do
	deliver_v $v >"$T/st$v" &
done
wait
is "$(cat "$T"/st30[1-6] | sort -u)" 200 "6 concurrent writers answered"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale after concurrent writers"
is "$(cut -d' ' -f1 "$S/.seq")" "$(json "$S/articles/index.json" 'd["meta"]["seq"]')" \
    ".seq at the list's seq (its collection's last change, the store's)"
cgi_get "/api/articles/slug/$slug"
is "$(json "$S/articles/slug/$slug/index.json" 'd["data"]["title"]')" \
    "$(json "$T/body" 'd["data"]["title"]')" "the file holds the store's version"

# Commit 5 then 6, render 6 then 5: the writer of the older version
# reaches the lock last (it waits 1.5 s after its commit), and the files
# still hold the newer one.
deliver_v 401 SL_FAULT_PAUSE_BEFORE_RENDER=1500 >"$T/st401" &
slow=$!
sleep 0.5
is "$(deliver_v 402)" 200 "the newer version, while the older one's writer waits"
wait "$slow"
is "$(cat "$T/st401")" 200 "the older one's writer renders last"
is "$(json "$S/articles/slug/$slug/index.json" 'd["data"]["title"]')" \
    "Bumped v402" "the file holds the newer version"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr")" 0 \
    "no sanitizer reports on stderr"
done_testing
