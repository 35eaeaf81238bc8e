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

# browser_app DIR: a fresh app directory with the client installed in
# DIR/node_modules/strapi-live-client from the tarball scripts/pack-client
# makes (as `make dist` does), and the tree's node_modules (React, Vite)
# beside it. Skips when node_modules (npm ci) is absent.
browser_app() {
	local dir=$1 nm=$top_srcdir/node_modules version d
	[ -d "$nm/react" ] && [ -d "$nm/react-dom" ] && [ -x "$nm/.bin/vite" ] ||
	    skip_all "node_modules absent (npm ci)"
	command -v node >/dev/null 2>&1 || skip_all "no node"
	version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$top_srcdir/www/package.json")
	sh "$top_srcdir/scripts/pack-client" "$top_srcdir" "$version" \
	    "$T/strapi-live-client.tgz" >/dev/null ||
	    { echo "Bail out! pack-client failed"; exit 1; }
	mkdir -p "$dir/node_modules/strapi-live-client"
	for d in "$nm"/* "$nm"/.bin; do
		ln -s "$d" "$dir/node_modules/"
	done
	tar -xzf "$T/strapi-live-client.tgz" --strip-components=1 \
	    -C "$dir/node_modules/strapi-live-client"
}
