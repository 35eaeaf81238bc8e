#!/bin/sh
# t3020-client-react.sh: the client as an npm package in a React app.
# scripts/pack-client makes the tarball `make dist` makes; a Vite app
# (tests/browser/react-app) gets it in node_modules, is built with Vite
# and served from another origin; Chromium runs it live against the
# server: useLiveQuery loads, follows a webhook, reports a refused query,
# and unsubscribes on unmount. Skips when node_modules (npm ci) is absent.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
browser_app "$T/app"
cp "$top_srcdir"/tests/browser/react-app/* "$T/app/"
(cd "$T/app" && node_modules/.bin/vite build) >"$T/vite.log" 2>&1
rc=$?
ok $rc "a Vite app with the packed client builds"
[ $rc = 0 ] || sed 's/^/# /' "$T/vite.log"
[ -f "$T/app/dist/index.html" ] || { echo "Bail out! no app"; exit 1; }

PORT3=$(free_port)
{
	browser_conf
	cat <<EOC
\$SERVER["socket"] == "127.0.0.1:$PORT3" {
	server.document-root = "$T/app/dist"
	index-file.names = ( "index.html" )
}
EOC
} >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
APP="http://127.0.0.1:$PORT3/" TAP_OFFSET=1 browser_run react_app.py
