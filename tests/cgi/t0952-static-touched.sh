#!/bin/sh
# t0952-static-touched.sh: each answer carries the seq of what it read
# (docs/static.md, "Only what a commit touches"): an entry's answer its
# entry's, a slug's the last change to its holders, a list its type's;
# a commit leaves the other answers' bytes, ETags and files as they
# were, and a pass renders only what the commits since the last one
# touched (a pass after an older .seq renders the whole set).
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
export STRAPI_LIVE_STATIC_DIR="$T/static" STRAPI_LIVE_DURABLE=no
export STRAPI_LIVE_COLLECTIONS=article,page
S=$STRAPI_LIVE_STATIC_DIR

# deliver MODEL DOC N [CATEGORY [SLUG]]: one publish; prints its seq.
deliver() {
	local model=$1
	shift
	python3 "$top_srcdir/tests/gen_delivery.py" entry.publish "$@" |
	    sed "s/\"model\":\"article\"/\"model\":\"$model\"/; s/api::article\.article/api::$model.$model/" \
	    >"$T/d.json"
	cgi_run "$WEBHOOK_FCGI" POST "$T/d.json" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" 2>>"$T/stderr" |
	    cgi_body | json - 'd["seq"]'
}
doc() { printf 'doc%021d' "$1"; }
# Each file's inode (a rename over it gives a new one), sorted.
inodes() { (cd "$S" && find . -name '*.json' ! -path './_live/*' -printf '%i %p\n' | sort -k2); }
seq_of() { json "$S/$1" 'd["meta"]["seq"]'; }

i=1
while [ $i -le 6 ]; do
	deliver article "$(doc $i)" $i >/dev/null
	i=$((i + 1))
done
p1=$(deliver page "$(doc 101)" 1)
p2=$(deliver page "$(doc 102)" 2)
is "$p2" 8 "6 articles then 2 pages delivered"
is "$(seq_of articles/index.json)" 6 "the article list: its type's last change (6), not the store's (8)"
is "$(seq_of "articles/$(doc 3)/index.json")" 3 "an article by documentId: its own change (3)"
is "$(seq_of "articles/slug=slug-$(doc 4).json")" 4 "a slug's list: its holder's change (4)"
is "$(seq_of "articles/slug/slug-$(doc 5)/index.json")" 5 "by slug: the same (5)"
is "$(seq_of pages/index.json)" 8 "the page list: 8"

cgi_get /api/articles
is "$(json "$T/body" 'd["meta"]["seq"]')" 6 "query.fcgi answers the same seq"
grep -qi '^X-Strapi-Live-Seq: 6' "$T/resp"
ok $? "X-Strapi-Live-Seq is it"
grep -qi '^ETag: W/"6"' "$T/resp"
ok $? "and the ETag"
st=$(env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI=/api/articles \
    QUERY_STRING= HTTP_IF_NONE_MATCH='W/"6"' "$QUERY_FCGI" </dev/null 2>>"$T/stderr" | cgi_status)
is "$st" 304 "If-None-Match W/\"6\" while the store is at 8: 304"

# A commit to a page: no article file is written again.
inodes >"$T/before"
p3=$(deliver page "$(doc 101)" 3)
is "$p3" 9 "a page updated (9)"
inodes >"$T/after"
grep ' ./articles/' "$T/before" >"$T/a0"
grep ' ./articles/' "$T/after" >"$T/a1"
cmp -s "$T/a0" "$T/a1"
ok $? "no article file was written again ($(wc -l <"$T/a0") files)"
ok $(($(wc -l <"$T/a0") < 15)) "the articles have their files"
changed=$(diff "$T/before" "$T/after" | grep -c '^>')
is "$changed" 6 "the page's 3 answers and the type's list, page and category were"
is "$(seq_of "pages/$(doc 102)/index.json")" "$p2" "the other page's answer keeps its seq"
is "$(cut -d' ' -f1 "$S/.seq")" 9 ".seq is the store's"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: every file is query.fcgi's answer"

# An article's slug moves: both slugs' answers, not the other articles'.
inodes >"$T/before"
deliver article "$(doc 2)" 10 tech moved >/dev/null
inodes >"$T/after"
[ ! -e "$S/articles/slug=slug-$(doc 2).json" ] && [ -f "$S/articles/slug=moved.json" ]
ok $? "the old slug's files went, the new slug's came"
is "$(seq_of articles/slug=moved.json)" 10 "the new slug's answer: 10"
grep -v -e "$(doc 2)" -e ' ./articles/index.json' -e 'page=1' -e 'category=' \
    "$T/before" | grep ' ./articles/' >"$T/a0"
grep -v -e "$(doc 2)" -e ' ./articles/index.json' -e 'page=1' -e 'category=' \
    -e moved "$T/after" | grep ' ./articles/' >"$T/a1"
cmp -s "$T/a0" "$T/a1"
ok $? "the other articles' answers were not written again"
cgi_get "/api/articles/slug/slug-$(doc 2)"
is "$STATUS" 404 "the old slug answers 404"

# A partial pass leaves what no commit touched as the file holds it: a
# file changed behind its back stays (static-verify reports it) ...
printf '{}' >"$S/articles/$(doc 6)/index.json"
deliver page "$(doc 102)" 4 >/dev/null
is "$(cat "$S/articles/$(doc 6)/index.json")" "{}" "a pass renders only what was touched"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 1 "static-verify reports the file"
# ... while a pass after a .seq without "own" (an older writer's) renders
# the whole set.
cut -d' ' -f1 "$S/.seq" >"$T/seq" && cp "$T/seq" "$S/.seq"
deliver page "$(doc 102)" 5 >/dev/null
is "$(seq_of "articles/$(doc 6)/index.json")" 6 "after an older .seq the whole set is rendered"
is "$(cut -d' ' -f2 "$S/.seq")" own ".seq says own again"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale"

! grep -E 'ERROR: AddressSanitizer|runtime error' "$T/stderr" >/dev/null
ok $? "no sanitizer reports on stderr"
done_testing
