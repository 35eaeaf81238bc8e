# push_lib.sh: lighttpd with the FastCGI programs for the push tests; the
# checks themselves are Python (tNNNN-name.py beside the test, run with
# run_py; tests/push_client.py), which start and stop the sidecar. Source
# after lib.sh.

: "${PUSH_BIN:=$top_builddir/src/strapi-live-push}"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
export PUSH_BIN EVENTS_FCGI FIXTURES T

# push_web_start [PREFIX PROGRAM PROCS]...: lighttpd on a free port,
# streaming responses, with these FastCGI programs (by default the webhook
# at /strapi/webhook, 2 workers, and events.fcgi at /cgi-bin/events.fcgi,
# 4) and the config lines in $PUSH_WEB_EXTRA; bails out if it does not
# start. Sets and exports LIGHTTPD_PORT and WEBHOOK_URL (/strapi/webhook).
push_web_start() {
	[ $# -gt 0 ] || set -- /strapi/webhook "$WEBHOOK_FCGI" 2 \
	    /cgi-bin/events.fcgi "$EVENTS_FCGI" 4
	{
		echo 'server.stream-response-body = 2'
		while [ $# -ge 3 ]; do
			fcgi_entry "$1" "$2" "$3"
			shift 3
		done
		if [ -n "${PUSH_WEB_EXTRA:-}" ]; then
			printf '%s\n' "$PUSH_WEB_EXTRA"
		fi
	} >"$T/lighttpd.extra"
	lighttpd_start <"$T/lighttpd.extra" ||
		{ echo "Bail out! lighttpd did not start"; exit 1; }
	WEBHOOK_URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"
	export WEBHOOK_URL LIGHTTPD_PORT
}

# push_requires: push_need, then push_web_start with the default programs.
push_requires() {
	push_need
	push_web_start
}


# rich_live_start: the recorded blog template model (rich_env) behind
# lighttpd, webhook.fcgi at /strapi/webhook and query.fcgi at /api/
# (LIGHTTPD_PORT exported), for a sidecar the Python part starts.
rich_live_start() {
	push_need
	rich_env
	rest_live_web
}

# rest_live_web: lighttpd with webhook.fcgi at /strapi/webhook and
# query.fcgi at /api/ (LIGHTTPD_PORT exported), streaming responses.
rest_live_web() {
	{
		echo 'server.stream-response-body = 2'
		fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2
		fcgi_entry /api/ "$QUERY_FCGI" 2
	} >"$T/lighttpd.extra"
	lighttpd_start <"$T/lighttpd.extra" ||
		{ echo "Bail out! lighttpd did not start"; exit 1; }
	export LIGHTTPD_PORT
}

# ql_live_start: t1280's schema of every scalar type and a relation
# (item, person; written to $T/src by t1280-query-language.py) behind
# lighttpd, webhook.fcgi at /strapi/webhook and query.fcgi at /api/
# (LIGHTTPD_PORT exported), for a sidecar the Python part starts.
ql_live_start() {
	push_need
	STRAPI_LIVE_SCHEMA_DIR=$T/src
	STRAPI_LIVE_COLLECTIONS=item,person
	STRAPI_LIVE_LOCALES=en
	STRAPI_LIVE_DURABLE=no
	STRAPI_LIVE_STORE_DIR=$T/store
	export STRAPI_LIVE_SCHEMA_DIR STRAPI_LIVE_COLLECTIONS \
	    STRAPI_LIVE_LOCALES STRAPI_LIVE_DURABLE STRAPI_LIVE_STORE_DIR
	run_py "$top_srcdir/tests/server/t1280-query-language.py" schema \
	    "$T/src" || { echo "Bail out! could not write the schema"; exit 1; }
	rest_live_web
	export top_srcdir
}
