#!/bin/sh
# static-readers.sh: many no-daemon readers of the static change head
# (docs/static.md, "Change pages") while changes arrive, under lighttpd
# (conf/lighttpd-static.conf, webhook.fcgi) and under Apache with
# conf/shared-hosting.htaccess (plain CGI: webhook.cgi). BENCH_READERS
# readers (5,000) each poll <api>/_live/head every BENCH_INTERVAL ms (2000)
# on their own keep-alive connection with If-None-Match, and on a new seq
# fetch the change page they missed; a writer POSTs one change a second
# to the webhook (each on its own connection, so a slow one does not slow
# the rate). Reported: errors (must be 0), every change seen by every
# reader, the p99 from the webhook's POST to "the reader has the page
# holding it" against BENCH_INTERVAL + 100 ms, and the CPU the server's
# processes used (lighttpd or Apache, with the programs they ran).
#
# The readers are bench/static_readers.py: one Python asyncio process with
# plain streams and byte searches, no JSON parsing on the reader path.
# wrk cannot do it (its connections do not keep a per-connection ETag and
# seq, nor fetch a second URL on a change, without a Lua state per
# connection that wrk's delay() schedules badly across 5,000 of them), and
# a libcurl multi client shares one connection pool between its handles
# (a few busy connections, not 5,000 idle keep-alive ones as real readers
# hold). The Python client sustains the rate on one core; its summary
# gives the request rate reached and how late polls started, so a client
# that fell behind shows.
#
# usage: bench/static-readers.sh          (from a built tree; as root for
#                                          Apache's www-data user, or not)
# env:   BENCH_READERS=5000 BENCH_DURATION=60 BENCH_INTERVAL=2000
#        BENCH_ENTRIES=20 BENCH_PAGE_SIZE=10 BENCH_SERVERS="lighttpd apache"
#        BENCH_APACHE_WORKERS (Apache's worker threads: one per reader)
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
readers=${BENCH_READERS:-5000}
dur=${BENCH_DURATION:-60}
interval=${BENCH_INTERVAL:-2000}
entries=${BENCH_ENTRIES:-20}
psize=${BENCH_PAGE_SIZE:-10}
servers=${BENCH_SERVERS:-lighttpd apache}
export STRAPI_LIVE_LOG_LEVEL=warn STRAPI_LIVE_DURABLE=no

ulimit -n 65536 2>/dev/null || ulimit -n 20000 2>/dev/null || true
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/static_lib.sh"
. "$top_srcdir/bench/bench_lib.sh"
set +u
# The model of the seeds (static_lighttpd_conf writes it).
STRAPI_LIVE_COLLECTIONS=article STRAPI_LIVE_LOCALES=en STRAPI_LIVE_SCHEMA_DIR=
results="$T/results"
: >"$results"
python3 "$top_srcdir/bench/seed_entries.py" "$entries" >"$T/entries.jsonl"

# cpu_ticks PID...: the CPU (clock ticks, children reaped included) of
# each PID and its descendants.
cpu_ticks() {
	python3 - "$@" <<'PY'
import os, sys
kids, ticks = {}, {}
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        f = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    kids.setdefault(int(f[1]), []).append(int(p))
    ticks[int(p)] = sum(int(x) for x in f[11:15])
todo, total = [int(a) for a in sys.argv[1:]], 0
while todo:
    p = todo.pop()
    total += ticks.get(p, 0)
    todo += kids.get(p, [])
print(total)
PY
}

# run NAME BASE STATIC_DIR WEBHOOK PID...: the readers and the writer
# against BASE, the server's CPU from PID... over the run.
run() {
	local name=$1 base=$2 s=$3 hook=$4 c0 c1 t0 t1
	shift 4
	curl -sf -o /dev/null "$base/api/_live/head" ||
	    { echo "$name: no change head" >&2; return 1; }
	c0=$(cpu_ticks "$@")
	t0=$(date +%s.%N)
	head -1 "$T/entries.jsonl" | python3 "$top_srcdir/bench/static_readers.py" \
	    "$base/api" "$s" "$hook" "$SECRET" "$readers" "$dur" "$interval" 1 \
	    "$T/$name.json"
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$@")
	python3 - "$T/$name.json" "$name" "$c0" "$c1" "$t0" "$t1" \
	    "$(getconf CLK_TCK)" >>"$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c0, c1, t0, t1, hz = (float(x) for x in sys.argv[3:8])
r["server_cpu_s"] = round((c1 - c0) / hz, 1)
r["wall_s"] = round(t1 - t0, 1)
r["server_cpu_per_s"] = round((c1 - c0) / hz / (t1 - t0), 2)
r["server"] = sys.argv[2]
print(json.dumps(r))
PY
}

settings="static_change_page_size = $psize
log_level = warn
durable = no"

