#!/bin/sh
# t1750-sidecar-kill.sh: Strapi-like bursts of deliveries (5 in flight,
# about 85/s, DELIVERIES in all) through lighttpd while the push sidecar,
# with live SSE subscribers, is SIGKILLed and restarted KILLS times. Strapi
# never retries, so every delivery must be answered 200 and stored; the
# webhook workers clean up after the dead sidecar and carry on (no worker
# exits, lighttpd drops no queued request); each subscriber reconnects
# with Last-Event-ID and sees every change once, with no gap.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
: "${DELIVERIES:=600}" "${KILLS:=4}"
export DELIVERIES KILLS STRAPI_LIVE
run_py "$top_srcdir/tests/server/t1750-sidecar-kill.py"
