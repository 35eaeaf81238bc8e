# apache_lib.sh: a private Apache 2.4 for the deployment tests: its own
# ServerRoot, PidFile, logs and port under $T, started in the foreground
# (never the system service). Source after deploy_lib.sh.

APACHE_MODS=/usr/lib/apache2/modules

apache_requires() {
	command -v apache2 >/dev/null 2>&1 || skip_all "apache2 not installed"
	local m
	for m in "$@"; do
		[ -f "$APACHE_MODS/mod_$m.so" ] ||
		    skip_all "Apache module $m not installed"
	done
}

# apache_start EXAMPLE-FILE MODULE...: the operator's main config around
# the example, then apache2 -DFOREGROUND. Mutexes are flock() locks: with
# fcntl() locks (Mutex file:) in mpm_event's threads, mod_fcgid once failed
# to lock its process table with a false EDEADLK under t1570's load and
# dropped 3 connections.
apache_start() {
	local ex=$1 m user=
	shift
	[ "$(id -u)" = 0 ] && user="User $RUNUSER
Group $RUNGROUP"
	mkdir -p "$SRV/run/apache"
	{
		cat <<CONF
ServerRoot "$T"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile "$SRV/run/apache/apache.pid"
DefaultRuntimeDir "$SRV/run/apache"
Mutex flock:$SRV/run/apache default
ErrorLog "$SRV/log/apache-error.log"
LogLevel warn
$user
CONF
		for m in mpm_event authz_core mime dir "$@"; do
			echo "LoadModule ${m}_module $APACHE_MODS/mod_$m.so"
		done
		cat <<CONF
TypesConfig /etc/mime.types
DocumentRoot "$SRV/htdocs"
<Directory "$SRV/htdocs">
	Require all granted
</Directory>
CONF
		echo "Include \"$ex\""
	} >"$T/httpd.conf"
	[ "$RUNUSER" != "$(id -un)" ] && chown -R "$RUNUSER:$RUNGROUP" "$SRV/run"
	apache2 -t -f "$T/httpd.conf" >"$SRV/log/apache-t.log" 2>&1
	ok $? "apache2 accepts the configuration"
	# Another test can take the free port between its choice and the bind
	# (tests run in parallel): then Apache exits and the port answers for
	# someone else. Started when it wrote its PidFile (after binding);
	# on "Address already in use", again on another port (3 tries).
	for _try in 1 2 3; do
		rm -f "$SRV/run/apache/apache.pid"
		apache2 -DFOREGROUND -f "$T/httpd.conf" >"$SRV/log/apache.out" 2>&1 &
		_apid=$!
		sl_track $_apid
		for _i in $(seq 1 100); do
			[ -s "$SRV/run/apache/apache.pid" ] && break
			kill -0 $_apid 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 $_apid 2>/dev/null; then
			wait_port "$PORT"
			return
		fi
		grep -q "Address already in use" "$SRV/log/apache.out" \
		    "$SRV/log/apache-error.log" 2>/dev/null || return 1
		PORT=$(free_port)
		sed -i "s/^Listen 127.0.0.1:.*/Listen 127.0.0.1:$PORT/" "$T/httpd.conf"
	done
	return 1
}

# proxy_fcgi_deploy: conf/apache-proxy-fcgi.conf on the installed tree in
# front of the programs started by conf/spawn-fcgi.sh (skips, or bails out,
# when something is missing).
proxy_fcgi_deploy() {
	apache_requires proxy proxy_fcgi proxy_http proxy_wstunnel alias env headers
	command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
	deploy_install || { echo "Bail out! make install failed"; exit 1; }
	[ -x "$I_BIN/strapi-live-push" ] ||
	    skip_all "sidecar not built (--disable-push)"
	fcgi_spawn || { deploy_logs; echo "Bail out! spawn-fcgi failed"; exit 1; }
	# shellcheck disable=SC2046
	ex=$(deploy_example apache-proxy-fcgi.conf $(fcgi_ports_sub))
	apache_start "$ex" proxy proxy_fcgi proxy_http proxy_wstunnel alias env headers ||
	    { deploy_logs; echo "Bail out! apache2 did not start"; exit 1; }
}

