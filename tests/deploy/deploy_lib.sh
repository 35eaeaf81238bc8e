# deploy_lib.sh: helpers for the deployment tests (tests/deploy/): install
# the build into $T/inst with DESTDIR, turn a conf/ example into one for
# this test's paths and ports, start the sidecar, read a change stream.
# Source after lib.sh.

: "${SL_PREFIX:=/usr/local}"
: "${SL_BINDIR:=$SL_PREFIX/bin}"
: "${SL_CGIBINDIR:=$SL_PREFIX/libexec/strapi-live/cgi-bin}"
: "${SL_SYSCONFDIR:=$SL_PREFIX/etc}"
: "${SL_PKGDATADIR:=$SL_PREFIX/share/strapi-live}"
: "${SL_MANDIR:=$SL_PREFIX/share/man}"
: "${SL_LOCALSTATEDIR:=$SL_PREFIX/var}"
: "${MAKE:=make}"

# The programs must read the installed config, not the test environment.
unset STRAPI_LIVE_STORE_DIR STRAPI_LIVE_WEBHOOK_SECRET

# Servers started as root drop to this user; the store, sockets and logs
# belong to it. Otherwise everything runs as the invoking user.
if [ "$(id -u)" = 0 ] && id www-data >/dev/null 2>&1; then
	RUNUSER=www-data
else
	RUNUSER=$(id -un)
fi
RUNGROUP=$(id -gn "$RUNUSER")
SRV=$T/srv

# deploy_layout: a layout other than the default prefix's, as README's
# --prefix=/usr --sysconfdir=/etc --localstatedir=/var is: the examples are
# run as make install writes them for it. Sets the SL_* directories and
# LAYOUT (make's variables for it).
deploy_layout() {
	SL_PREFIX=/opt/strapi-live
	SL_BINDIR=$SL_PREFIX/bin
	SL_CGIBINDIR=$SL_PREFIX/libexec/strapi-live/cgi-bin
	SL_SYSCONFDIR=/etc/opt/strapi-live
	SL_PKGDATADIR=$SL_PREFIX/share/strapi-live
	SL_MANDIR=$SL_PREFIX/share/man
	SL_LOCALSTATEDIR=/var/opt/strapi-live
	LAYOUT="prefix=$SL_PREFIX exec_prefix=$SL_PREFIX bindir=$SL_BINDIR
	    libexecdir=$SL_PREFIX/libexec cgibindir=$SL_CGIBINDIR
	    sysconfdir=$SL_SYSCONFDIR localstatedir=$SL_LOCALSTATEDIR
	    datarootdir=$SL_PREFIX/share datadir=$SL_PREFIX/share
	    mandir=$SL_MANDIR"
}

# deploy_install: make install DESTDIR=$T/inst from the build tree, with
# deploy_layout's directories; sets I_BIN, I_CGI, I_ETC, I_DATA and SL_CONF
# (the installed config file).
deploy_install() {
	deploy_layout
	# shellcheck disable=SC2086
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE -C "$top_builddir" \
	    install $LAYOUT DESTDIR="$T/inst" >"$T/install.log" 2>&1 || {
		sed 's/^/# /' "$T/install.log" | tail -20
		return 1
	}
	I_BIN=$T/inst$SL_BINDIR
	I_CGI=$T/inst$SL_CGIBINDIR
	I_ETC=$T/inst$SL_SYSCONFDIR
	I_DATA=$T/inst$SL_PKGDATADIR
	SL_CONF=$I_ETC/strapi-live.conf
	chmod 755 "$T"
	mkdir -p "$SRV/store" "$SRV/run" "$SRV/log" "$SRV/htdocs"
	PUSH_PORT=$(free_port)
	PORT=$(free_port)
	# The installed config, as an operator edits it: store, secret, sidecar.
	cat >>"$SL_CONF" <<CONF
store_dir = $SRV/store
webhook_secret = $SECRET
push_listen = 127.0.0.1:$PUSH_PORT
push_heartbeat = 1
events_duration = 3
CONF
	if [ "$RUNUSER" != "$(id -un)" ]; then
		chown -R "$RUNUSER:$RUNGROUP" "$SRV"
		chown "$RUNUSER" "$SL_CONF"
	fi
}

