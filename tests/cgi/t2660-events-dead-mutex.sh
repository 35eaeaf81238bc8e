#!/bin/sh
# t2660-events-dead-mutex.sh: an events.fcgi stream (plain CGI) whose next
# read waits on a mutex that a process killed inside the store left locked
# (tests/fault/die_in_store ... txn: the transaction region's, which every
# read's snapshot transaction takes). Without a read watchdog the stream
# waits in pthread_mutex_lock for ever (no clock of its own runs while it
# is blocked); now the read is abandoned within a few seconds, the stream
# ends (the client resumes with Last-Event-ID), and the next stream, whose
# open recovers the store, reads every change; verify is clean after.
. "${top_srcdir:-.}/tests/lib.sh"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
DIE="$top_builddir/tests/fault/die_in_store"
[ -x "$DIE" ] || skip_all "tests/fault/die_in_store not built"
export EVENTS_FCGI DIE STRAPI_LIVE
i=1
while [ $i -le 3 ]; do
	python3 "$top_srcdir/tests/gen_delivery.py" entry.publish "d$i" 1 ops \
	    >"$T/body"
	cgi_run "$WEBHOOK_FCGI" POST "$T/body" CONTENT_TYPE=application/json \
	    HTTP_AUTHORIZATION="Bearer $SECRET" >/dev/null 2>&1
	i=$((i + 1))
done
run_py "$top_srcdir/tests/cgi/t2660-events-dead-mutex.py"
