#!/bin/sh
# t1230-live-inverse.sh: live queries embedding an inverse relation
# (category.articles, author.articles: mappedBy on the article's side),
# over SSE and WebSocket, on the recorded blog template model (as t1260).
# An article changing its category or author, being published or
# unpublished, sends no category or author delivery (finding F5), yet
# the queries embedding that side get a new result, equal to REST's
# answer; a query not embedding it gets nothing.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_live_start
run_py "$top_srcdir/tests/server/t1230-live-inverse.py"
