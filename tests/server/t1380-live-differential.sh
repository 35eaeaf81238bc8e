#!/bin/sh
# t1380-live-differential.sh: a few hundred seeded random live queries
# (t1280's generator: every operator, $and/$or/$not, the relation owner,
# sorts, pages) subscribed over WebSocket and SSE on t1280's schema, then
# a seeded sequence of changes (items edited, added and unpublished,
# people renamed) posted through the webhook: each subscription's last
# result equals REST's answer to the same query (data and
# meta.pagination), and the sidecar ran fewer queries than every query
# for every change. LQ_SEED (default 1380) and LQ_QUERIES (default 300).
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
ql_live_start
run_py "$top_srcdir/tests/server/t1380-live-differential.py"
