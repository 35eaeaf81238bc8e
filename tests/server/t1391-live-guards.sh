#!/bin/sh
# t1391-live-guards.sh: filtered live queries without an index key that
# require the same condition of a row (here slug $startsWith item-1, each
# with its own title $containsi) share it: a change's row is tested
# against the shared condition once (strapi_live_push_filter_evals_total
# grows by one), and against each query's filter only when it holds; the
# results stay REST's, and the shared condition goes with its last query.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
ql_live_start
run_py "$top_srcdir/tests/server/t1391-live-guards.py"
