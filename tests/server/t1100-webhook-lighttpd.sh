#!/bin/sh
# t1100-webhook-lighttpd.sh: recorded Strapi 5 deliveries through lighttpd
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"

lighttpd_start "$(fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2)" || skip_all "lighttpd did not start"
URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"
F=$FIXTURES

# What Strapi publishes at the end of the recorded session: of all the
# documents touched, only the one created and published at 12-13 is still
# published (the others were unpublished or deleted).
expected=$(json "$F/13-entry.publish.json" 'json.dumps(d["body"]["entry"], sort_keys=True)')

replay() { # replay FILES...: post each, fail on a non-2xx
	local f out bad=0
	for f in "$@"; do
		out=$(post_fixture "$f" "$URL" | head -1)
		case "$out" in 2??) ;; *) bad=$((bad + 1)); diag "$(basename "$f") -> $out" ;; esac
	done
	return $bad
}

replay "$F"/0[1-4]-*.json
ok $? "the first publish is accepted through lighttpd"
is "$(store_state | json - 'd["title"]')" "Hello Strapi Five (edited)" "after 01-04 the published version is stored"
replay "$F"/0[5-8]-*.json
is "$(store_state | json - 'd["title"]')" "Hello Strapi Five (edited)" "draft edits and a discard leave the live version alone"
replay "$F"/09-*.json
is "$(store_state | json - 'd["content"]')" "$(json "$F/09-entry.publish.json" 'd["body"]["entry"]["content"]')" "republishing replaces the live version"
replay "$F"/1*.json "$F"/2*.json "$F"/3*.json "$F"/4*.json
ok $? "all 45 recorded deliveries are answered 2xx"
is "$(store_state)" "$expected" "in order, the store ends equal to Strapi's published state"
check "verify is clean" "$STRAPI_LIVE" verify
seq_in_order=$("$STRAPI_LIVE" stats | json - 'd["lastSeq"]')

# Shuffled and duplicated, in fresh stores: the same final state.
for seed in 1 2 3; do
	export STRAPI_LIVE_STORE_DIR="$T/store-$seed"
	kill "$LIGHTTPD_PID" 2>/dev/null; wait "$LIGHTTPD_PID" 2>/dev/null
	lighttpd_start "$(fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2)"
	URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"
	files=$(python3 -c 'import random,sys; f=sys.argv[2:]*2; random.Random(int(sys.argv[1])).shuffle(f); print(" ".join(f))' "$seed" "$F"/[0-4]*.json)
	replay $files
	ok $? "shuffle $seed: every duplicated delivery is answered 2xx"
	is "$(store_state)" "$expected" "shuffle $seed (each delivery twice): same final state"
	check "shuffle $seed: verify is clean" "$STRAPI_LIVE" verify
done

# Five in flight, as Strapi delivers.
export STRAPI_LIVE_STORE_DIR="$T/store-par"
kill "$LIGHTTPD_PID" 2>/dev/null; wait "$LIGHTTPD_PID" 2>/dev/null
lighttpd_start "$(fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 4)"
URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"
fixtures_extract
ls "$T"/fx/*.body | xargs -P5 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" \
    --data-binary @{} "$URL" >"$T/codes"
is "$(sort -u "$T/codes")" 200 "five deliveries in flight at once: all 200"
is "$(store_state)" "$expected" "concurrent delivery ends in the same state"

# Hostile and malformed requests change nothing.
before=$(store_state; "$STRAPI_LIVE" stats | json - 'd["lastSeq"]')
fixture_body "$F/15-entry.publish.json" "$T/pub.json"
code() { curl -s -o "$T/resp" -w '%{http_code}' "$@"; }
is "$(code -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer nope' --data-binary @"$T/pub.json" "$URL")" 401 "bad secret: 401"
is "$(json "$T/resp" 'd["error"]["status"]')" 401 "bad secret: JSON error body"
is "$(code -X POST -H 'Content-Type: application/json' --data-binary @"$T/pub.json" "$URL")" 401 "no secret: 401"
is "$(code -X PUT -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" --data-binary @"$T/pub.json" "$URL")" 405 "PUT: 405"
is "$(code "$URL")" 405 "GET: 405"
is "$(code -X POST -H 'Content-Type: text/plain' -H "Authorization: Bearer $SECRET" --data-binary @"$T/pub.json" "$URL")" 415 "text/plain: 415"
is "$(code -X POST -H 'Content-Type: application/x-www-form-urlencoded' -H "Authorization: Bearer $SECRET" --data-binary @"$T/pub.json" "$URL")" 415 "form encoding: 415"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big"
is "$(code -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" --data-binary @"$T/big" "$URL")" 413 "1.1 MB body: 413"
is "$(code -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" --data-binary '{"event":"entry.publish","model":' "$URL")" 400 "truncated JSON: 400"
is "$(json "$T/resp" 'd["error"]["name"]')" ValidationError "truncated JSON: ValidationError"
printf '{"event":"entry.publish","model":"article","entry":{"documentId":"\377\376"}}' >"$T/badutf8"
is "$(code -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" --data-binary @"$T/badutf8" "$URL")" 400 "invalid UTF-8: 400"
is "$(code -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" --data-binary '{"event":"entry.publish","model":"article","uid":"api::article.article","entry":{"title":"x"}}' "$URL")" 422 "entry without documentId: 422"
is "$(code -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" --data-binary '{"model":"article","entry":{}}' "$URL")" 422 "no event: 422"
python3 -c 'print("["*5000 + "]"*5000)' >"$T/deep"
is "$(code -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" --data-binary @"$T/deep" "$URL")" 400 "deeply nested JSON: 400"
after=$(store_state; "$STRAPI_LIVE" stats | json - 'd["lastSeq"]')
is "$after" "$before" "none of the rejected requests changed the store"
check "the error log of lighttpd has no crash" sh -c "! grep -qi 'segfault\|died\|signal' '$T/log/lighttpd-error.log'"
done_testing
