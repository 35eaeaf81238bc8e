#!/bin/sh
# t1390-populate-filters.sh: filters inside populate, as Strapi 5 applies
# them (its database layer's populate: the related rows are queried with
# the filter as where): a to-one relation whose entry does not match is
# null (populate[owner][filters][name][$eq]=x), a to-many relation lists
# the matching entries only (populate[items][filters][kind][$eq]=beta),
# both checked against the unfiltered answer; an unknown attribute is
# REST's 400. Live queries with the same populate answer what REST does
# and follow a change to a related entry, on t1280's schema.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
ql_live_start
run_py "$top_srcdir/tests/server/t1390-populate-filters.py"