# fcgid_deploy [DIRECTIVE...]: conf/apache-fcgid.conf on the installed tree
# (mod_fcgid spawning the programs), with this test's IPC directory and the
# extra directives given, one per argument (skips, or bails out, when
# something is missing).
fcgid_deploy() {
	local d
	apache_requires fcgid proxy proxy_http proxy_wstunnel alias env headers
	deploy_install || { echo "Bail out! make install failed"; exit 1; }
	[ -x "$I_BIN/strapi-live-push" ] ||
	    skip_all "sidecar not built (--disable-push)"
	ex=$(deploy_example apache-fcgid.conf)
	{
		echo "FcgidIPCDir \"$SRV/run/fcgid\""
		echo "FcgidProcessTableFile \"$SRV/run/fcgid/shm\""
		for d in "$@"; do echo "$d"; done
	} >>"$ex"
	mkdir -p "$SRV/run/fcgid"
	apache_start "$ex" fcgid proxy proxy_http proxy_wstunnel alias env \
	    headers || { deploy_logs; echo "Bail out! apache2 did not start"; exit 1; }
}

# shared_hosting_deploy: conf/shared-hosting.htaccess as a user of a shared
# host uploads it: the installed programs copied as .cgi beside it, the
# account's config outside the document root, no daemon; Apache with
# mod_cgid and the override classes the example names (skips, or bails
# out, when something is missing). Streams last 4 s (events.cgi).
shared_hosting_deploy() {
	local p
	apache_requires cgid rewrite env alias headers
	deploy_install || { echo "Bail out! make install failed"; exit 1; }
	# What the user uploads: the programs as .cgi, the .htaccess; no config
	# file and no daemon (the installed config is not used).
	rm -f "$SL_CONF"
	mkdir -p "$SRV/htdocs/strapi-live"
	for p in webhook query events; do
		cp "$I_CGI/$p.fcgi" "$SRV/htdocs/strapi-live/$p.cgi"
	done
	# The account's configuration, outside the document root, 0600.
	printf 'store_dir = %s\nwebhook_secret = %s\n' "$SRV/store" "$SECRET" \
	    >"$SRV/strapi-live.conf"
	chmod 600 "$SRV/strapi-live.conf"
	[ "$RUNUSER" != "$(id -un)" ] &&
	    chown "$RUNUSER:$RUNGROUP" "$SRV/strapi-live.conf"
	deploy_example shared-hosting.htaccess \
	    -e "s|/home/USER/strapi-live.conf|$SRV/strapi-live.conf|" >/dev/null
	cp "$T/shared-hosting.htaccess" "$SRV/htdocs/.htaccess"
	# A short stream, so that reconnects come quickly.
	echo "SetEnv STRAPI_LIVE_EVENTS_DURATION 4" >>"$SRV/htdocs/.htaccess"
	# The browser client, uploaded beside the programs.
	cp "$I_DATA/www/strapi-live.js" "$SRV/htdocs/strapi-live/"
	[ "$RUNUSER" != "$(id -un)" ] && chown -R "$RUNUSER:$RUNGROUP" "$SRV/htdocs"
	cat >"$T/host.conf" <<CONF
# The host's part: the override classes the example's comment names.
ScriptSock "$SRV/run/apache/cgid.sock"
<Directory "$SRV/htdocs">
	AllowOverride FileInfo AuthConfig Options=ExecCGI,Indexes
</Directory>
CONF
	apache_start "$T/host.conf" cgid rewrite env alias headers ||
	    { deploy_logs; echo "Bail out! apache2 did not start"; exit 1; }
}
