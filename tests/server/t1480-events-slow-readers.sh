#!/bin/sh
# t1480-events-slow-readers.sh: events.fcgi under FastCGI (lighttpd, four
# workers, streamed): four clients that stop reading no longer hold every
# worker; each is released by the write deadline and a fifth is served
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
cat >"$T/strapi-live.conf" <<EOC
events_duration = 120
events_stream_bytes = 1073741824
events_write_timeout = 2
EOC
STRAPI_LIVE_CONFIG="$T/strapi-live.conf" STRAPI_LIVE_DURABLE=no
export STRAPI_LIVE_CONFIG STRAPI_LIVE_DURABLE
push_requires
run_py "$top_srcdir/tests/server/t1480-events-slow-readers.py"
