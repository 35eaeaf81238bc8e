#!/bin/sh
# t3020-client-react.sh: the client as an npm package in a React app.
# scripts/pack-client makes the tarball `make dist` makes; a Vite app
# (tests/browser/react-app) gets it in node_modules, is built with Vite
# and served from another origin; Chromium runs it live against the
# server: useLiveQuery loads, follows a webhook, reports a refused query,
# and unsubscribes on unmount. Skips when node_modules (npm ci) is absent.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

nm=$top_srcdir/node_modules
[ -d "$nm/react" ] && [ -d "$nm/react-dom" ] && [ -x "$nm/.bin/vite" ] ||
    skip_all "node_modules absent (npm ci)"
command -v node >/dev/null 2>&1 || skip_all "no node"
browser_setup

# The app, with the package installed from its tarball.
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$top_srcdir/www/package.json")
sh "$top_srcdir/scripts/pack-client" "$top_srcdir" "$version" \
    "$T/strapi-live-client.tgz" >/dev/null || { echo "Bail out! pack-client failed"; exit 1; }
mkdir -p "$T/app/node_modules/strapi-live-client"
cp "$top_srcdir"/tests/browser/react-app/* "$T/app/"
for d in "$nm"/* "$nm"/.bin; do
	ln -s "$d" "$T/app/node_modules/"
done
tar -xzf "$T/strapi-live-client.tgz" --strip-components=1 \
    -C "$T/app/node_modules/strapi-live-client"
(cd "$T/app" && node_modules/.bin/vite build) >"$T/vite.log" 2>&1
ok $? "a Vite app with the packed client builds" || sed 's/^/# /' "$T/vite.log"
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
APP="http://127.0.0.1:$PORT3/" TAP_FIRST=2 browser_run react_app.py
