#!/bin/sh
# t0951-static-set.sh: the set static_dir holds (docs/static.md), with the
# flat article: the first static_list_pages pages (and no page past the
# last), each category's first page, each entry by slug and documentId;
# static_types narrows it; static_max_files bounds it, lists first.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
export STRAPI_LIVE_STATIC_DIR="$T/static" STRAPI_LIVE_DURABLE=no
S=$STRAPI_LIVE_STATIC_DIR

# 30 articles, in tech and news, through webhook.fcgi as plain CGI.
i=0
while [ $i -lt 30 ]; do
	echo "d$i entry.publish doc$(printf %021d $i) $((i + 1)) $([ $((i % 2)) = 0 ] && echo tech || echo news)"
	i=$((i + 1))
done | { mkdir -p "$T/d"; python3 "$top_srcdir/tests/gen_delivery.py" --batch "$T/d"; }
bad=0
for f in "$T"/d/d*; do
	st=$(cgi_run "$WEBHOOK_FCGI" POST "$f" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" 2>>"$T/stderr" | cgi_status)
	[ "$st" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 "30 deliveries taken"

# The answer files (not the change head, _live/head/index.json).
files() { (cd "$S" && find . -name '*.json' | sed 's|^\./||' | grep -v '^_live/' | sort); }
files >"$T/set"
is "$(wc -l <"$T/set")" 95 "95 answers: list, 2 pages, 2 categories, 30 x (2 by slug, 1 by id)"
for f in articles/index.json articles/page=1.json articles/page=2.json \
    articles/category=tech.json articles/category=news.json \
    articles/slug=slug-doc000000000000000000007.json \
    articles/slug/slug-doc000000000000000000007/index.json \
    articles/doc000000000000000000007/index.json; do
	grep -qx "$f" "$T/set"
	ok $? "in the set: $f"
done
grep -q 'page=3' "$T/set"
is "$?" 1 "no page past the last"
is "$(json "$S/articles/page=2.json" 'len(d["data"])')" 5 "page 2 holds the last 5"
is "$(json "$S/articles/category=news.json" 'len(d["data"])')" 15 "a category's first page"

python3 "$top_srcdir/tests/static_urls.py" "$S" >"$T/urls"
bad=0
while IFS='	' read -r rel uri; do
	cgi_get "$uri"
	[ "$STATUS" = 200 ] && cmp -s "$T/body" "$S/$rel" ||
	    { bad=$((bad + 1)); diag "differs: $rel"; }
done <"$T/urls"
is "$bad" 0 "each file is the bytes query.fcgi answers for its URL"

STRAPI_LIVE_STATIC_TYPES=article:list "$STRAPI_LIVE" materialize \
    >"$T/mat" 2>>"$T/stderr"
is "$?" 0 "materialize with static_types = article:list"
is "$(files | tr '\n' ' ')" "articles/index.json articles/page=1.json articles/page=2.json " \
    "only the list pages are left"
STRAPI_LIVE_STATIC_TYPES=article:list "$STRAPI_LIVE" static-verify \
    >/dev/null 2>>"$T/stderr"
is "$?" 0 "static-verify agrees with the same settings"
"$STRAPI_LIVE" static-verify >/dev/null 2>>"$T/stderr"
is "$?" 1 "and reports the missing ones with the default set"

STRAPI_LIVE_STATIC_MAX_FILES=10 "$STRAPI_LIVE" materialize >"$T/mat" \
    2>>"$T/stderr"
is "$?" 0 "materialize with static_max_files = 10"
is "$(files | wc -l)" 10 "10 files"
grep -q "static_max_files or static_max_bytes reached" "$T/mat"
ok $? "materialize says the bound was reached"
for f in articles/index.json articles/page=2.json articles/category=tech.json; do
	[ -f "$S/$f" ]
	ok $? "the lists come first: $f"
done
STRAPI_LIVE_STATIC_MAX_BYTES=20000 "$STRAPI_LIVE" materialize >"$T/mat" \
    2>>"$T/stderr"
is "$(($(cat $(files | sed "s|^|$S/|") | wc -c) <= 20000))" 1 \
    "static_max_bytes bounds the bytes"
STRAPI_LIVE_STATIC_MAX_BYTES=20000 "$STRAPI_LIVE" static-verify \
    >/dev/null 2>>"$T/stderr"
is "$?" 0 "static-verify agrees with the same bounds"

# strapi-live import writes too: its commits are rendered.
python3 "$top_srcdir/tests/gen_delivery.py" entry.publish \
    doc0000000000000000000imp 99 tech slug-imported |
    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["entry"]))' \
    >"$T/imp.jsonl"
"$STRAPI_LIVE" import "$T/imp.jsonl" >/dev/null 2>>"$T/stderr"
is "$?" 0 "strapi-live import of one more entry"
[ -f "$S/articles/slug=slug-imported.json" ]
ok $? "import rendered its answers"
"$STRAPI_LIVE" static-verify >/dev/null 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale after import"

for d in "$STRAPI_LIVE_STORE_DIR" "$STRAPI_LIVE_STORE_DIR/static" "$T" static; do
	STRAPI_LIVE_STATIC_DIR=$d "$STRAPI_LIVE" materialize >/dev/null 2>"$T/err"
	is "$?" 2 "static_dir = $d is refused"
done
grep -q "static_dir: 'static' is not an absolute path" "$T/err"
ok $? "saying why"

STRAPI_LIVE_STATIC_DIR= "$STRAPI_LIVE" static-verify >/dev/null 2>"$T/err"
is "$?" 2 "static-verify without static_dir: a usage error"
grep -q "static_dir is not set" "$T/err"
ok $? "saying why"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr")" 0 \
    "no sanitizer reports on stderr"
done_testing
