#!/bin/sh
# t1280-query-language.sh: Strapi 5's filters and sort against a reference.
# lighttpd with webhook.fcgi and query.fcgi on a schema of every scalar
# type and a relation (written here, in $T/src); seeded random content is
# POSTed through the web server as Strapi's webhook, then a few thousand
# seeded random list queries are asked of query.fcgi and of a reference
# that runs the same filter as Strapi 5's SQL on SQLite (Python's sqlite3:
# LOWER, LIKE, NULLs and ORDER BY are SQLite's own). Zero differences are
# expected; tests/server/t1280-query-language.py says what is generated.
# QL_SEED (default 1280, printed) and QL_QUERIES (default 3000) choose them.
# Then the same on a store with attribute indexes and a bound below the
# item count (QL_INDEX_QUERIES, default 1500): what an index answers must
# be the reference's.
. "${top_srcdir:-.}/tests/lib.sh"

command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
[ -x "$QUERY_FCGI" ] && [ -x "$WEBHOOK_FCGI" ] ||
	skip_all "query.fcgi or webhook.fcgi not built"

STRAPI_LIVE_SCHEMA_DIR=$T/src
STRAPI_LIVE_COLLECTIONS=item,person
STRAPI_LIVE_LOCALES=en
STRAPI_LIVE_DURABLE=no
STRAPI_LIVE_STORE_DIR=$T/store
export STRAPI_LIVE_SCHEMA_DIR STRAPI_LIVE_COLLECTIONS STRAPI_LIVE_LOCALES \
    STRAPI_LIVE_DURABLE STRAPI_LIVE_STORE_DIR
run_py "$top_srcdir/tests/server/t1280-query-language.py" schema "$T/src" ||
	{ echo "Bail out! could not write the schema"; exit 1; }
{
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 1
	fcgi_entry /api/ "$QUERY_FCGI" 2
} >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" ||
	{ echo "Bail out! lighttpd did not start"; exit 1; }
export LIGHTTPD_PORT

TAP_OFFSET=$_tap_n run_py "$top_srcdir/tests/server/t1280-query-language.py" \
    run >"$T/tap" 2>"$T/py.err"
tap_include "$T/tap"
[ -s "$T/py.err" ] && sed 's/^/# /' "$T/py.err"
grep -q '^1\.\.' "$T/tap"
ok $? "the comparison ran to its end"

# The same comparison on a second store with attribute indexes over every
# scalar of item (collection.item.index) and query_max_scan 100, below the
# 160 items: every list answered comes from an index and must be the
# reference's; the others must be refused by the bound.
kill "$LIGHTTPD_PID" && wait "$LIGHTTPD_PID" 2>/dev/null
STRAPI_LIVE_STORE_DIR=$T/store-idx
STRAPI_LIVE_CONFIG=$T/index.conf
export STRAPI_LIVE_CONFIG
cat >"$STRAPI_LIVE_CONFIG" <<EOF
query_max_scan = 100
collection.item.index = title, slug, n, price, big, ratio, flag, day, at, kind, publishedAt, id
EOF
rm -f "$T"/*.sock
{
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 1
	fcgi_entry /api/ "$QUERY_FCGI" 2
} >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" ||
	{ echo "Bail out! lighttpd did not start again"; exit 1; }
TAP_OFFSET=$_tap_n QL_BOUND=100 QL_QUERIES=${QL_INDEX_QUERIES:-1500} \
    run_py "$top_srcdir/tests/server/t1280-query-language.py" run \
    >"$T/tap2" 2>"$T/py2.err"
tap_include "$T/tap2"
[ -s "$T/py2.err" ] && sed 's/^/# /' "$T/py2.err"
grep -q '^1\.\.' "$T/tap2"
ok $? "the comparison with indexes ran to its end"
done_testing
