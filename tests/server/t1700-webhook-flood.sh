#!/bin/sh
# t1700-webhook-flood.sh: 10,000 anonymous POSTs through lighttpd leave the
# store directory as it was: no event-log record, no log write, no page
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"

lighttpd_start "$(fcgi_entry /hook "$WEBHOOK_FCGI" 2)" || skip_all "lighttpd did not start"
URL="http://127.0.0.1:$LIGHTTPD_PORT/hook"
fixture_body "$FIXTURES/13-entry.publish.json" "$T/pub.json"

# One real delivery first, so the store has a database, a log and a page
# or two in the cache, as on a live site.
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $SECRET" --data-binary @"$T/pub.json" "$URL")" 200 "a real delivery is stored"
# A CLI run after it, so that whatever a process's open and close write
# (its dirty pages, a checkpoint) is on disk before the first snapshot.
stats_before=$("$STRAPI_LIVE" stats | json - 'd["lastEvent"]')
sleep 1

# Every file of the store directory, hashed. The refusal counters file is
# the one file that must change (it is the metric); its size must not.
snapshot() {
	(cd "$STRAPI_LIVE_STORE_DIR" && for f in *; do
		[ "$f" = webhook-rejections ] && continue
		[ -f "$f" ] && printf '%s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"
	done)
}
counters_size() { stat -c %s "$STRAPI_LIVE_STORE_DIR/webhook-rejections" 2>/dev/null; }
snapshot >"$T/before"
size_before=$(counters_size)
is "$size_before" 4096 "the refusal counters file exists, 4096 bytes, before any refusal"

# 10,000 anonymous POSTs, 4 connections at once, each with a 7 KiB
# X-Strapi-Event header: no header, a non-Bearer scheme, a wrong secret.
python3 - "$LIGHTTPD_PORT" "$T/pub.json" >"$T/flood" 2>&1 <<'PY'
import http.client, sys, threading, collections
port, body = int(sys.argv[1]), open(sys.argv[2], "rb").read()
codes = collections.Counter()
lock = threading.Lock()
big = "x" * 7000
kinds = [{}, {"Authorization": "Basic Zm9vOmJhcg=="},
         {"Authorization": "Bearer not-the-secret"}]
def run(start):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(start, 10000, 4):
        h = {"Content-Type": "application/json", "X-Strapi-Event": big}
        h.update(kinds[i % 3])
        try:
            c.request("POST", "/hook", body=body, headers=h)
            r = c.getresponse(); r.read(); st = r.status
        except Exception as e:
            st = type(e).__name__
            c.close(); c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock: codes[st] += 1
ts = [threading.Thread(target=run, args=(k,)) for k in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(" ".join("%s:%d" % (k, v) for k, v in sorted(codes.items(), key=str)))
PY
is "$(cat "$T/flood")" "401:10000" "10,000 anonymous POSTs: every one answered 401"
snapshot >"$T/after" # before any other process opens the store
if cmp -s "$T/before" "$T/after"; then ok 0 "the store directory is byte-identical (every file but the counters)"
else ok 1 "the store directory is byte-identical (every file but the counters)"; diff "$T/before" "$T/after" | sed 's/^/# /'; fi
is "$(counters_size)" "$size_before" "the counters file did not grow"
is "$("$STRAPI_LIVE" stats | json - 'd["lastEvent"]')" "$stats_before" "no event-log record was written"
is "$("$STRAPI_LIVE" stats | json - '(d["webhookRefused"]["noHeader"], d["webhookRefused"]["noBearer"], d["webhookRefused"]["badSecret"], d["webhookRefused"]["total"])')" \
    "[3334, 3333, 3333, 10000]" "strapi-live stats counts the refusals by kind"

# The web server's error log: a line per kind that says which, with the
# client's address and never the value; at most one a second per process.
cat "$T/log/lighttpd-error.log" "$T/log/lighttpd.out" >"$T/all.log"
log="$T/all.log"
# Each kind is limited on its own: the wrong secrets of a flood do not
# hide the missing header of a forgotten CGIPassAuth.
check "a missing header is logged as such, with the CGIPassAuth hint" grep -q 'refused (401) from 127.0.0.1: no secret header (Apache.*CGIPassAuth' "$log"
check "a non-Bearer Authorization is logged as such" grep -q 'refused (401) from 127.0.0.1: Authorization is not "Bearer <secret>"' "$log"
check "a wrong secret is logged as such" grep -q 'refused (401) from 127.0.0.1: wrong secret' "$log"
# ... within the same second of one process (a limit shared by the kinds
# writes one line a second whatever the kinds): the most kinds one
# process logged in one second.
kinds=$(python3 - "$log" <<'PY'
import re, sys, collections
g = collections.defaultdict(set)
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\S+?)\.\d+Z \S+\[(\d+)\]: .*webhook refused \(401\) "
                 r"from \S+: ([^;(]+)", line)
    if m:
        g[(m.group(1), m.group(2))].add(m.group(3).strip())
print(max((len(v) for v in g.values()), default=0))
PY
)
is "$kinds" 3 "one process logged the three kinds in one second"
n=$(grep -c 'webhook refused (401)' "$log")
ok $([ "$n" -ge 1 ] && [ "$n" -lt 500 ] && echo 0 || echo 1) "refusals are logged at most once a second per process ($n lines for 10,000)"
ok $(grep -q 'not-the-secret\|Zm9vOmJhcg\|xxxxxxxx' "$log" && echo 1 || echo 0) "no header value reaches the log"

# The sidecar's metrics show the same counts.
if [ -x "${PUSH_BIN:-}" ] && push_start; then
	curl -s -H "Authorization: Bearer ${STRAPI_LIVE_STATUS_TOKEN:-status-token-of-the-tests}" \
	    "http://127.0.0.1:$PUSH_PORT/live/metrics" >"$T/metrics"
	is "$(grep '^strapi_live_webhook_refused_total' "$T/metrics" | awk '{s += $2} END {print s}')" 10000 \
	    "/live/metrics: strapi_live_webhook_refused_total sums to 10,000"
	grep -q '^strapi_live_webhook_refused_total{reason="badSecret"} 3333$' "$T/metrics"
	ok $? "/live/metrics: by reason"
else
	tap_skip "the sidecar is not built"
fi
done_testing
