#!/bin/sh
# t2060-nginx-debian.sh: conf/nginx.conf in Debian's own nginx configuration
# (a private copy of /etc/nginx: nginx.conf, conf.d, modules-enabled and
# the stock sites-enabled/default), put in place as docs/deploy.md says.
# With Debian's default site still enabled nginx -t fails loudly instead
# of serving 404s; once its link is removed (as the docs say), the example
# answers every URL whatever the Host. Only the ports, the pid file, the
# logs and the temp paths of the copy are changed, for a private server.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
command -v nginx >/dev/null 2>&1 || skip_all "nginx not installed"
command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
[ -f /etc/nginx/nginx.conf ] && [ -f /etc/nginx/sites-available/default ] ||
    skip_all "no stock /etc/nginx (Debian's nginx package)"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
[ -x "$I_BIN/strapi-live-push" ] || skip_all "sidecar not built (--disable-push)"
fcgi_spawn || { deploy_logs; echo "Bail out! spawn-fcgi failed"; exit 1; }

# Debian's configuration, moved under $T: every /etc/nginx path, the pid
# file, the logs; port 80 of the stock default site becomes $PORT.
E=$T/etc-nginx
cp -a /etc/nginx "$E"
mkdir -p "$SRV/run/nginx"
rm -f "$E/sites-enabled/default"
ln -s "$E/sites-available/default" "$E/sites-enabled/default"
sed -i -e "s|/etc/nginx/|$E/|g" -e "s|/run/nginx.pid|$SRV/run/nginx.pid|" \
    -e "s|/var/log/nginx/|$SRV/log/nginx-|g" \
    -e "s|^http {|http {\n\tclient_body_temp_path $SRV/run/nginx/body;\n\tproxy_temp_path $SRV/run/nginx/proxy;\n\tfastcgi_temp_path $SRV/run/nginx/fastcgi;\n\tuwsgi_temp_path $SRV/run/nginx/uwsgi;\n\tscgi_temp_path $SRV/run/nginx/scgi;|" \
    "$E/nginx.conf"
[ "$(id -u)" = 0 ] || sed -i '/^user /d' "$E/nginx.conf"
sed -i -e "s/listen 80 default_server/listen 127.0.0.1:$PORT default_server/" \
    -e '/listen \[::\]:80 /d' "$E/sites-available/default"
grep -q "listen 127.0.0.1:$PORT default_server" "$E/sites-available/default"
ok $? "Debian's stock default site is enabled, on this test's port"

# docs/deploy.md: the example into sites-available, linked from
# sites-enabled (only its ports differ).
# shellcheck disable=SC2046
ex=$(deploy_example nginx.conf $(fcgi_ports_sub) \
    -e "s/listen 80 /listen 127.0.0.1:$PORT /" -e '/listen \[::\]:80 /d')
cp "$ex" "$E/sites-available/strapi-live"
ln -s "$E/sites-available/strapi-live" "$E/sites-enabled/"
nt() { nginx -t -e "$SRV/log/nginx-error.log" -c "$E/nginx.conf" >"$T/nginx-t.out" 2>&1; }
nt
ok $((1 - $?)) "with Debian's default site still enabled, nginx -t fails"
grep -q "duplicate default server" "$T/nginx-t.out"
ok $? "and says why (duplicate default server), instead of serving 404s"

# docs/deploy.md's next step.
rm "$E/sites-enabled/default"
nt
ok $? "without it, nginx -t accepts Debian's configuration with the example"
grep -q "warn" "$T/nginx-t.out"
ok $((1 - $?)) "without a warning"
nginx -e "$SRV/log/nginx-error.log" -c "$E/nginx.conf" \
    -g 'daemon off;' >"$SRV/log/nginx.out" 2>&1 &
sl_track $!
wait_port "$PORT" || { deploy_logs; echo "Bail out! nginx did not start"; exit 1; }
push_start || { deploy_logs; echo "Bail out! sidecar did not start"; exit 1; }

base=http://127.0.0.1:$PORT
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: www.example.org' "$base/api/articles")" 200 \
    "the example answers a request for any host name"
stream_start "$base/live/events" live
stream_ready live
ok $? "the sidecar's stream through Debian's nginx"
deploy_roundtrip "$base" /strapi/webhook live
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/nginx-t.out"; }
done_testing
