#!/bin/sh
# t0930-rich-stored-bytes.sh: a document stored from a webhook delivery and
# the same document stored by `strapi-live sync` (tests/fake_strapi.py
# --rich: the recorded REST answers) are the same bytes in the store, and
# so are the files: the 83 recorded deliveries through webhook.fcgi into
# one store, a sync into another, compared entry by entry as
# `strapi-live dump` prints them, and the media library as query.fcgi
# serves it.
. "$top_srcdir/tests/lib.sh"

rich_fake
A1=ps7ajq06b9x40es6l4z2jnsw
A4=pvx9dkwatuqnsxzpau2ty0cr

export STRAPI_LIVE_STORE_DIR="$T/delivered"
is "$(deliver_range_cgi 1 83)" 0 "the 83 recorded deliveries are taken"
"$STRAPI_LIVE" dump >"$T/delivered.dump" 2>>"$T/stderr"
ok $? "dump the delivered store"

export STRAPI_LIVE_STORE_DIR="$T/synced"
"$STRAPI_LIVE" sync >/dev/null 2>>"$T/stderr"
ok $? "sync into an empty store"
"$STRAPI_LIVE" dump >"$T/synced.dump" 2>>"$T/stderr"
ok $? "dump the synced store"

# Each dump line by documentId and locale: how many are the same bytes, and
# which attributes differ in the others.
python3 - "$T/delivered.dump" "$T/synced.dump" >"$T/cmp" <<'PY'
import json, sys
def load(path):
    rows = {}
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        rows["%s %s" % (d["documentId"], d.get("locale", "-"))] = line
    return rows
a, b = load(sys.argv[1]), load(sys.argv[2])
same = sorted(k for k in a if b.get(k) == a[k])
diff = {}
for k in sorted(set(a) | set(b)):
    if a.get(k) == b.get(k):
        continue
    x, y = json.loads(a.get(k, "{}")), json.loads(b.get(k, "{}"))
    diff[k] = sorted(f for f in set(x) | set(y) if x.get(f) != y.get(f))
print(json.dumps({"entries": len(a), "same": len(same), "diff": diff}))
PY
is "$(json "$T/cmp" '[d["entries"], d["same"]]')" '[13, 11]' \
    "11 of the 13 documents: byte-identical stored forms"
# The two others differ in content alone, one attribute each: A4's last
# delivery holds the file deleted since (F6), Strapi's answer null; the
# fake's fr articles are the recorded populate=* answer, whose components
# lack their files (R2).
is "$(json "$T/cmp" 'd["diff"]')" \
    "{\"$A1 fr\": [\"blocks\"], \"$A4 en\": [\"cover\"]}" \
    "the two others differ in the content of one attribute alone"

# The media library: the same bytes whichever path stored the files.
files() {
	env STRAPI_LIVE_STORE_DIR="$1" REQUEST_METHOD=GET \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI=/api/upload/files \
	    QUERY_STRING= SCRIPT_NAME="" PATH_INFO=/api/upload/files \
	    "$QUERY_FCGI" </dev/null 2>>"$T/stderr" | cgi_body
}
files "$T/delivered" >"$T/delivered.files"
files "$T/synced" >"$T/synced.files"
cmp -s "$T/delivered.files" "$T/synced.files"
ok $? "the media library: the same bytes from either store"
is "$(json "$T/synced.files" 'len(d)')" 3 "its three files"
is "$(grep -o '"isUrlSigned"' "$T/synced.files" | wc -l)" 3 \
    "each with one isUrlSigned"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr")" 0 \
    "no sanitizer reports on stderr"
done_testing
