# push_lib.sh: lighttpd with webhook.fcgi and events.fcgi for the push
# tests; the checks themselves are Python (tNNNN-name.py beside the test,
# run with run_py; tests/push_client.py), which start and stop the
# sidecar. Source after lib.sh.

: "${PUSH_BIN:=$top_builddir/src/strapi-live-push}"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
export PUSH_BIN EVENTS_FCGI FIXTURES T

# push_web_start: lighttpd on a free port with the webhook at
# /strapi/webhook and events.fcgi at /cgi-bin/events.fcgi (streamed).
push_web_start() {
	{
		echo 'server.stream-response-body = 2'
		fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2
		fcgi_entry /cgi-bin/events.fcgi "$EVENTS_FCGI" 4
	} >"$T/lighttpd.extra"
	lighttpd_start <"$T/lighttpd.extra" || return 1
	WEBHOOK_URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"
	export WEBHOOK_URL LIGHTTPD_PORT
}

# push_requires: skip unless lighttpd and the sidecar are there.
push_requires() {
	command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
	[ -x "$PUSH_BIN" ] || skip_all "sidecar not built (--disable-push)"
	push_web_start || { echo "Bail out! lighttpd did not start"; exit 1; }
}
