#!/bin/sh
# t1950-status-token.sh: the sidecar's /live/healthz tells the public only
# {"up":..}; its counters and /live/metrics are for whoever presents
# status_token as a bearer token (never in the URL), compared in constant
# time; without status_token set, /live/metrics is not served at all.
# (That a replicated site's public healthz has no replication object or
# address is in t1940.)
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
run_py "$top_srcdir/tests/server/t1950-status-token.py"
