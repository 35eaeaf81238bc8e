#!/bin/sh
# t0953-static-manifest.sh: a pass after commits costs what they touched
# (docs/static.md, "Cost"): it goes by static_dir/.manifest, so it looks
# at no file it does not render (an answer replaced by a dangling symlink
# stays one) and sweeps nothing (a stray file stays), while deleted
# entries and old slugs lose their files, new entries and categories get
# theirs, and static-verify finds every file byte-equal to the store's
# answer; without a manifest to go by (none, another version, other
# bounds) a pass walks the set and sweeps as before, and over
# static_max_files it goes by the manifest only while no file of the set
# comes or goes.
. "$top_srcdir/tests/lib.sh"

[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
export STRAPI_LIVE_STATIC_DIR="$T/static" STRAPI_LIVE_DURABLE=no
export STRAPI_LIVE_COLLECTIONS=article STRAPI_LIVE_LOCALES=en
S=$STRAPI_LIVE_STATIC_DIR
N=150

doc() { printf 'doc%021d' "$1"; }
# deliver EVENT DOC N [CATEGORY [SLUG]]: one delivery; prints its status.
deliver() {
	python3 "$top_srcdir/tests/gen_delivery.py" "$@" >"$T/d.json"
	cgi_run "$WEBHOOK_FCGI" POST "$T/d.json" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" 2>>"$T/stderr" | cgi_status
}
answers() { (cd "$S" && find . -name '*.json' ! -path './_live/*' | wc -l); }
verify() { "$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"; }

# N articles in three categories, imported (the first pass: the walk).
python3 - "$N" >"$T/entries.jsonl" <<'PY'
import json, sys
for i in range(1, int(sys.argv[1]) + 1):
    t = "2026-01-01T00:%02d:%02d.000Z" % (i // 60, i % 60)
    print(json.dumps({"id": i, "documentId": "doc%021d" % i,
        "title": "Article %d" % i, "slug": "slug-doc%021d" % i,
        "content": "Body %d" % i, "category": ["tech", "design", "ops"][i % 3],
        "createdAt": t, "updatedAt": t, "publishedAt": t}))
PY
"$STRAPI_LIVE" import "$T/entries.jsonl" >/dev/null 2>>"$T/stderr"
is "$?" 0 "$N articles imported"
total=$(answers)
[ "$total" -gt $((3 * N)) ]
ok $? "their answers are files ($total)"
head -c 28 "$S/.manifest" | grep -q '^strapi-live-static-manifest '
ok $? "the pass left a manifest beside .seq"

# Two sentinels a walk of the set would notice: an untouched article's
# answer replaced by a dangling symlink (the walk looks at each file it
# keeps: it renders this one again, over the link) and a stray file (the
# sweep removes it).
X=$S/articles/$(doc 7)/index.json
cp "$X" "$T/x.json"
rm "$X" && ln -s "$T/nowhere" "$X"
echo '{}' >"$S/articles/stray.json"

bad=0
i=1
while [ $i -le 5 ]; do
	[ "$(deliver entry.publish "$(doc 42)" $((1000 + i)) design)" = 200 ] ||
	    bad=$((bad + 1))
	i=$((i + 1))
done
is "$bad" 0 "5 deliveries to one article"
[ -L "$X" ]
ok $? "no pass looked at an untouched answer's file (the symlink is there)"
[ -f "$S/articles/stray.json" ]
ok $? "no pass swept the directory (the stray file is there)"
grep -q 'v1005' "$S/articles/$(doc 42)/index.json"
ok $? "the article's answer is its last version"
is "$(json "$S/articles/index.json" 'd["meta"]["seq"]')" \
    "$(cut -d' ' -f1 "$S/.seq")" "the list is at the last commit"
! grep -q 'could not be rendered' "$T/stderr"
ok $? "every pass completed"

# Deleted, renamed, new: their files go and come, without a walk.
is "$(deliver entry.delete "$(doc 10)" 2000)" 200 "an article deleted"
is "$(deliver entry.publish "$(doc 11)" 2001 ops moved-slug)" 200 \
    "an article's slug changed"
is "$(deliver entry.publish "$(doc 900)" 2002 solo)" 200 \
    "a new article, in a new category"
for f in "$(doc 10)/index.json" "slug=slug-$(doc 10).json" \
    "slug/slug-$(doc 10)/index.json" "slug=slug-$(doc 11).json" \
    "slug/slug-$(doc 11)/index.json"; do
	[ ! -e "$S/articles/$f" ]
	ok $? "gone: articles/$f"
done
[ ! -e "$S/articles/$(doc 10)" ]
ok $? "and the deleted article's folder"
for f in slug=moved-slug.json slug/moved-slug/index.json \
    "$(doc 900)/index.json" "slug=slug-$(doc 900).json" category=solo.json; do
	[ -f "$S/articles/$f" ] && [ -f "$S/articles/$f.gz" ]
	ok $? "new: articles/$f"
done
is "$(deliver entry.publish "$(doc 900)" 2003 tech)" 200 \
    "the new category's only article moves"
[ ! -e "$S/articles/category=solo.json" ]
ok $? "the category's file went"
is "$(answers)" $((total + 1)) "one answer more (the new article's 3, the \
deleted one's 3 gone; the stray)"
[ -L "$X" ] && [ -f "$S/articles/stray.json" ]
ok $? "still no untouched file looked at, nothing swept"

# Put back what a walk would have repaired: every file is the store's.
rm "$X" "$S/articles/stray.json" && cp "$T/x.json" "$X"
verify
is "$?" 0 "static-verify: every file is query.fcgi's answer, none left over"
sed 's/^/# /' "$T/verify"
# It checks the manifest too: one that misstates a file's size is
# reported (the next pass would count the bounds wrong).
cp "$S/.manifest" "$T/manifest"
sed -i '2s/^[0-9]*/1/' "$S/.manifest"
verify
is "$?" 1 "static-verify reports a manifest that does not list the set"
grep -q '/\.manifest: ' "$T/verify"
ok $? "naming it"
cp "$T/manifest" "$S/.manifest"

# No manifest to go by (a writer killed within its pass leaves none, and
# temporary files): the pass walks and sweeps as before.
echo '{}' >"$S/articles/stray.json"
echo '{' >"$S/articles/index.json.tmp"
rm "$S/.manifest"
deliver entry.publish "$(doc 42)" 3000 design >/dev/null
[ ! -e "$S/articles/stray.json" ] && [ ! -e "$S/articles/index.json.tmp" ] &&
    [ -f "$S/.manifest" ]
ok $? "without a manifest: swept, and a manifest again"
echo '{}' >"$S/articles/stray.json"
sed -i '1s/^strapi-live-static-manifest 1 /strapi-live-static-manifest 0 /' \
    "$S/.manifest"
deliver entry.publish "$(doc 42)" 3001 design >/dev/null
[ ! -e "$S/articles/stray.json" ]
ok $? "a manifest of another version: swept"
# The bounds reached: the walk keeps the first static_max_files answers
# and the manifest lists them; a pass goes by it while no file of the
# set comes or goes, and walks when one would.
export STRAPI_LIVE_STATIC_MAX_FILES=$((total - 10))
echo '{}' >"$S/articles/stray.json"
deliver entry.publish "$(doc 43)" 3002 ops >/dev/null
[ ! -e "$S/articles/stray.json" ] && head -1 "$S/.manifest" | grep -q ' 1$'
ok $? "over static_max_files: walked (swept), a manifest of the files kept"
is "$(answers)" $((total - 10)) "the bound holds"
echo '{}' >"$S/articles/stray.json"
deliver entry.publish "$(doc 43)" 3003 ops >/dev/null
[ -f "$S/articles/stray.json" ]
ok $? "an update to a kept article: by the manifest (nothing swept)"
grep -q 'v3003' "$S/articles/$(doc 43)/index.json"
ok $? "its answer rendered"
deliver entry.publish "$(doc 150)" 3004 ops >/dev/null
[ ! -e "$S/articles/$(doc 150)/index.json" ] &&
    [ ! -e "$S/articles/stray.json" ]
ok $? "an update to an article past the bound: walked (swept), no file for it"
verify
is "$?" 0 "static-verify agrees with the same bound"
echo '{}' >"$S/articles/stray.json"
is "$(deliver entry.publish "$(doc 0)" 3005 ops)" 200 \
    "a new article, first in the walk's order"
[ ! -e "$S/articles/stray.json" ]
ok $? "a file came among the kept ones: walked (swept)"
is "$(answers)" $((total - 10)) "the bound holds"
verify
is "$?" 0 "static-verify agrees"
unset STRAPI_LIVE_STATIC_MAX_FILES
echo '{}' >"$S/articles/stray.json"
deliver entry.publish "$(doc 43)" 3006 ops >/dev/null
[ ! -e "$S/articles/stray.json" ]
ok $? "another bound: walked (swept)"
verify
is "$?" 0 "under the default bound again: static-verify finds every file"
head -1 "$S/.manifest" | grep -q ' 0$'
ok $? "and a manifest of the whole set"

! grep -E 'ERROR: AddressSanitizer|runtime error' "$T/stderr" >/dev/null
ok $? "no sanitizer reports on stderr"
done_testing
