#!/bin/sh
# t1395-populate-filters-rich.sh: filters and sort inside populate on
# media, components and dynamic zones, as Strapi 5's database layer
# applies them (docs/api.md, "Filters and sort inside populate"), on the
# recorded blog content: a single media or component that does not match
# is null, a multiple media lists the matching files in the populate's
# sort, a dynamic zone's on[<component>] filters its items of that
# component and keeps the others; a dynamic zone's own fields, filters
# and sort, whatever they name, are Strapi's 400 "Invalid nested
# populate" without on, over REST and live; an unknown attribute (or one
# a component does not have) is
# REST's 400 in Strapi's envelope; a live query with the same populate
# answers what REST does.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_live_start
run_py "$top_srcdir/tests/server/t1395-populate-filters-rich.py"
