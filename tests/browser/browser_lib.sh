# browser_lib.sh: what the browser tests share. Source after lib.sh.
#
# browser_setup: skips unless Chromium, query.fcgi, the sidecar and lighttpd
# are there; links www/ as the docroot; picks PUSH_PORT, DEAD_PORT, PORT2.
# browser_conf: prints the lighttpd lines every browser test uses: webhook.fcgi,
# query.fcgi, /live/ proxied to the sidecar, and a second port (PORT2)
# whose /live/ws is refused as by a proxy without WebSocket support.
# browser_run SCRIPT: runs a tests/browser/ Python script with BASE,
# BASE_NOWS, WEBHOOK, SECRET, PUSH_BIN, PUSH_LISTEN, T and CHROMIUM set (and
# what the caller exports); on failure, shows the server logs.

: "${QUERY_FCGI:=$top_builddir/cgi-bin/query.fcgi}"
: "${STRAPI_LIVE_PUSH:=${PUSH_BIN:-$top_builddir/src/strapi-live-push}}"
: "${CHROMIUM:=/usr/bin/chromium}"

browser_setup() {
	[ -x "$CHROMIUM" ] || skip_all "no Chromium at $CHROMIUM (apt-get install chromium)"
	[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
	[ -x "$STRAPI_LIVE_PUSH" ] || skip_all "strapi-live-push not built (--disable-push?)"
	command -v lighttpd >/dev/null 2>&1 || skip_all "no lighttpd"
	mkdir -p "$T/store"
	rmdir "$T/www" 2>/dev/null
	ln -s "$top_srcdir/www" "$T/www"
	PUSH_PORT=$(free_port)
	DEAD_PORT=$(free_port)
	PORT2=$(free_port)
}

browser_conf() {
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI"
	fcgi_entry /api/ "$QUERY_FCGI"
	live_proxy "$PUSH_PORT"
	cat <<EOC
server.stream-response-body = 2
\$SERVER["socket"] == "127.0.0.1:$PORT2" {
	\$HTTP["url"] =~ "^/live/ws" {
		proxy.server = ( "" => (( "host" => "127.0.0.1", "port" => $DEAD_PORT )) )
		proxy.header = ( "upgrade" => "disable" )
	}
}
EOC
}

browser_run() { # browser_run SCRIPT [ARG...]
	local rc script=$1
	shift
	BASE="http://127.0.0.1:$LIGHTTPD_PORT" \
	BASE_NOWS="http://127.0.0.1:$PORT2" \
	WEBHOOK="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook" \
	SECRET="$SECRET" \
	PUSH_BIN="${TRACEME:+$TRACEME }$STRAPI_LIVE_PUSH" \
	PUSH_LISTEN="127.0.0.1:$PUSH_PORT" \
	T="$T" CHROMIUM="$CHROMIUM" \
	    python3 "$top_srcdir/tests/browser/$script" "$@"
	rc=$?
	[ $rc -eq 0 ] || {
		diag "lighttpd log:"
		sed 's/^/# /' "$T/log/lighttpd-error.log"
		diag "push log:"
		sed 's/^/# /' "$T/push.log" 2>/dev/null | tail -40
	}
	return $rc
}

# browser_node_modules PACKAGE...: sets BROWSER_NM to a node_modules with
# vite and each PACKAGE: the tree's (npm ci), else one that `npm ci`
# installs from the tree's package-lock.json into $T/npm (npm's cache
# first, at most BROWSER_NPM_TIMEOUT seconds, 300 by default). Skips when
# neither has them: no node or npm, or the registry unreachable.
browser_node_modules() {
	local p missing=
	command -v node >/dev/null 2>&1 || skip_all "no node"
	BROWSER_NM=$top_srcdir/node_modules
	for p in "$@"; do
		[ -d "$BROWSER_NM/$p" ] || missing="$missing $p"
	done
	[ -x "$BROWSER_NM/.bin/vite" ] || missing="$missing vite"
	[ -n "$missing" ] || return 0
	mkdir -p "$T/npm"
	cp "$top_srcdir/package.json" "$top_srcdir/package-lock.json" "$T/npm/"
	browser_npm_ci "$T/npm" "node_modules lacks$missing and"
	BROWSER_NM=$T/npm/node_modules
}

# browser_npm_ci DIR WHY: `npm ci` in DIR (its package.json and
# package-lock.json), npm's cache first, at most BROWSER_NPM_TIMEOUT
# seconds (300 by default); skips, saying WHY, when it fails.
browser_npm_ci() {
	command -v npm >/dev/null 2>&1 || skip_all "$2 there is no npm"
	if ! (cd "$1" && timeout "${BROWSER_NPM_TIMEOUT:-300}" \
	    npm ci --prefer-offline --ignore-scripts --no-audit --no-fund) \
	    >"$T/npm.log" 2>&1; then
		tail -5 "$T/npm.log" | sed 's/^/# /'
		skip_all "$2 npm ci failed or took over ${BROWSER_NPM_TIMEOUT:-300} s (is the npm registry reachable?)"
	fi
}

# browser_app DIR [PACKAGE...]: a fresh app directory with the client
# installed in DIR/node_modules/strapi-live-client from the tarball
# scripts/pack-client makes (as `make dist` does), and vite and each
# PACKAGE (default: react react-dom) beside it (browser_node_modules).
browser_app() {
	local dir=$1 d
	shift
	[ $# -gt 0 ] || set -- react react-dom
	browser_node_modules "$@"
	mkdir -p "$dir/node_modules"
	for d in "$BROWSER_NM"/* "$BROWSER_NM"/.bin; do
		ln -s "$d" "$dir/node_modules/"
	done
	browser_client "$dir"
}

# browser_client DIR: the client installed in DIR/node_modules/strapi-live-client
# from the tarball scripts/pack-client makes (as `make dist` does).
browser_client() {
	local version
	version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$top_srcdir/www/package.json")
	sh "$top_srcdir/scripts/pack-client" "$top_srcdir" "$version" \
	    "$T/strapi-live-client.tgz" >/dev/null ||
	    { echo "Bail out! pack-client failed"; exit 1; }
	mkdir -p "$1/node_modules/strapi-live-client"
	tar -xzf "$T/strapi-live-client.tgz" --strip-components=1 \
	    -C "$1/node_modules/strapi-live-client"
}

# browser_vite_app SRC [PACKAGE...]: the Vite app in SRC (one of
# tests/browser/*-app; without an index.html, one that loads its main.js)
# with the packed client (browser_app), built with
# Vite (TAP test 1) and served from another origin beside browser_conf's
# lighttpd, which it starts; sets APP to the app's URL.
browser_vite_app() {
	local src=$1 rc port
	shift
	browser_app "$T/app" "$@"
	cp "$src"/* "$T/app/"
	# An app without its own page gets one that runs its main.js.
	[ -f "$T/app/index.html" ] || cat >"$T/app/index.html" <<EOH
<!doctype html>
<html>
<head><meta charset="utf-8"><title>$(basename "$src")</title></head>
<body><div id="root"></div><script type="module" src="./main.js"></script></body>
</html>
EOH
	(cd "$T/app" && node_modules/.bin/vite build) >"$T/vite.log" 2>&1
	rc=$?
	ok $rc "a Vite app ($(basename "$src")) with the packed client builds"
	[ $rc = 0 ] || sed 's/^/# /' "$T/vite.log"
	[ -f "$T/app/dist/index.html" ] || { echo "Bail out! no app"; exit 1; }
	port=$(free_port)
	{
		browser_conf
		cat <<EOC
\$SERVER["socket"] == "127.0.0.1:$port" {
	server.document-root = "$T/app/dist"
	index-file.names = ( "index.html" )
}
EOC
	} >"$T/extra.conf"
	lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
	APP="http://127.0.0.1:$port/"
}
