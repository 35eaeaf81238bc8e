#!/bin/sh
# t2070-apache-debian.sh: conf/apache-fcgid.conf in Debian's own Apache
# configuration (a private copy of /etc/apache2 with its envvars, stock
# modules, conf-enabled and the 000-default virtual host), enabled with
# a2enmod and a2enconf exactly as docs/deploy.md says. Only the port, the
# run, lock and log directories of the copy are changed (and mod_fcgid's
# sockets, which would otherwise go to the system's /var/lib/apache2).
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
apache_requires fcgid proxy proxy_http proxy_wstunnel alias headers
command -v a2enmod >/dev/null 2>&1 || skip_all "a2enmod not installed"
[ -f /etc/apache2/apache2.conf ] && [ -f /etc/apache2/envvars ] ||
    skip_all "no stock /etc/apache2 (Debian's apache2 package)"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
[ -x "$I_BIN/strapi-live-push" ] || skip_all "sidecar not built (--disable-push)"

E=$T/etc-apache2
cp -a /etc/apache2 "$E"
mkdir -p "$SRV/run/apache/lock" "$SRV/run/fcgid" "$T/apache-state"
sed -i -e "s|/var/run/apache2\$SUFFIX|$SRV/run/apache|" \
    -e "s|/var/lock/apache2\$SUFFIX|$SRV/run/apache/lock|" \
    -e "s|/var/log/apache2\$SUFFIX|$SRV/log|" \
    -e "s|APACHE_RUN_USER=.*|APACHE_RUN_USER=$RUNUSER|" \
    -e "s|APACHE_RUN_GROUP=.*|APACHE_RUN_GROUP=$RUNGROUP|" "$E/envvars"
sed -i "s/^Listen 80$/Listen 127.0.0.1:$PORT/" "$E/ports.conf"
sed -i "s/<VirtualHost \*:80>/<VirtualHost *:$PORT>/" \
    "$E/sites-available/000-default.conf"
printf 'FcgidIPCDir "%s"\nFcgidProcessTableFile "%s"\n' \
    "$SRV/run/fcgid" "$SRV/run/fcgid/shm" >"$E/conf-enabled/zz-test-paths.conf"
[ -e "$E/sites-enabled/000-default.conf" ]
ok $? "Debian's 000-default virtual host is enabled"
[ "$RUNUSER" != "$(id -un)" ] && chown -R "$RUNUSER:$RUNGROUP" "$SRV/run"

# docs/deploy.md, "Apache 2.4 with mod_fcgid", on the copy.
export APACHE_CONFDIR="$E" APACHE_STATE_DIRECTORY="$T/apache-state"
a2enmod -q fcgid proxy proxy_http proxy_wstunnel alias headers >"$T/a2en.out" 2>&1
ok $? "a2enmod as the docs say"
cp "$(deploy_example apache-fcgid.conf)" "$E/conf-available/strapi-live.conf"
a2enconf -q strapi-live >>"$T/a2en.out" 2>&1
ok $? "a2enconf strapi-live"

# shellcheck disable=SC1091
( . "$E/envvars" && apache2 -d "$E" -f "$E/apache2.conf" -t ) >"$T/apache-t.out" 2>&1
ok $? "apache2 -t accepts Debian's configuration with the example"
( . "$E/envvars" && exec apache2 -d "$E" -f "$E/apache2.conf" -DFOREGROUND ) \
    >"$SRV/log/apache.out" 2>&1 &
sl_track $!
wait_port "$PORT" || { deploy_logs; sed 's/^/# /' "$T/apache-t.out"; echo "Bail out! apache2 did not start"; exit 1; }
push_start || { deploy_logs; echo "Bail out! sidecar did not start"; exit 1; }

base=http://127.0.0.1:$PORT
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: www.example.org' "$base/api/articles")" 200 \
    "the example answers through the default virtual host, for any host name"
stream_start "$base/live/events" live
events_follow "$base/events" ev
stream_ready live
ok $? "SSE to the sidecar through Debian's Apache"
deploy_roundtrip "$base" /strapi/webhook live
stream_wait ev '^event: upsert'
ok $? "events.fcgi streams the upsert (stock mod_deflate does not buffer it)"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/apache-t.out" "$T/a2en.out"; }
done_testing
