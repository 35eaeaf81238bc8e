#!/bin/sh
# t3090-client-next.sh: docs/client.md's Next.js snippets in a real Next.js
# app (tests/browser/next-app: app/page.jsx and app/live-articles.jsx are
# the docs' blocks, checked here, with the docs' URLs made the server's).
# The app gets the packed client in node_modules, is built with `next
# build` and served by `next start`; tests/browser/next_app.py checks the
# server-rendered HTML and the page live in Chromium. Skips when Next.js
# cannot be installed (npm ci from the app's package-lock.json).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

src=$top_srcdir/tests/browser/next-app
browser_setup
command -v node >/dev/null 2>&1 || skip_all "no node"
mkdir -p "$T/app"
cp -R "$src"/. "$T/app/"
browser_npm_ci "$T/app" "Next.js cannot be installed:"
browser_conf >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
python3 "$top_srcdir/tests/docs/client_doc.py" split "$top_srcdir/docs/client.md" \
    "$T/doc" http://127.0.0.1:8080 >/dev/null
drift=
for f in app/page.jsx app/live-articles.jsx; do
	cmp -s "$T/doc/app/$f" "$src/$f" || drift="$drift $f"
done
is "$drift" "" "the app's components are docs/client.md's Next.js blocks"
browser_client "$T/app"
sed -i "s|http://127.0.0.1:8080/|http://127.0.0.1:$LIGHTTPD_PORT/|g" \
    "$T/app/app/page.jsx" "$T/app/app/live-articles.jsx"

export NEXT_TELEMETRY_DISABLED=1
(cd "$T/app" && timeout 300 node node_modules/next/dist/bin/next build) \
    >"$T/next-build.log" 2>&1
rc=$?
ok $rc "the Next.js app with the packed client builds (next build)"
sed 's/^/# /' "$T/next-build.log"
[ $rc = 0 ] || { echo "Bail out! next build failed"; exit 1; }
port=$(free_port)
(cd "$T/app" && exec node node_modules/next/dist/bin/next start \
    -H 127.0.0.1 -p "$port") >"$T/next-start.log" 2>&1 &
sl_track $!
wait_port "$port" || {
	sed 's/^/# /' "$T/next-start.log"
	echo "Bail out! next start did not listen"
	exit 1
}
NEXT_APP=http://127.0.0.1:$port/ TAP_OFFSET=2 browser_run next_app.py
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$T/next-start.log"
exit $rc
