#!/bin/sh
# t1704-dead-plain-open.sh: a process killed while it recovers the store
# leaves a database open in the buffer pool without DB_MULTIVERSION (as
# recovery opens it); every open after it failed with "DB_MULTIVERSION
# cannot be specified on a database file which is already open" until
# someone ran recovery by hand (seen under plain CGI with kills: a minute
# of 500s). The next open now runs full recovery and the request is
# answered, with the stored entry.
. "${top_srcdir:-.}/tests/lib.sh"
HOLD="$top_builddir/tests/fault/hold_read_locks"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_read_locks is not built"

is "$(deliver_cgi "$FIXTURES/04-entry.publish.json")" 200 "an article is published"
fault_hold "$HOLD" -p "$STRAPI_LIVE_STORE_DIR" entries.db
is "$(cat "$T/hold")" holding "a process holds entries.db open as recovery does"
kill -9 $HOLD_PID
wait $HOLD_PID 2>/dev/null
cgi_get "/api/articles"
is "$STATUS" 200 "the next query is answered"
is "$(json "$T/body" 'len(d["data"])')" 1 "with the stored article"
is "$(grep -c 'held open by a process that died; running full recovery' "$T/stderr")" 1 \
    "the recovery is logged once"
cgi_get "/api/articles"
is "$STATUS" 200 "and the one after it needs none"
is "$(grep -c 'running full recovery' "$T/stderr")" 1 "(no second recovery)"
done_testing
