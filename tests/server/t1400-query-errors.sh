#!/bin/sh
# t1400-query-errors.sh: every query-string 400 in Strapi 5.54.0's words
# (docs/api.md, "Errors"): the message "Invalid key <key>" with " at
# <path>" where Strapi names a path, and details {key, path, source,
# param} (param: the query's family, populate for all inside a
# populate); the recorded 400s answered byte for byte; a component's
# [count]=true as {"count":N}; over REST under lighttpd.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_env
rest_live_web
run_py "$top_srcdir/tests/server/t1400-query-errors.py"