# deploy_example NAME [SED-EXPR...]: the installed example NAME (written by
# make install with the configured paths) moved into the DESTDIR staging
# tree, with this test's store, runtime directories and ports, written to
# $T/NAME (printed). Nothing else is edited.
deploy_example() {
	local name=$1 src
	shift
	src=$I_DATA/examples/$name
	sed -e "s|$SL_CGIBINDIR|$I_CGI|g" \
	    -e "s|$SL_PKGDATADIR|$I_DATA|g" \
	    -e "s|$SL_SYSCONFDIR/strapi-live.conf|$SL_CONF|g" \
	    -e "s|$SL_BINDIR/|$I_BIN/|g" \
	    -e "s|$SL_LOCALSTATEDIR/lib/strapi-live|$SRV/store|g" \
	    -e "s|/run/strapi-live|$SRV/run|g" \
	    -e "s|/var/log/strapi-live|$SRV/log|g" \
	    -e "s|/var/www/html|$SRV/htdocs|g" \
	    -e "s|127.0.0.1:8091|127.0.0.1:$PUSH_PORT|g" \
	    -e "s|\"port\" => 8091|\"port\" => $PUSH_PORT|g" \
	    -e "s|www-data|$RUNUSER|g" \
	    "$@" "$src" >"$T/$name"
	echo "$T/$name"
}

# as_runuser CMD...: run CMD as $RUNUSER.
as_runuser() {
	if [ "$RUNUSER" != "$(id -un)" ]; then
		setpriv --reuid="$RUNUSER" --regid="$RUNGROUP" --init-groups "$@"
	else
		"$@"
	fi
}

# push_start: the installed sidecar, as the service runs it (same user as
# the FastCGI programs, the installed config).
push_start() {
	if [ "$RUNUSER" != "$(id -un)" ]; then
		env STRAPI_LIVE_CONFIG="$SL_CONF" setpriv --reuid="$RUNUSER" \
		    --regid="$RUNGROUP" --init-groups "$I_BIN/strapi-live-push" \
		    >"$SRV/log/push.log" 2>&1 &
	else
		env STRAPI_LIVE_CONFIG="$SL_CONF" "$I_BIN/strapi-live-push" \
		    >"$SRV/log/push.log" 2>&1 &
	fi
	sl_track $!
	wait_port "$PUSH_PORT"
}

# stream_start URL NAME: read an SSE stream into $T/NAME.sse in the background.
stream_start() {
	curl -sN --max-time 20 "$1" >"$T/$2.sse" 2>/dev/null &
	sl_track $!
}

# events_follow URL NAME: follows /events as an EventSource does, for 20 s:
# each stream ends after events_duration, and the next resumes from the
# last id it saw (Last-Event-ID), so a change made on a loaded machine
# after the first stream ended is still seen. Appends to $T/NAME.sse.
events_follow() {
	(
		end=$(($(date +%s) + 20))
		while [ "$(date +%s)" -lt "$end" ]; do
			id=$(sed -n 's/^id: *//p' "$T/$2.sse" 2>/dev/null | tail -n 1)
			curl -sN --max-time 20 ${id:+-H "Last-Event-ID: $id"} \
			    "$1" >>"$T/$2.sse" 2>/dev/null
			sleep 0.2
		done
	) &
	sl_track $!
}

