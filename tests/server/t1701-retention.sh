#!/bin/sh
# t1701-retention.sh: the writers keep the change log and the event log
# within their byte bounds by themselves (no cron, no trim), and a client
# resuming from a trimmed point is told to reset
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
GEN="$top_srcdir/tests/gen_delivery.py"

cat >"$T/sl.conf" <<CONF
changes_max_bytes = 60000
events_max_bytes = 30000
CONF
export STRAPI_LIVE_CONFIG="$T/sl.conf"
lighttpd_start "$(fcgi_entry /hook "$WEBHOOK_FCGI" 2)" || skip_all "lighttpd did not start"
URL="http://127.0.0.1:$LIGHTTPD_PORT/hook"

# 600 publishes (about 370 bytes of change record and 165 of event
# record each: nearly four times either bound).
mkdir -p "$T/bodies"
for i in $(seq 1 600); do echo "b$i entry.publish doc$i $i tech"; done >"$T/plan"
python3 "$GEN" --batch "$T/bodies" <"$T/plan"
python3 - "$LIGHTTPD_PORT" "$T/bodies" "$SECRET" >"$T/codes" <<'PY'
import http.client, os, sys, collections
port, d, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
codes = collections.Counter()
for i in range(1, 601):
    c.request("POST", "/hook", body=open(os.path.join(d, "b%d" % i), "rb").read(),
              headers={"Content-Type": "application/json",
                       "Authorization": "Bearer " + secret})
    r = c.getresponse(); r.read(); codes[r.status] += 1
print(" ".join("%d:%d" % kv for kv in sorted(codes.items())))
PY
is "$(cat "$T/codes")" "200:600" "600 publishes are answered 200"
"$STRAPI_LIVE" stats >"$T/stats"
is "$(json "$T/stats" 'd["lastSeq"]')" 600 "every publish made a change"
is "$(json "$T/stats" 'd["collections"]["articles"]["entries"]')" 600 "every entry is kept (only the logs are trimmed)"
ok $(json "$T/stats" '0 if d["changeLogBytes"] <= 60000 and d["changeLogBytes"] > 30000 else 1') \
    "the change log is within changes_max_bytes ($(json "$T/stats" 'd["changeLogBytes"]') bytes)"
ok $(json "$T/stats" '0 if d["eventLogBytes"] <= 30000 and d["eventLogBytes"] > 10000 else 1') \
    "the event log is within events_max_bytes ($(json "$T/stats" 'd["eventLogBytes"]') bytes)"
first=$(json "$T/stats" 'd["firstSeq"]')
ok $([ "$first" -gt 400 ] && echo 0 || echo 1) "the oldest changes were trimmed without a trim run (first seq $first)"
n=$("$STRAPI_LIVE" events | wc -l)
ok $([ "$n" -lt 200 ] && [ "$n" -gt 30 ] && echo 0 || echo 1) "the event log keeps only its newest records ($n)"
check "verify is clean" "$STRAPI_LIVE" verify

# A client that last saw seq 1 is told to reset; one that is current is not.
body=$(cgi_run "$EVENTS_FCGI" GET "" QUERY_STRING="since=1&format=json" 2>/dev/null | cgi_body)
is "$(printf '%s\n' "$body" | json - 'd["meta"]["reset"]')" true "since a trimmed seq: reset"
body=$(cgi_run "$EVENTS_FCGI" GET "" QUERY_STRING="since=$((first - 1))&format=json&limit=5" 2>/dev/null | cgi_body)
is "$(printf '%s\n' "$body" | json - '(d["meta"]["reset"], d["data"][0]["seq"])')" "[false, $first]" \
    "since the seq just before the first kept: no reset, the next change"
done_testing
