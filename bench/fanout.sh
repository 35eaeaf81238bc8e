#!/bin/sh
# fanout.sh: fan-out probe against strapi-live-push and, as the yardstick
# in the same run, nginx + nchan (a channel with a subscriber and a
# publisher location).
#
#   bench/fanout.sh [N] [RATES] [SECONDS] [MODE]
#   e.g. bench/fanout.sh 10000 "5 10 20" 10 sse
#
# For each rate, M = rate * SECONDS events are posted: to webhook.fcgi
# (lighttpd, FastCGI) for the sidecar, to nchan's publisher for nchan.
# Prints one JSON line per run (delivered/expected, duplicates,
# out-of-order, p50/p99/max latency from the webhook/publish response
# to each subscriber's receipt, RSS) and the ratios ours/nchan.
set -u
N=${1:-10000}
RATES=${2:-"5 10 20"}
SECS=${3:-10}
MODE=${4:-sse}
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
FANOUT=$top_builddir/bench/fanout
PUSH_BIN=$top_builddir/src/strapi-live-push
WEBHOOK_FCGI=$top_builddir/cgi-bin/webhook.fcgi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -gt $((N + 100)) ] || { echo "ulimit -n $(ulimit -n) is too low for N=$N" >&2; exit 1; }
. "$top_srcdir/tests/lib.sh"
export STRAPI_LIVE_DURABLE=no LOG=/dev/null
RES=$T/results
: >"$RES"

# --- strapi-live-push ---------------------------------------------------------
fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2 >"$T/lh.extra"
lighttpd_start <"$T/lh.extra" || { echo "lighttpd failed" >&2; exit 1; }
# Every subscriber comes from 127.0.0.1: one client to the per-address
# limits, so they are lifted here.
push_start STRAPI_LIVE_LOG_LEVEL=warn \
    STRAPI_LIVE_PUSH_MAX_PER_ADDR=$((N + 100)) \
    STRAPI_LIVE_PUSH_MAX_SUBS_PER_ADDR=$((N + 100))
PP=$PUSH_PORT
if [ "$MODE" = ws ]; then SPATH=/live/ws; else SPATH=/live/events; fi
for r in $RATES; do
	M=$((r * SECS))
	printf 'push ' >>"$RES"
	"$FANOUT" -m "$MODE" -n "$N" -e "$M" -r "$r" -o "r${r}x" \
	    -s "127.0.0.1:$PP$SPATH" \
	    -w "127.0.0.1:$LIGHTTPD_PORT/strapi/webhook" -b strapi \
	    -R "$PUSH_PID" -t 15 | tee -a "$RES"
	# The next run starts once the sidecar has let go of this one's
	# subscribers (else two runs' sockets share the fd limit).
	for i in $(seq 1 300); do
		curl -sf -H "Authorization: Bearer status-token-of-the-tests" \
		    "http://127.0.0.1:$PP/live/healthz" |
		    grep -q '"clients":0,' && break
		sleep 0.1
	done
done
kill $PUSH_PID $LIGHTTPD_PID 2>/dev/null
wait $PUSH_PID 2>/dev/null

[ -n "${SKIP_NCHAN:-}" ] && { cat "$RES"; exit 0; }
# --- nginx + nchan ------------------------------------------------------------
NP=$(free_port)
mkdir -p "$T/nginx"
cat >"$T/nginx/nginx.conf" <<NG
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes ${NCHAN_WORKERS:-auto};
worker_rlimit_nofile 20000;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 19000; }
http {
  access_log off;
  client_body_temp_path $T/nginx;
  proxy_temp_path $T/nginx;
  fastcgi_temp_path $T/nginx;
  uwsgi_temp_path $T/nginx;
  scgi_temp_path $T/nginx;
  server {
    listen 127.0.0.1:$NP;
    location = /sub { nchan_subscriber; nchan_channel_id bench; }
    location = /pub { nchan_publisher; nchan_channel_id bench; }
  }
}
NG
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -g 'daemon off;' &
NGX=$!
sl_track $NGX
wait_port "$NP"
sleep 0.5
NPIDS="$NGX $(pgrep -P $NGX | tr '\n' ' ')"
for r in $RATES; do
	M=$((r * SECS))
	printf 'nchan ' >>"$RES"
	"$FANOUT" -m "$MODE" -n "$N" -e "$M" -r "$r" -W "" \
	    -s "127.0.0.1:$NP/sub" -w "127.0.0.1:$NP/pub" -b raw \
	    -R "$NPIDS" -t 15 | tee -a "$RES"
	sleep 1
done
kill $NGX 2>/dev/null
wait $NGX 2>/dev/null

python3 - "$RES" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    who, _, js = line.partition(" ")
    try:
        d = json.loads(js)
    except ValueError:
        continue
    rows[(who, d["rate"])] = d
print("# latency from the webhook/publish response (resp) and from sending it (send), ms")
print("# system rate delivered/expected dup ooo resp:p50 p99 max send:p50 p99 max KiB/idle-sub")
for (who, rate), d in sorted(rows.items(), key=lambda x: (x[0][1], x[0][0])):
    print("%-6s %5.1f %8d/%-8d %3d %3d %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %6.2f" % (
        who, rate, d["delivered"], d["expected"], d["duplicates"],
        d["out_of_order_subscribers"], d["p50_ms"], d["p99_ms"],
        d["max_ms"], d["send_p50_ms"], d["send_p99_ms"], d["send_max_ms"],
        d["kib_per_idle_subscriber"]))
for (who, rate), d in sorted(rows.items()):
    n = rows.get(("nchan", rate))
    if who == "push" and n and n["send_p99_ms"] > 0:
        print("rate %.0f/s: p99 (from send) push/nchan = %.2f, memory/sub push/nchan = %.2f"
              % (rate, d["send_p99_ms"] / n["send_p99_ms"],
                 d["kib_per_idle_subscriber"] / max(0.01, n["kib_per_idle_subscriber"])))
PY