# stream_wait NAME PATTERN: poll $T/NAME.sse until a line matches (max ~10 s).
stream_wait() {
	local i
	for i in $(seq 1 100); do
		grep -q "$2" "$T/$1.sse" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# stream_ready NAME: the stream has started (its retry: hint arrived).
stream_ready() {
	stream_wait "$1" '^retry:'
}

# deploy_roundtrip BASE-URL WEBHOOK-PATH STREAM-URL: the checks every
# deployment makes: a recorded Strapi delivery posted through the server
# is stored, read back through /api/articles, and seen on the change
# stream (already being read).
DOC=ww259li4ztj69swm80bdztk4
deploy_roundtrip() {
	local base=$1 hook=$2 name=$3 out
	out=$(post_fixture "$FIXTURES/04-entry.publish.json" "$base$hook")
	is "$(printf '%s\n' "$out" | sed -n 1p)" 200 "webhook through the server: 200"
	is "$(printf '%s\n' "$out" | sed -n 2p | json - 'd["action"]')" upserted \
	    "the delivery is stored"
	out=$(curl -s "$base/api/articles")
	is "$(printf '%s\n' "$out" | json - '[e["documentId"] for e in d["data"]]' 2>/dev/null)" \
	    "[\"$DOC\"]" "read back through /api/articles"
	is "$(curl -s "$base/api/articles/$DOC" | json - 'd["data"]["slug"]' 2>/dev/null)" \
	    "$(json "$FIXTURES/04-entry.publish.json" 'd["body"]["entry"]["slug"]')" \
	    "and by documentId"
	stream_wait "$name" '^event: upsert'
	ok $? "the change stream carries the upsert"
	grep -q "\"documentId\":\"$DOC\"" "$T/$name.sse"
	ok $? "the change names the document"
}

# deploy_log_tail: show the server logs (on failure).
deploy_logs() {
	local f
	for f in "$SRV"/log/* "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "# --- $f"
		tail -15 "$f" | sed 's/^/# /'
	done
}

# fcgi_spawn: conf/spawn-fcgi.sh (on free ports) starts the programs;
# sets FCGI_SCRIPT and the ports P_WEBHOOK, P_QUERY, P_EVENTS.
fcgi_spawn() {
	command -v spawn-fcgi >/dev/null 2>&1 || return 2
	P_WEBHOOK=$(free_port)
	P_QUERY=$(free_port)
	P_EVENTS=$(free_port)
	FCGI_SCRIPT=$(deploy_example spawn-fcgi.sh -e "s/9101/$P_WEBHOOK/g" \
	    -e "s/9102/$P_QUERY/g" -e "s/9103/$P_EVENTS/g")
	sh "$FCGI_SCRIPT" >"$SRV/log/spawn-fcgi.log" 2>&1 || return 1
	_spawned=1
	wait_port "$P_WEBHOOK" && wait_port "$P_QUERY" && wait_port "$P_EVENTS"
}
_spawned=
fcgi_cleanup() {
	[ -n "$_spawned" ] && sh "$FCGI_SCRIPT" stop
	sl_cleanup
}
trap fcgi_cleanup EXIT

# fcgi_ports_sub: sed arguments mapping the examples' FastCGI ports.
fcgi_ports_sub() {
	echo "-e s/9101/$P_WEBHOOK/g -e s/9102/$P_QUERY/g -e s/9103/$P_EVENTS/g"
}

# client_cors URL: the Access-Control-Allow-Origin a page of another origin
# gets with the browser client at URL (empty when none).
client_cors() {
	curl -s -o /dev/null -D - -H 'Origin: http://other-origin.example' "$1" |
	    tr -d '\r' | sed -n 's/^[Aa]ccess-[Cc]ontrol-[Aa]llow-[Oo]rigin: *//p'
}

# client_served BASE: checks that the installed browser client is served
# under BASE and that a page of another origin may import it.
client_served() {
	is "$(curl -s -o /dev/null -w '%{http_code}' "$1/strapi-live/strapi-live.js")" 200 \
	    "the installed browser client is served"
	is "$(client_cors "$1/strapi-live/strapi-live.js")" "*" \
	    "a page of another origin may import it (Access-Control-Allow-Origin: *)"
}

# ws_query PORT: subscribes to the articles over /live/ws on
# 127.0.0.1:PORT (push_client.WS) and prints the first answer as JSON.
ws_query() {
	run_py - "$1" <<'PY'
import sys, json
from push_client import WS
w = WS("127.0.0.1", int(sys.argv[1]), "/live/ws")
w.send({"type": "subscribe", "id": "q", "collection": "articles"})
print(json.dumps(w.recv(5)))
PY
}

# lighttpd_deploy_start: conf/lighttpd.conf included by the operator's main
# lighttpd.conf (port, docroot, logs, user), checked and started.
lighttpd_deploy_start() {
	local ex user=
	ex=$(deploy_example lighttpd.conf)
	[ "$(id -u)" = 0 ] && user="server.username = \"$RUNUSER\"
server.groupname = \"$RUNGROUP\""
	cat >"$T/main.conf" <<CONF
server.document-root = "$SRV/htdocs"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$SRV/log/lighttpd-error.log"
server.pid-file = "$SRV/run/lighttpd.pid"
$user
include "$ex"
CONF
	check "lighttpd accepts the configuration" lighttpd -tt -f "$T/main.conf"
	lighttpd -D -f "$T/main.conf" >"$SRV/log/lighttpd.out" 2>&1 &
	sl_track $!
	wait_port "$PORT"
}

# push_supervised_start: the installed sidecar under multiwatch, the
# supervisor docs/deploy.md shows for hosts without systemd (a new one
# when it dies); returns once it listens.
push_supervised_start() {
	# multiwatch itself is the tracked pid (no subshell between): SIGTERM
	# at the end reaches it, and it stops the sidecar.
	if [ "$RUNUSER" != "$(id -un)" ]; then
		env STRAPI_LIVE_CONFIG="$SL_CONF" setpriv --reuid="$RUNUSER" \
		    --regid="$RUNGROUP" --init-groups multiwatch -f 1 -r 1000 \
		    -s TERM -- "$I_BIN/strapi-live-push" >>"$SRV/log/push.log" 2>&1 &
	else
		env STRAPI_LIVE_CONFIG="$SL_CONF" multiwatch -f 1 -r 1000 -s TERM \
		    -- "$I_BIN/strapi-live-push" >>"$SRV/log/push.log" 2>&1 &
	fi
	sl_track $!
	wait_port "$PUSH_PORT"
}

# nginx_deploy_start: conf/nginx.conf (fastcgi_pass to fcgi_spawn's ports)
# included by the operator's main nginx.conf (its own pid, logs and temp
# directories under $SRV), checked and started in the foreground.
nginx_deploy_start() {
	local ex user= try pid i
	[ "$(id -u)" = 0 ] && user="user $RUNUSER $RUNGROUP;"
	cp /etc/nginx/fastcgi_params "$T/fastcgi_params"
	mkdir -p "$SRV/run/nginx"
	# A port free_port chose can be taken before nginx binds it (other
	# tests' connections use the same ephemeral range): then nginx never
	# writes its pid file, and another port is tried.
	for try in 1 2 3 4 5; do
		# shellcheck disable=SC2046
		ex=$(deploy_example nginx.conf $(fcgi_ports_sub) \
		    -e "s/listen 80 /listen 127.0.0.1:$PORT /" \
		    -e '/listen \[::\]:80 /d')
		cat >"$T/nginx-main.conf" <<CONF
$user
pid $SRV/run/nginx.pid;
error_log $SRV/log/nginx-error.log;
worker_processes 1;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $SRV/run/nginx/body;
	proxy_temp_path $SRV/run/nginx/proxy;
	fastcgi_temp_path $SRV/run/nginx/fastcgi;
	uwsgi_temp_path $SRV/run/nginx/uwsgi;
	scgi_temp_path $SRV/run/nginx/scgi;
	include $ex;
}
CONF
		[ "$try" = 1 ] && check "nginx accepts the configuration" \
		    nginx -t -p "$T/" -c "$T/nginx-main.conf"
		rm -f "$SRV/run/nginx.pid"
		nginx -p "$T/" -c "$T/nginx-main.conf" -g 'daemon off;' \
		    >>"$SRV/log/nginx.out" 2>&1 &
		pid=$!
		# The pid file is written once the listening sockets are bound.
		i=0
		while [ $i -lt 100 ] && [ ! -s "$SRV/run/nginx.pid" ] &&
		    kill -0 "$pid" 2>/dev/null; do
			sleep 0.05
			i=$((i + 1))
		done
		if [ -s "$SRV/run/nginx.pid" ]; then
			sl_track "$pid"
			wait_port "$PORT"
			return
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		PORT=$(free_port)
	done
	return 1
}

