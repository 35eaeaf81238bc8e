#!/bin/sh
# t2960-client-doc.sh: every snippet of docs/client.md runs: html blocks as
# pages, jsx and js blocks in a Vite app built with the packed client
# (strapi-live-client from its tarball), js node blocks in Node; in
# Chromium, each shows live data from a real server (tests/docs/client_doc.py).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
browser_app "$T/doc/app"
{
	browser_conf
	cat <<EOC
server.modules += ("mod_alias")
alias.url += ( "/doc-pages/" => "$T/doc/pages/", "/doc-app/" => "$T/doc/app/dist/" )
EOC
} >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
base=http://127.0.0.1:$LIGHTTPD_PORT
python3 "$top_srcdir/tests/docs/client_doc.py" split "$top_srcdir/docs/client.md" \
    "$T/doc" "$base" | sed 's/^/# /'
(cd "$T/doc/app" && node_modules/.bin/vite build) >"$T/vite.log" 2>&1
rc=$?
ok $rc "the jsx and js blocks build with Vite and the packed client"
[ $rc = 0 ] || sed 's/^/# /' "$T/vite.log"
n=1
for f in "$T"/doc/node/*.mjs; do
	[ -f "$f" ] || continue
	cp "$f" "$T/doc/app/"
	out=$(cd "$T/doc/app" && timeout 20 node "$(basename "$f")" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	[ $rc = 0 ] && [ -n "$out" ]
	ok $? "docs/client.md js node block $(basename "$f" .mjs) runs in Node and prints"
	n=$((n + 1))
done
TAP_OFFSET=$n browser_run ../docs/client_doc.py browser "$T/doc"
