#!/bin/sh
# t1398-populate-dz-count.sh: count on a dynamic zone, as Strapi 5.54.0
# answers it (docs/api.md, "count on a dynamic zone"): populate[blocks]
# [count] with any value is taken and dropped, so the zone is populated as
# populate[blocks]=true populates it, and with on as on alone;
# populate[blocks]=count is Strapi's 400 "Invalid nested populate",
# populate[blocks]=0 leaves the zone out; over REST and a live query.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_live_start
run_py "$top_srcdir/tests/server/t1398-populate-dz-count.py"
