#!/bin/sh
# t2700-static-shared-hosting.sh: conf/shared-hosting.htaccess with static
# answers (docs/static.md) under Apache as plain CGI: the recorded rich
# deliveries through webhook.cgi render the files, each served by Apache,
# through the .htaccess rules, as the bytes query.cgi answers for its URL,
# with its Content-Type and CORS headers, and its .gz to a client that
# takes gzip; the rest falls back to query.cgi; a webhook.cgi killed between its commit and its render leaves
# stale files that static-verify reports and the next delivery repairs.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
. "$top_srcdir/tests/static_lib.sh"

shared_hosting_deploy
static_shared_hosting
# query.cgi's own answer, run as the web server runs it (cgi_get).
cat >"$T/q.sh" <<SH
#!/bin/sh
exec $(command -v setpriv >/dev/null && [ "$RUNUSER" != "$(id -un)" ] &&
    echo "setpriv --reuid=$RUNUSER --regid=$RUNGROUP --init-groups") "$I_CGI/query.fcgi"
SH
chmod 755 "$T/q.sh"
QUERY_FCGI=$T/q.sh

# deliver FIXTURE: through Apache's webhook.cgi; prints the status.
deliver() {
	static_deliver "$base" "$1"
}

is "$(static_deliver_all "$base")" 0 "the 83 recorded deliveries, through webhook.cgi"
static_all_through "$base" "$S" Apache

static_served "$base" "$S" Apache
static_gzip "$base" "$S" Apache
static_head_poll "$base" "$S" Apache

# webhook.cgi killed between its commit and its render.
static_versions "$T/v" "Through Apache"
cp "$SRV/htdocs/.htaccess" "$T/htaccess"
echo "SetEnv SL_FAULT_DIE_BEFORE_RENDER 1" >>"$SRV/htdocs/.htaccess"
st=$(deliver "$T/v1")
ok $([ "$st" != 200 ]; echo $?) "webhook.cgi dies after its commit ($st)"
cp "$T/htaccess" "$SRV/htdocs/.htaccess"
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" \
    "$(json "$S/articles/slug/$slug/index.json" 'd["data"]["title"]')" \
    "the file is served, old"
cgi_get "/api/articles/slug/$slug"
is "$(json "$T/body" 'd["data"]["title"]')" "Through Apache 1" \
    "while the store has the write"
"$I_BIN/strapi-live" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 1 "static-verify finds the stale files first"
is "$(deliver "$T/v2")" 200 "the next delivery"
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" "Through Apache 2" \
    "its write is served at once"
static_all_through "$base" "$S" Apache again
static_head_changed "$base" "$S" Apache
"$I_BIN/strapi-live" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/verify"; }
done_testing
