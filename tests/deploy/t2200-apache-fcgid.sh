#!/bin/sh
# t2200-apache-fcgid.sh: conf/apache-fcgid.conf on the installed tree:
# mod_fcgid, mod_proxy_wstunnel and mod_proxy_http (SSE) to the sidecar
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
fcgid_deploy
push_start || { deploy_logs; echo "Bail out! sidecar did not start"; exit 1; }

base=http://127.0.0.1:$PORT
stream_start "$base/live/events" live
events_follow "$base/events" ev
stream_ready live
ok $? "SSE through mod_proxy_http starts"
deploy_roundtrip "$base" /strapi/webhook live
stream_wait ev '^event: upsert'
ok $? "events.fcgi under mod_fcgid streams the upsert"

# A body over mod_fcgid's default 128 KiB limit still reaches the program.
python3 - "$FIXTURES/04-entry.publish.json" "$T/big.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["body"]
d["entry"]["content"] = "x" * 300000
d["entry"]["updatedAt"] = "2030-01-01T00:00:00.000Z"
json.dump(d, open(sys.argv[2], "w"))
PY
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $SECRET" --data-binary @"$T/big.json" \
    "$base/strapi/webhook")" 200 "a 300 KB delivery passes FcgidMaxRequestLen"

ws_query "$PORT" >"$T/ws.out" 2>&1
grep -q '"type": "result"' "$T/ws.out"
ok $? "WebSocket through mod_proxy_wstunnel: a query result arrives"
client_served "$base"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/ws.out"; }
done_testing
