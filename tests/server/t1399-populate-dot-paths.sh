#!/bin/sh
# t1399-populate-dot-paths.sh: populate's dot paths and a zone's options, as
# Strapi 5.54.0 takes them (docs/api.md, "Dot paths in populate"):
# populate=author.avatar answers as populate[author][populate][avatar]=true,
# populate=blocks.file populates each component's file, a bad segment is
# 400 "Invalid key <segment> at <path>"; a zone's populate is * or nothing
# (else 400 Invalid key populate at blocks), its other keys are dropped when
# it has on; a media's count is dropped; over REST and a live query.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_live_start
run_py "$top_srcdir/tests/server/t1399-populate-dot-paths.py"
