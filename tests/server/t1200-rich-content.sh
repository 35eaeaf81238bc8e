#!/bin/sh
# t1200-rich-content.sh: the content model end to end. lighttpd with
# webhook.fcgi, query.fcgi and events.fcgi, the sidecar and a store, set up
# as a user would for a Strapi project (STRAPI_LIVE_SCHEMA_DIR = the
# project's src/, the recorded blog template model of FIXTURES_RICH, five
# collections); every recorded Strapi 5 delivery is POSTed through the web
# server, then every recorded REST answer compared with Strapi's
# (tests/rich_content.py says what exactly). Once per delivery order, each
# with a fresh store: as recorded, shuffled (seeded), and every delivery
# sent twice; all must end in Strapi's answers.
# RICH_VARIANTS (default "recorded shuffled twice"; "none" posts nothing)
# and RICH_SEED choose the runs.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_need
rich_env

# The web server with the three programs on the store $STRAPI_LIVE_STORE_DIR
# (the schema directory and the locales reach them through lighttpd's
# environment, as the user's do).
rich_web_start() {
	{
		echo 'server.stream-response-body = 2'
		fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2
		fcgi_entry /api/ "$QUERY_FCGI" 2
		fcgi_entry /cgi-bin/events.fcgi "$EVENTS_FCGI" 1
	} >"$T/lighttpd.extra"
	lighttpd_start <"$T/lighttpd.extra" ||
		{ echo "Bail out! lighttpd did not start"; exit 1; }
	export LIGHTTPD_PORT
}

for RICH_ORDER in ${RICH_VARIANTS:-recorded shuffled twice}; do
	STRAPI_LIVE_STORE_DIR=$T/store-$RICH_ORDER
	export STRAPI_LIVE_STORE_DIR RICH_ORDER
	rich_web_start
	TAP_OFFSET=$_tap_n run_py "$top_srcdir/tests/rich_content.py" \
	    >"$T/tap.$RICH_ORDER" 2>"$T/py.$RICH_ORDER.err"
	tap_include "$T/tap.$RICH_ORDER"
	[ -s "$T/py.$RICH_ORDER.err" ] && sed 's/^/# /' "$T/py.$RICH_ORDER.err"
	grep -q '^1\.\.' "$T/tap.$RICH_ORDER"
	ok $? "[$RICH_ORDER] the checks ran to their end"
	kill "$LIGHTTPD_PID"
	wait "$LIGHTTPD_PID" 2>/dev/null
done
done_testing
