#!/bin/sh
# t0331-cache-size.sh: cache_size sizes the Berkeley DB cache of a new
# store; an existing store keeps its size (and says so) until `strapi-live
# recover` creates its regions again, its entries kept; a wrong value is a
# configuration error naming where it was set and the key.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ -x "$STRAPI_LIVE" ] && [ -x "$QUERY_FCGI" ] || skip_all "not built"
SL="$STRAPI_LIVE"
M=1048576

# cache: the environment's cache in bytes, as stats reports it
cache() { "$SL" stats 2>>"$T/err" | json - 'd["cacheBytes"]'; }
# near BYTES WANT: Berkeley DB's figure for a cache of WANT (it adds a
# quarter and a page under 500 MB)
near() { [ "$1" -ge "$2" ] && [ "$1" -le $(($2 + $2 / 4 + 65536)) ]; }

# A new store, created by query.fcgi (prog.c), takes the size asked for.
export STRAPI_LIVE_CACHE_SIZE=8M
cgi_get '/api/articles'
is "$STATUS" 200 "query.fcgi creates the store"
c=$(cache)
check "a new store has an 8M cache ($c bytes)" near "$c" $((8 * M))
check "no warning when the sizes agree" test ! -s "$T/err"

cat >"$T/e.json" <<'J'
[{"id":1,"documentId":"a1","title":"Kept","slug":"kept","publishedAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","createdAt":"2025-01-01T00:00:00.000Z"}]
J
"$SL" import --collection article "$T/e.json" >/dev/null 2>>"$T/err"
is "$?" 0 "an entry imported"

# Another size: the store keeps its own, and says how to change it.
export STRAPI_LIVE_CACHE_SIZE=24M
: >"$T/err"
c=$(cache)
check "joined, the store keeps its 8M cache ($c bytes)" near "$c" $((8 * M))
check "and the programs say how to take the new size" \
    grep -q "cache_size asks for $((24 * M)): .*strapi-live recover" "$T/err"

"$SL" recover >"$T/out" 2>"$T/err"
is "$?" 0 "recover: exit 0"
c=$(sed -n 's/^recover: ok, cache \([0-9]*\) bytes$/\1/p' "$T/out")
check "recover says the new size ($c bytes)" near "${c:-0}" $((24 * M))
: >"$T/err"
c=$(cache)
check "after recover the store has a 24M cache ($c bytes)" near "$c" $((24 * M))
check "and nothing is warned" test ! -s "$T/err"
n=$("$SL" dump --collection article | grep -c '"documentId":"a1"')
is "$n" 1 "the entry is still there"

# Wrong values: exit 2, naming the file and line, or the variable.
export STRAPI_LIVE_CONFIG="$T/c.conf"
printf '# the cache\n\ncache_size = 64Q\n' >"$STRAPI_LIVE_CONFIG"
unset STRAPI_LIVE_CACHE_SIZE
"$SL" stats >/dev/null 2>"$T/err"
is "$?" 2 "cache_size = 64Q: exit 2"
check "the error names the file, the line and the key" \
    grep -q "$T/c.conf:3: cache_size: '64Q' is not a size" "$T/err"
printf 'cache_size = 1023k\n' >"$STRAPI_LIVE_CONFIG"
"$SL" stats >/dev/null 2>"$T/err"
is "$?" 2 "cache_size = 1023k: exit 2"
check "too small, with the bounds" \
    grep -q "c.conf:1: cache_size: '1023k' is too small (bytes, or with k, M or G: 1048576\.\.17179869184)" "$T/err"
printf 'cache_size = 25165824\n' >"$STRAPI_LIVE_CONFIG"
c=$(cache)
check "plain bytes are a size too" near "$c" $((24 * M))
STRAPI_LIVE_CACHE_SIZE=17G "$SL" stats >/dev/null 2>"$T/err"
is "$?" 2 "STRAPI_LIVE_CACHE_SIZE=17G: exit 2"
check "the error names the variable and the key" \
    grep -q "STRAPI_LIVE_CACHE_SIZE: cache_size: '17G' is too large" "$T/err"

done_testing
