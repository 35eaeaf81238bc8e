#!/bin/sh
# t1397-populate-relation-sort.sh: sort inside a relation's populate, as
# Strapi 5 applies it (docs/api.md, "Filters and sort inside populate"),
# on the recorded blog content: a to-many relation (author.articles,
# category.articles) lists its entries in the populate's sort, with its
# filters too, ties in the order they have without it; a to-one relation
# takes it and is unchanged; a count is unchanged; a key the related type
# lacks is REST's 400; a live query with the same populate answers what
# REST does, before and after a related entry's title changes.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_live_start
run_py "$top_srcdir/tests/server/t1397-populate-relation-sort.py"