# nginx_deploy: conf/nginx.conf on the installed tree in front of the
# programs started by conf/spawn-fcgi.sh (skips, or bails out, when
# something is missing).
nginx_deploy() {
	command -v nginx >/dev/null 2>&1 || skip_all "nginx not installed"
	command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
	command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
	[ -f /etc/nginx/fastcgi_params ] || skip_all "no /etc/nginx/fastcgi_params"
	deploy_install || { echo "Bail out! make install failed"; exit 1; }
	[ -x "$I_BIN/strapi-live-push" ] ||
	    skip_all "sidecar not built (--disable-push)"
	fcgi_spawn || { deploy_logs; echo "Bail out! spawn-fcgi failed"; exit 1; }
	nginx_deploy_start ||
	    { deploy_logs; echo "Bail out! nginx did not start"; exit 1; }
}

# deploy_kill_load [VAR=VALUE...]: tests/kill_load.py against this test's
# server and installed programs (settings as its docstring names them),
# then exit with its status (the logs shown on failure).
deploy_kill_load() {
	local rc
	export PORT PUSH_PORT I_BIN I_CGI SL_CONF SRV T
	env "$@" TAP_OFFSET="$_tap_n" PYTHONPATH="$top_srcdir/tests" \
	    python3 -u "$top_srcdir/tests/kill_load.py"
	rc=$?
	[ $rc = 0 ] && [ "$_tap_fail" = 0 ] || deploy_logs
	exit $rc
}
