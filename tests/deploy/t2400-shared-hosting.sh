#!/bin/sh
# t2400-shared-hosting.sh: conf/shared-hosting.htaccess: the installed
# programs as plain .cgi under Apache (mod_cgid, mod_rewrite, SetEnv),
# the store outside the document root, events.cgi for live updates
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
shared_hosting_deploy
grep -q "$SECRET" "$SRV/htdocs/.htaccess"
ok $((1 - $?)) "no secret in the document root: .htaccess names a config outside it"

base=http://127.0.0.1:$PORT
stream_start "$base/events" ev
stream_ready ev
ok $? "events.cgi streams as plain CGI"
out=$(post_fixture "$FIXTURES/04-entry.publish.json" "$base/strapi/webhook")
is "$(printf '%s\n' "$out" | sed -n 1p)" 200 "webhook.cgi through the rewrite: 200"
is "$(printf '%s\n' "$out" | sed -n 2p | json - 'd["action"]')" upserted \
    "the delivery is stored"
is "$(curl -s "$base/api/articles" | json - '[e["documentId"] for e in d["data"]]' 2>/dev/null)" \
    "[\"$DOC\"]" "read back through the clean /api/articles path"
is "$(curl -s "$base/api/articles/slug/hello-strapi-five" | json - 'd["data"]["documentId"]' 2>/dev/null)" \
    "$DOC" "and by slug"
stream_wait ev '^event: upsert'
ok $? "the change stream carries the upsert"
# A reconnecting EventSource resumes after its Last-Event-ID.
is "$(curl -s --max-time 10 -H 'Last-Event-ID: 0' "$base/events" | sed -n 's/^id: //p' | tr -d '\r' | head -1)" \
    1 "a reconnect with Last-Event-ID: 0 replays change 1"
ls "$SRV/store" | grep -q '\.db$'
ok $? "the store is where the config put it, outside the document root"
is "$(curl -s -o /dev/null -w '%{http_code}' "$base/.htaccess")" 403 \
    ".htaccess is not served"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data '{}' "$base/strapi/webhook")" 401 "a delivery without the secret: 401"
is "$(client_cors "$base/strapi-live/strapi-live.js")" "*" \
    "the uploaded browser client may be imported from another origin"
[ "$_tap_fail" = 0 ] || deploy_logs
done_testing
