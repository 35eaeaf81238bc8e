#!/bin/sh
# t2970-demo-in-tree.sh: the README's quick start configures and builds in
# the source tree (./configure && make), and configure then refuses any
# out-of-tree build of that tree. scripts/demo run afterwards uses the
# tree's own build: in a copy of the source tree, configured and built in
# place, it starts, serves the sample content from that build (nothing
# built in _demo/build) and stops. The sample content is Strapi's blog
# template: articles with their cover, author and category, the single
# type global, and the images at the media rows' urls.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MAKE:=make}"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
. "$top_srcdir/scripts/deps.sh"
# shellcheck disable=SC2086
[ -z "$(sl_missing $SL_BUILD_PKGS lighttpd curl python3)" ] ||
	skip_all "scripts/demo would install packages"
unset STRAPI_LIVE_STORE_DIR STRAPI_LIVE_WEBHOOK_SECRET

# The source tree as a user has it: no build directories, writable.
S=$T/src
mkdir "$S"
(cd "$top_srcdir" && tar --exclude=./_build --exclude=./_asan \
    --exclude=./_demo --exclude=./.git --exclude=./autom4te.cache \
    --exclude=node_modules -cf - .) | tar -C "$S" -xf -
chmod -R u+w "$S"

(cd "$S" && ./configure -q && "$MAKE" -s -j2) >"$T/build.log" 2>&1
rc=$?
ok $rc "the quick start: ./configure && make in the source tree"
[ $rc = 0 ] || tail -20 "$T/build.log" | sed 's/^/# /'

demo_stop() {
	(cd "$S" && scripts/demo stop) >/dev/null 2>&1
	sl_cleanup
}
trap demo_stop EXIT
PORT=$(free_port)
(cd "$S" && PORT=$PORT scripts/demo) >"$T/demo.log" 2>&1
rc=$?
ok $rc "scripts/demo starts in that tree"
[ $rc = 0 ] || sed 's/^/# /' "$T/demo.log"
check "it uses the tree's own build" \
    grep -q "building in the source tree" "$T/demo.log"
[ ! -e "$S/_demo/build" ]
ok $? "and builds nothing out of tree (_demo/build)"
is "$(curl -s -o "$T/articles" -w '%{http_code}' \
    "http://127.0.0.1:$PORT/api/articles")" 200 "the demo answers queries"
check "with the sample content" grep -q '"documentId"' "$T/articles"
curl -sg -o "$T/populated" "http://127.0.0.1:$PORT/api/articles?populate[cover]=true&populate[author]=true&populate[category]=true"
cover=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["data"]
a = [x for x in d if x["author"] and x["category"] and x["cover"]]
print(a[0]["cover"]["url"] if len(a) == len(d) == 3 else "")' "$T/populated")
check "3 articles, each with its author, category and cover (populate)" \
    test -n "$cover"
is "$(curl -s -o "$T/cover" -w '%{http_code} %{content_type}' \
    "http://127.0.0.1:$PORT$cover")" "200 image/png" \
    "the cover image is served at the media row's url"
check "a PNG file" sh -c "head -c 8 '$T/cover' | grep -q PNG"
curl -s -o "$T/global" "http://127.0.0.1:$PORT/api/global"
check "the single type global (the page's site name)" \
    grep -q '"siteName":"Live blog"' "$T/global"
check "served by the tree's query.fcgi" \
    grep -q "$S/cgi-bin/query.fcgi" "$S/_demo/run/lighttpd.conf"

# scripts/demo flat: no schema, the seeds' flat article (README's curl
# tour posts one; the blog template refuses its string category).
(cd "$S" && PORT=$PORT scripts/demo flat) >"$T/flat.log" 2>&1
ok $? "scripts/demo flat restarts it without a schema"
is "$(curl -s -X POST -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer demo-webhook-secret' \
    --data '{"event":"entry.publish","model":"article","entry":{"id":7,"documentId":"tourdoc0000000000000000a","title":"Hello","slug":"hello-tour","category":"tech","createdAt":"2026-11-20T09:58:00.000Z","updatedAt":"2026-11-20T10:00:00.000Z","publishedAt":"2026-11-20T10:00:01.000Z"}}' \
    "http://127.0.0.1:$PORT/strapi/webhook" | cut -c1-34)" \
    '{"ok":true,"action":"upserted","se' "a flat article delivery is stored"
check "and served (the category filter finds it)" sh -c \
    "curl -sg 'http://127.0.0.1:$PORT/api/articles?filters[category][\$eq]=tech' | grep -q hello-tour"
(cd "$S" && scripts/demo stop) >/dev/null 2>&1
ok $? "scripts/demo stop"
sleep 0.5
! curl -s -o /dev/null "http://127.0.0.1:$PORT/api/articles"
ok $? "and the demo is gone"
done_testing
