#!/bin/sh
# t1490-push-nginx-example.sh: the connection limits of conf/nginx.conf
# as an attack: 1,000 streams from one client to /live/ (nginx sets
# X-Forwarded-For) and three to /events; each client keeps its share
. "${top_srcdir:-.}/tests/lib.sh"
command -v nginx >/dev/null 2>&1 || skip_all "nginx not installed"
command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
[ -f /etc/nginx/fastcgi_params ] || skip_all "no /etc/nginx/fastcgi_params"
: "${PUSH_BIN:=$top_builddir/src/strapi-live-push}"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
[ -x "$PUSH_BIN" ] || skip_all "sidecar not built (--disable-push)"
P_EVENTS=$(free_port)
PORT=$(free_port)
# events.fcgi with eight workers, as conf/spawn-fcgi.sh starts it.
spawn-fcgi -a 127.0.0.1 -p "$P_EVENTS" -F 8 -P "$T/events.pid" -- \
    "$EVENTS_FCGI" >"$T/spawn.log" 2>&1 || { echo "Bail out! spawn-fcgi"; exit 1; }
for pid in $(cat "$T/events.pid"); do sl_track "$pid"; done
wait_port "$P_EVENTS" || { echo "Bail out! events.fcgi did not start"; exit 1; }
push_start || { echo "Bail out! sidecar did not start"; exit 1; }
sed -e "s/listen 80 /listen 127.0.0.1:$PORT /" -e '/listen \[::\]:80 /d' \
    -e "s/8091/$PUSH_PORT/" \
    -e "s/9103/$P_EVENTS/" -e "s|root /var/www/html;|root $T;|" \
    "$top_srcdir/conf/nginx.conf" >"$T/example.conf"
cp /etc/nginx/fastcgi_params "$T/fastcgi_params"
mkdir -p "$T/nginx"
user=
[ "$(id -u)" = 0 ] && user="user $(id -un) $(id -gn);"
NGINX_CONNS=4096 nginx_conf "$T/nginx-main.conf" "$user
worker_rlimit_nofile 8192;" "include $T/example.conf;"
nginx -p "$T/" -c "$T/nginx-main.conf" -g 'daemon off;' >"$T/nginx.out" 2>&1 &
sl_track $!
wait_port "$PORT" || { cat "$T/nginx-error.log" >&2; echo "Bail out! nginx did not start"; exit 1; }
export PORT PUSH_PORT
PYTHONPATH="$top_srcdir/tests" python3 -u - <<'PY'
import os, resource, socket, time
from push_client import *
H = "127.0.0.1"
N = int(os.environ["PORT"])
P = int(os.environ["PUSH_PORT"])
resource.setrlimit(resource.RLIMIT_NOFILE,
                   (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

socks, codes = [], {}
for i in range(1000):
    s, c = sse_from("127.0.0.2", H, N, "/live/events",
                     "X-Forwarded-For: 10.%d.%d.1\r\n" % (i // 250, i % 250))
    codes[c] = codes.get(c, 0) + 1
    (socks.append(s) if c == 200 else s.close())
diag("1,000 streams to /live/ from one client: %r" % codes)
is_(codes.get(200, 0), 32, "one client gets 32 streams through nginx")
is_(codes.get(429, 0), 968, "the other 968: 429")
is_(json.loads(http_get(H, P, "/live/healthz")[1])["clients"], 32,
    "the sidecar holds 32")
s, c = sse_from("127.0.0.3", H, N, "/live/events")
is_(c, 200, "another client still streams")
socks.append(s)
ev = [sse_from("127.0.0.4", H, N, "/events?lastEventId=0") for _ in range(3)]
is_([c for _, c in ev], [200, 200, 429], "/events: two streams per client, the third 429")
s, c = sse_from("127.0.0.5", H, N, "/events?format=json&since=0")
is_(c, 200, "another client's /events request is served")
for s in socks + [x for x, _ in ev]:
    s.close()
done()
PY
