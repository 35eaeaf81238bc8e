#!/bin/sh
# t1470-push-amplification.sh: live-query amplification as an attack: page
# sizes 1..100 from two clients, and distinct categories by the hundred;
# caps hold and the work per change is bounded (counted, not timed)
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
run_py "$top_srcdir/tests/server/t1470-push-amplification.py"
