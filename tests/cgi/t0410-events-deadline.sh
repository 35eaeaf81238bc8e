#!/bin/sh
# t0410-events-deadline.sh: events.fcgi as plain CGI under attack: a
# stream nobody reads is released by the write deadline; streams are
# short by default under CGI; a stream ends after events_stream_bytes
. "${top_srcdir:-.}/tests/lib.sh"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
export EVENTS_FCGI
# Fifteen changes of about 20 KB each: 300 KB of stream from since 0.
i=1
while [ $i -le 15 ]; do
	PYTHONPATH="$top_srcdir/tests" python3 -c \
	    'import sys; from push_client import big_article; sys.stdout.write(big_article("big%s" % sys.argv[1], int(sys.argv[1])))' \
	    $i >"$T/body"
	cgi_run "$WEBHOOK_FCGI" POST "$T/body" CONTENT_TYPE=application/json \
	    HTTP_AUTHORIZATION="Bearer $SECRET" >/dev/null 2>&1
	i=$((i + 1))
done
run_py "$top_srcdir/tests/cgi/t0410-events-deadline.py"
