#!/bin/sh
# t2710-static-changes-shared-hosting.sh: the change pages (docs/static.md)
# under Apache as plain CGI with conf/shared-hosting.htaccess: after the
# recorded rich deliveries through webhook.cgi, each page served is its
# file and holds, byte for byte, the records events.cgi's JSON page
# (/events?format=json) sends for its seqs; only the newest
# static_change_pages are kept, a removed one answers 404, and the head
# answers 304 to its ETag.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
. "$top_srcdir/tests/static_lib.sh"

shared_hosting_deploy
static_shared_hosting "static_change_page_size = 5" "static_change_pages = 3"
is "$(static_deliver_all "$base")" 0 "the 83 recorded deliveries, through webhook.cgi"
static_changes "$base" "$S" Apache "$base/events" 5 3
static_versions "$T/v" "Paged"
static_deliver "$base" "$T/v1" >/dev/null
static_deliver "$base" "$T/v2" >/dev/null
static_changes "$base" "$S" "Apache, after two writes" "$base/events" 5 3
"$I_BIN/strapi-live" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: the pages are the store's"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/verify"; }
done_testing
