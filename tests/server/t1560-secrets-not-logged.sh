#!/bin/sh
# t1560-secrets-not-logged.sh: with debug logging on, every program
# (webhook.fcgi, query.fcgi, events.fcgi, sync.fcgi under lighttpd and as
# CGI, the sidecar, the CLI and its sync against a fake Strapi) gets wrong
# and right secrets: the webhook secret and signing key, the sync secret,
# the push token, the Strapi API token. No secret value, right or wrong,
# appears in any log (stderr, lighttpd's error log) or any response. A
# configuration file holding secrets that others can read is warned about
# (without the secret); a private one is not. Every secret comparison in
# the source goes through hmac_equal (constant time).
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_need
[ -x "$SYNC_FCGI" ] || skip_all "sync not built (--disable-sync)"

r=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
WHSEC="whsec-$r-right"
SIGKEY="sigkey-$r-right"
SYNCSEC="syncsec-$r-right"
PUSHTOK="pushtok-$r-right"
APITOK="apitok-$r-right"
export SECRETS="$WHSEC $SIGKEY $SYNCSEC $PUSHTOK $APITOK whsec-$r-wrong sigkey-$r-wrong syncsec-$r-wrong pushtok-$r-wrong apitok-$r-wrong"
export WHSEC SIGKEY SYNCSEC PUSHTOK APITOK r
export STRAPI_LIVE_WEBHOOK_SECRET="$WHSEC" SECRET="$WHSEC"
export STRAPI_LIVE_CONFIG="$T/strapi-live.conf"
cat >"$STRAPI_LIVE_CONFIG" <<CONF
log_level = debug
webhook_signing_secret = $SIGKEY
sync_secret = $SYNCSEC
push_token = $PUSHTOK
strapi_api_token = $APITOK
CONF
chmod 600 "$STRAPI_LIVE_CONFIG"
FAKE_TOKEN="$APITOK" fake_strapi_start
unset STRAPI_API_TOKEN # from the file only
export STRAPI_LIVE_EVENTS_DURATION=1
push_web_start /strapi/webhook "$WEBHOOK_FCGI" 1 /api/ "$QUERY_FCGI" 1 \
    /cgi-bin/events.fcgi "$EVENTS_FCGI" 1 /cgi-bin/sync.fcgi "$SYNC_FCGI" 1
export STRAPI_LIVE SYNC_FCGI QUERY_FCGI WEBHOOK_FCGI EVENTS_FCGI

# Configuration-file permissions: warned about, without the secret.
export STRAPI_LIVE_STORE_DIR="$T/store"
chmod 644 "$STRAPI_LIVE_CONFIG"
for prog in "$WEBHOOK_FCGI" "$QUERY_FCGI" "$STRAPI_LIVE"; do
	n=$(basename "$prog")
	if [ "$prog" = "$STRAPI_LIVE" ]; then
		"$prog" stats >/dev/null 2>"$T/perm.err"
	else
		cgi_run "$prog" GET "" >/dev/null 2>"$T/perm.err"
	fi
	check "$n warns of a world-readable config with secrets" \
	    grep -q "readable by other users" "$T/perm.err"
	! grep -q -e "$SYNCSEC" -e "$PUSHTOK" -e "$APITOK" -e "$SIGKEY" "$T/perm.err"
	ok $? "$n: the warning names no secret"
done
chmod 600 "$STRAPI_LIVE_CONFIG"
cgi_run "$WEBHOOK_FCGI" GET "" >/dev/null 2>"$T/perm.err"
! grep -q "readable" "$T/perm.err"
ok $? "no warning for a private config"
echo "log_level = debug" >"$T/nosecret.conf"
chmod 644 "$T/nosecret.conf"
STRAPI_LIVE_CONFIG="$T/nosecret.conf" cgi_run "$WEBHOOK_FCGI" GET "" \
    >/dev/null 2>"$T/perm.err"
! grep -q "readable" "$T/perm.err"
ok $? "no warning for a readable config without secrets (the secret from the environment)"

# Review: every comparison of a secret goes through hmac_equal.
# (a comparison with a string literal compares a name, not a secret)
grep -n -i -E '(strcmp|strncmp|strcasecmp|strncasecmp|memcmp|bcmp)\([^;]*(secret|token|signature|bearer|passw)' \
    "$top_srcdir"/src/*/*.c "$top_srcdir"/cgi-bin/*.c |
    grep -v -E 'cmp\([a-z_>.-]+, "[^"]*"' >"$T/cmp" || true
is "$(cat "$T/cmp")" "" "no secret compared with strcmp/memcmp (hmac_equal only)"
n=$(grep -c 'hmac_equal(' "$top_srcdir"/src/api/webhook.c "$top_srcdir"/src/upstream/sync.c "$top_srcdir"/src/api/events.c "$top_srcdir"/src/push/*.c | awk -F: '{s+=$2} END {print s}')
ok $([ "$n" -ge 5 ] && echo 0 || echo 1) "hmac_equal used by the webhook, signature, sync, events and push checks ($n)"
mkdir -p "$T/out"
export TAP_N=$_tap_n TAP_FAIL=$_tap_fail
run_py "$top_srcdir/tests/server/t1560-secrets-not-logged.py"

