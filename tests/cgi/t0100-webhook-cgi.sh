#!/bin/sh
# t0100-webhook-cgi.sh: webhook.fcgi run as plain CGI (the real main)
. "$top_srcdir/tests/lib.sh"

F=$FIXTURES
fixture_body "$F/04-entry.publish.json" "$T/pub.json"
AUTH="HTTP_AUTHORIZATION=Bearer $SECRET"

out=$(cgi_run "$WEBHOOK_FCGI" POST "$T/pub.json" CONTENT_TYPE=application/json "$AUTH" 2>"$T/stderr")
is "$(echo "$out" | cgi_status)" 200 "a recorded entry.publish is accepted as CGI"
is "$(echo "$out" | cgi_body | json - 'd["action"]')" upserted "the answer says upserted"
check "the answer carries the change sequence" test "$(echo "$out" | cgi_body | json - 'd["seq"]')" = 1
check "Content-Type is JSON" sh -c "echo '$out' | grep -qi '^Content-Type: application/json'"
check "one log line on stderr with method, path, status, action" grep -q 'POST .* 200 .* upserted' "$T/stderr"
check "the secret is never logged" sh -c "! grep -q '$SECRET' '$T/stderr'"
check "the body is never logged" sh -c "! grep -q 'Hello Strapi' '$T/stderr'"
is "$("$STRAPI_LIVE" dump | json - 'd["documentId"]')" ww259li4ztj69swm80bdztk4 "the entry is in the store"

out=$(cgi_run "$WEBHOOK_FCGI" GET "" 2>/dev/null)
is "$(echo "$out" | cgi_status)" 405 "GET answers 405"
check "405 names the allowed method" sh -c "echo '$out' | grep -q '^Allow: POST'"

out=$(cgi_run "$WEBHOOK_FCGI" POST "$T/pub.json" CONTENT_TYPE=application/json "HTTP_AUTHORIZATION=Bearer wrong" 2>"$T/stderr")
is "$(echo "$out" | cgi_status)" 401 "a wrong secret answers 401"
is "$(echo "$out" | cgi_body | json - 'd["error"]["name"]')" UnauthorizedError "in Strapi's error shape"
check "the wrong secret is not logged either" sh -c "! grep -q 'Bearer wrong' '$T/stderr'"

out=$(STRAPI_LIVE_WEBHOOK_SECRET= cgi_run "$WEBHOOK_FCGI" POST "$T/pub.json" CONTENT_TYPE=application/json "$AUTH" 2>/dev/null)
is "$(echo "$out" | cgi_status)" 503 "with no secret configured every delivery is refused"

head -c 3000 /dev/zero | tr '\0' 'x' >"$T/big"
out=$(STRAPI_LIVE_WEBHOOK_MAX_BODY=1024 cgi_run "$WEBHOOK_FCGI" POST "$T/big" CONTENT_TYPE=application/json "$AUTH" 2>/dev/null)
is "$(echo "$out" | cgi_status)" 413 "a body over webhook_max_body answers 413"

out=$(STRAPI_LIVE_WEBHOOK_HEADER=x-webhook-secret cgi_run "$WEBHOOK_FCGI" POST "$T/pub.json" CONTENT_TYPE=application/json "HTTP_X_WEBHOOK_SECRET=$SECRET" 2>/dev/null)
is "$(echo "$out" | cgi_body | json - 'd["action"]')" unchanged "a custom header carries the bare secret; the duplicate is unchanged"

printf 'store_dir = %s\nwebhook_secert = x\n' "$T/store" >"$T/bad.conf"
STRAPI_LIVE_CONFIG="$T/bad.conf" cgi_run "$WEBHOOK_FCGI" POST "$T/pub.json" CONTENT_TYPE=application/json "$AUTH" >/dev/null 2>"$T/stderr"
ok $(( $? == 0 )) "an unknown configuration key stops start-up"
check "the message names the key" grep -q "webhook_secert" "$T/stderr"

printf 'durable = perhaps\n' >"$T/bad2.conf"
STRAPI_LIVE_CONFIG="$T/bad2.conf" cgi_run "$WEBHOOK_FCGI" POST "$T/pub.json" >/dev/null 2>"$T/stderr"
check "a bad value names its key" grep -q "durable" "$T/stderr"

STRAPI_LIVE_CONFIG="$T/missing.conf" cgi_run "$WEBHOOK_FCGI" POST "$T/pub.json" >/dev/null 2>"$T/stderr"
check "a missing STRAPI_LIVE_CONFIG file is an error" grep -q "missing.conf" "$T/stderr"
done_testing
