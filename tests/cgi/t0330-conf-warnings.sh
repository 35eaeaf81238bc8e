#!/bin/sh
# t0330-conf-warnings.sh: what the configuration warns about at start-up: a
# config file with secrets readable by its group or others, a config file
# others can change, and STRAPI_LIVE_* variables no setting reads (typos);
# a '# comment' after a value is not part of it.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

SL="$STRAPI_LIVE"
export STRAPI_LIVE_CONFIG="$T/strapi-live.conf"
cat >"$STRAPI_LIVE_CONFIG" <<CONF
sync_secret = s3cret-value   # the admin secret of sync.fcgi
push_listen = 127.0.0.1:8099 # the sidecar
CONF
dump() { "$SL" --dump-config 2>"$T/err"; }

chmod 600 "$STRAPI_LIVE_CONFIG"
dump >"$T/out"
is "$(cat "$T/err")" "" "mode 0600: no warning"
grep -qx 'push_listen = 127.0.0.1:8099' "$T/out"
ok $? "a comment after a value is not part of it"

chmod 640 "$STRAPI_LIVE_CONFIG"
dump >/dev/null
grep -q "holds secrets and is readable by other users (mode 0640): chmod 600 $STRAPI_LIVE_CONFIG" "$T/err"
ok $? "secrets readable by the group (0640): warned, with the fix"

chmod 620 "$STRAPI_LIVE_CONFIG"
dump >/dev/null
grep -q "is writable by other users (mode 0620): chmod 600" "$T/err"
ok $? "a group-writable file (0620): warned"
printf 'push_listen = 127.0.0.1:8099\n' >"$T/plain.conf"
chmod 664 "$T/plain.conf"
STRAPI_LIVE_CONFIG=$T/plain.conf dump >/dev/null
grep -q "plain.conf is writable by other users (mode 0664)" "$T/err"
ok $? "even without secrets, a writable file is warned about"
grep -q "readable" "$T/err"
ok $((1 - $?)) "but readable without secrets is fine"
chmod 600 "$STRAPI_LIVE_CONFIG"

STRAPI_LIVE_WEBHOK_SECRET=typo-value-zz9 dump >/dev/null
grep -q "environment: STRAPI_LIVE_WEBHOK_SECRET is not a setting and is ignored" "$T/err"
ok $? "a misspelt variable is warned about, by name"
grep -q "zz9" "$T/err"
ok $((1 - $?)) "its value (maybe a secret) is not printed"
STRAPI_LIVE_COLLECTIONS=article,page STRAPI_LIVE_COLLECTION_PAGE_PLURAL=pages \
    STRAPI_LIVE_LOG_LEVEL=warn dump >/dev/null
is "$(cat "$T/err")" "" "known variables (collections' too) are not"

# The programs warn too (webhook.fcgi's line goes to the server's log).
fixture_body "$FIXTURES/04-entry.publish.json" "$T/body"
cgi_run "$WEBHOOK_FCGI" POST "$T/body" CONTENT_TYPE=application/json \
    HTTP_AUTHORIZATION="Bearer $SECRET" STRAPI_LIVE_WEBHOOK_SECERT=y \
    >/dev/null 2>"$T/hook.err"
grep -q "webhook.fcgi.*STRAPI_LIVE_WEBHOOK_SECERT is not a setting" "$T/hook.err"
ok $? "webhook.fcgi logs the unknown variable"
done_testing
