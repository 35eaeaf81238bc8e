# bench_env.sh: the start query-bench.sh and index-bench.sh share (sourced
# first, under set -eu): the tree's paths, the programs, the common BENCH_*
# knobs (dur, conns, procs, caches), the tools checked, then tests/lib.sh
# (a private $T, cleaned up at exit).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
QUERY_FCGI=${QUERY_FCGI:-$top_builddir/cgi-bin/query.fcgi}
CONST_FCGI=${CONST_FCGI:-$top_builddir/bench/fcgi_const}
dur=${BENCH_DURATION:-4}
conns=${BENCH_CONNS:-32}
procs=${BENCH_PROCS:-2}
caches=${BENCH_CACHE:-64 0}
export STRAPI_LIVE_LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}
export STRAPI_LIVE_DURABLE=no

command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 1; }
command -v lighttpd >/dev/null || { echo "lighttpd not installed" >&2; exit 1; }
[ -x "$QUERY_FCGI" ] && [ -x "$CONST_FCGI" ] ||
    { echo "build first: make (query.fcgi, bench/fcgi_const)" >&2; exit 1; }

. "$top_srcdir/tests/lib.sh"
set +u
