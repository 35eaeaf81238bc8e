#!/bin/sh
# t1331-static-nginx.sh: conf/nginx-static.conf and
# conf/nginx-static-location.conf (docs/static.md) under nginx, query.fcgi
# behind it by spawn-fcgi: after the recorded rich deliveries every answer
# file, fetched through nginx (try_files), is the bytes query.fcgi answers
# for its URL, with its Content-Type, CORS and Cache-Control; the rest
# falls back to query.fcgi; a client that takes gzip gets the answer's
# .gz (gzip_static); a write shows at once.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/static_lib.sh"

command -v nginx >/dev/null 2>&1 || skip_all "nginx not installed"
command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
[ -f /etc/nginx/fastcgi_params ] || skip_all "no /etc/nginx/fastcgi_params"
[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
rich_env
export STRAPI_LIVE_STATIC_DIR="$T/static"
S=$STRAPI_LIVE_STATIC_DIR
mkdir -p "$S"
chmod 755 "$T" # nginx's workers (nobody, under root) read the files
QPORT=$(free_port)
spawn-fcgi -a 127.0.0.1 -p "$QPORT" -F 2 -P "$T/spawn.pid" -- "$QUERY_FCGI" \
    >"$T/spawn.log" 2>&1 || skip_all "spawn-fcgi failed"
for p in $(cat "$T/spawn.pid"); do
	sl_track "$p"
done
wait_port "$QPORT" || skip_all "query.fcgi did not listen"

cp /etc/nginx/fastcgi_params "$T/fastcgi_params"
sed -e "s|/usr/local/var/lib/strapi-live-static|$S|" \
    -e "s|127.0.0.1:9102|127.0.0.1:$QPORT|" \
    -e "s|include fastcgi_params|include $T/fastcgi_params|" \
    "$top_srcdir/conf/nginx-static-location.conf" >"$T/location.conf"
cp "$top_srcdir/conf/nginx-static.conf" "$T/maps.conf"
for try in 1 2 3; do
	PORT=$(free_port)
	nginx_conf "$T/nginx.conf" "" "include $T/maps.conf;
	server {
		listen 127.0.0.1:$PORT;
		root $T/www;
		include $T/location.conf;
	}"
	nginx -p "$T/" -c "$T/nginx.conf" -g 'daemon off;' >>"$T/nginx.out" 2>&1 &
	NPID=$!
	if wait_port "$PORT" && kill -0 "$NPID" 2>/dev/null; then
		sl_track "$NPID"
		break
	fi
	kill "$NPID" 2>/dev/null
	NPID=
done
[ -n "$NPID" ] || skip_all "nginx did not start"
base=http://127.0.0.1:$PORT

is "$(deliver_range_cgi 1 83)" 0 "the 83 recorded deliveries are taken"
static_all_through "$base" "$S" nginx
# nginx sends no ETag for the files (its one-second validators), so
# static_served's 304 check does not apply: the rest does.
curl -s -D "$T/h" -o /dev/null "$base/api/articles"
is "$(static_header "$T/h" ETag)" "" "no ETag from nginx for a file"
STATIC_NO_ETAG=1 static_served "$base" "$S" nginx
static_gzip "$base" "$S" nginx

static_versions "$T/v" "Through nginx"
is "$(deliver_cgi "$T/v1")" 200 "a new version"
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" "Through nginx 1" \
    "its write is served at once"
static_all_through "$base" "$S" nginx again
done_testing
