#!/bin/sh
# t1290-live-id-order.sh: live queries in the default order and sort=id
# read the id index: past query_max_scan they answer, and follow an id
# change and a delete.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
run_py "$top_srcdir/tests/server/t1290-live-id-order.py"
