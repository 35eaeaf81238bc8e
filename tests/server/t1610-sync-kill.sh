#!/bin/sh
# t1610-sync-kill.sh: strapi-live sync SIGKILLed in the middle of a pass
# (fake Strapi slowed down so "the middle" is certain): an SSE client that
# resumes with Last-Event-ID misses nothing, the next sync completes, and
# the store equals what a clean sync gives.
. "$top_srcdir/tests/lib.sh"
[ -x "$STRAPI_LIVE" ] || skip_all "strapi-live not built"
"$STRAPI_LIVE" --help | grep -q '^  sync ' || skip_all "built without sync"
SL="$STRAPI_LIVE"

fake_strapi_start --generate 250
curl -sf "$FAKE_URL/_control?slow_ms=1500" >/dev/null
entries() { "$SL" stats 2>/dev/null | json - 'd["collections"]["articles"]["entries"]' 2>/dev/null || echo 0; }

"$SL" sync >"$T/sync1.out" 2>"$T/sync1.err" &
sync_pid=$!
i=0
while [ "$(entries)" -lt 1 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 "$sync_pid"
wait "$sync_pid" 2>/dev/null
is $? 137 "the sync was killed with SIGKILL"
n=$(entries)
ok $(( n < 1 || n >= 250 )) "it was killed mid-pass ($n of 250 entries stored)"

# A client that read the change feed up to the kill.
sse() { # sse LAST-EVENT-ID: the ids and documentIds of the events sent
	STRAPI_LIVE_EVENTS_DURATION=1 cgi_run "$EVENTS_FCGI" GET "" \
	    "HTTP_LAST_EVENT_ID=$1" HTTP_ACCEPT=text/event-stream 2>/dev/null |
	    cgi_body | python3 -c '
import json, sys
cur = None
for l in sys.stdin:
    l = l.rstrip("\r\n")
    if l.startswith("id:"):
        cur = l[3:].strip()
    elif l.startswith("data:") and cur is not None:
        try:
            d = json.loads(l[5:])
        except ValueError:
            continue
        doc = d.get("documentId") or (d.get("entry") or {}).get("documentId") or ""
        print(cur, doc)
        cur = None'
}
sse 0 >"$T/before"
last=$(tail -1 "$T/before" | cut -d' ' -f1)
is "$(wc -l <"$T/before" | tr -d ' ')" "$n" "before the kill the client saw one event per stored entry"

curl -sf "$FAKE_URL/_control?slow_ms=0" >/dev/null
"$SL" sync --json >"$T/sync2.json" 2>"$T/sync2.err"
ok $? "the next sync completes"
is "$(json "$T/sync2.json" 'd["status"]')" ok "with status ok"
is "$(store_state)" "$(upstream_state)" "the store equals upstream (what a clean sync gives)"
check "verify is clean" "$SL" verify

sse "$last" >"$T/after"
cat "$T/before" "$T/after" >"$T/all"
python3 - "$T/all" <<'PY' >"$T/gaps"
import sys
ids = [int(l.split()[0]) for l in open(sys.argv[1]) if l.strip()]
print("ok" if ids == list(range(1, len(ids) + 1)) else "gap: %r" % ids[:20])
PY
is "$(cat "$T/gaps")" ok "resuming with Last-Event-ID $last: no event missed, none twice"
is "$(cut -d' ' -f2 "$T/all" | sort -u | wc -l | tr -d ' ')" 250 \
    "the client saw all 250 documents"
done_testing
