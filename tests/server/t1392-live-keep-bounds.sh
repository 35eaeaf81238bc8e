#!/bin/sh
# t1392-live-keep-bounds.sh: the bounds of the matches filtered live
# queries keep (push_keep_matches, push_keep_matches_all; here 10 and 25):
# a query matching more than its bound keeps none, and any change to its
# collection runs it (its matches are one dep, the whole collection); a
# query whose matches would pass the bound of all keeps none and its runs
# scan (not incremental), while the queries within both apply a change to
# their matches (incremental runs; strapi_live_push_matches_kept counts
# them). A query that grows past its bound drops what it kept; one that
# was refused keeps its matches once there is room. Every result stays
# REST's answer.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
ql_live_start
run_py "$top_srcdir/tests/server/t1392-live-keep-bounds.py"