for srv in $servers; do
	case $srv in
	lighttpd)
		command -v lighttpd >/dev/null || { echo "no lighttpd" >&2; continue; }
		S=$T/static
		mkdir -p "$S"
		static_lighttpd_conf "$S" "$settings"
		STRAPI_LIVE_CONFIG=$T/strapi-live.conf "$STRAPI_LIVE" import \
		    "$T/entries.jsonl" >/dev/null
		STRAPI_LIVE_CONFIG=$T/strapi-live.conf "$STRAPI_LIVE" materialize \
		    >/dev/null
		export STRAPI_LIVE_CONFIG=$T/strapi-live.conf
		{
			fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 1
			cat <<EOC
include "$T/static.conf"
server.max-connections = $((readers + 512))
server.max-fds = $((readers * 2 + 1024))
server.max-keep-alive-requests = 100000
EOC
		} >"$T/extra.conf"
		lighttpd_start <"$T/extra.conf" ||
		    { echo "lighttpd did not start" >&2; exit 1; }
		run lighttpd "http://127.0.0.1:$LIGHTTPD_PORT" "$S" \
		    "http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook" "$LIGHTTPD_PID"
		kill "$LIGHTTPD_PID"
		wait "$LIGHTTPD_PID" 2>/dev/null || true
		unset STRAPI_LIVE_CONFIG
		;;
	apache)
		(
		bench_static_apache "$T/entries.jsonl" "$settings"
		STRAPI_LIVE_CONFIG=$SRV/strapi-live.conf \
		    "$I_BIN/strapi-live" materialize >/dev/null
		[ "$RUNUSER" != "$(id -un)" ] &&
		    chown -R "$RUNUSER:$RUNGROUP" "$SRV/store" "$S"
		# The host's part: mpm_event's defaults hold about 1,200
		# connections and start 3 processes; these start, from the
		# start, a worker thread for each reader (BENCH_APACHE_WORKERS).
		w=${BENCH_APACHE_WORKERS:-$(((readers + 127) / 128 * 128))}
		cat >>"$T/host.conf" <<CONF
StartServers $((w / 128))
ServerLimit $((w / 128))
ThreadsPerChild 128
ThreadLimit 128
MaxRequestWorkers $w
MinSpareThreads $((w / 2))
MaxSpareThreads $w
AsyncRequestWorkerFactor 8
KeepAliveTimeout 5
MaxKeepAliveRequests 0
CONF
		kill "$_apid"
		wait "$_apid" 2>/dev/null || true
		apache_start "$T/host.conf" cgid rewrite env alias headers \
		    >>"$T/apache.tap" || { echo "apache2 did not start" >&2; exit 1; }
		run apache "http://127.0.0.1:$PORT" "$S" \
		    "http://127.0.0.1:$PORT/strapi/webhook" "$_apid"
		# What Apache said, when it refused or closed connections.
		grep -v '^\[.*:debug\]' "$SRV/log/apache-error.log" | tail -5 >&2
		# Stopped here, and waited for (the exit trap alone left it
		# running in some runs).
		kill "$_apid"
		wait "$_apid" 2>/dev/null || true
		) || true # the subshell's status is its exit trap's
		;;
	esac
done

echo "$readers no-daemon readers polling the change head every $interval ms"
echo "(keep-alive, If-None-Match, the missed change page fetched on a"
echo "change), one change a second through the webhook, ${dur} s, $entries"
echo "entries, change pages of $psize, $(nproc) cores; latency: from the"
echo "webhook POST to the reader holding the page with the change"
echo
printf "%-9s %7s %6s %6s %9s %8s %8s %8s %8s %8s %7s\n" server req/s \
    errors resets seen p50_s p99_s target max_s srv_cpu cli_cpu
python3 - "$results" "$interval" <<'PY'
import json, sys
iv = int(sys.argv[2])
for line in open(sys.argv[1]):
    r = json.loads(line)
    f = lambda v: "%.3f" % v if v is not None else "-"
    print("%-9s %7.0f %6d %6d %9s %8s %8s %8s %8s %8s %7s" % (
        r["server"], r["requests_per_s"], r["errors"], r["resets"],
        "%d/%d" % (r["seen"], r["seen_expected"]), f(r["p50_s_from_sent"]),
        f(r["p99_s_from_sent"]), f((iv + 100) / 1000.0),
        f(r["max_s_from_sent"]), "%.2f" % r["server_cpu_per_s"],
        "%.2f" % (r["client_cpu_s"] / r["wall_s"])))
    if r["errors"]:
        print("  errors: %s" % r["error_kinds"])
    print("  %s: %d head 304, %d head 200, %d pages, %d idle keep-alive "
          "connections closed by the server (GET sent again), webhook p50 %.3f s "
          "max %.3f s, late polls %d (p99 %s ms), p99 from the webhook's "
          "answer %s s" % (r["server"], r["head_304"], r["head_200"],
                          r["pages"], r["reconnects"], r["webhook_p50_s"], r["webhook_max_s"],
                          r["late_polls"], f(r["late_p99_ms"]),
                          f(r["p99_s_from_answered"])))
PY
echo
echo "srv_cpu, cli_cpu: CPU seconds per second (1.00 = one core)"
sl_cleanup || true
trap - EXIT
exit 0
