#!/bin/sh
# bench/sync.sh: sync N entries (default 10000) from the fake Strapi, next to
# the time the fake alone needs to serve the same pages to curl (one
# keep-alive connection, same URLs), measured in the same run.
#
#   bench/sync.sh [N] [RUNS]      (from a built tree; uses tests/lib.sh)
#
# Prints entries/s for the initial sync (empty store), for a re-sync with
# nothing changed, and for curl alone, and the ratios sync/curl: how much
# sync adds to the upstream's own cost.
N=${1:-10000}
RUNS=${2:-3}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/lib.sh"

[ -x "$STRAPI_LIVE" ] || { echo "build first (make)"; exit 1; }
fake_strapi_start --generate "$N"
pages=$(( (N + 99) / 100 ))

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

urls=""
for p in $(seq 1 $pages); do
	urls="$urls $FAKE_URL/api/articles?pagination%5Bpage%5D=$p&pagination%5BpageSize%5D=100&sort=documentId%3Aasc"
done

: >"$T/curl.ns"; : >"$T/sync.ns"; : >"$T/resync.ns"
for r in $(seq 1 "$RUNS"); do
	t0=$(now)
	# shellcheck disable=SC2086
	curl -sf -H "Authorization: Bearer $STRAPI_API_TOKEN" $urls >"$T/pages.out" || exit 1
	t1=$(now)
	echo $((t1 - t0)) >>"$T/curl.ns"
	export STRAPI_LIVE_STORE_DIR="$T/store.$r"
	t0=$(now)
	"$STRAPI_LIVE" sync --quiet || exit 1
	t1=$(now)
	echo $((t1 - t0)) >>"$T/sync.ns"
	t0=$(now)
	"$STRAPI_LIVE" sync --quiet || exit 1
	t1=$(now)
	echo $((t1 - t0)) >>"$T/resync.ns"
	rm -rf "$STRAPI_LIVE_STORE_DIR"
done
n=$("$STRAPI_LIVE" --help >/dev/null; echo "$N")
c=$(median <"$T/curl.ns"); s=$(median <"$T/sync.ns"); u=$(median <"$T/resync.ns")
awk -v n="$n" -v c="$c" -v s="$s" -v u="$u" -v p="$pages" -v r="$RUNS" 'BEGIN {
	printf "sync bench: %d entries, %d pages of 100, median of %d runs\n", n, p, r
	printf "  curl alone (ceiling): %7.3f s  %8.0f entries/s\n", c/1e9, n/(c/1e9)
	printf "  sync, empty store:    %7.3f s  %8.0f entries/s  (%.2fx the ceiling time)\n", s/1e9, n/(s/1e9), s/c
	printf "  re-sync, unchanged:   %7.3f s  %8.0f entries/s  (%.2fx the ceiling time)\n", u/1e9, n/(u/1e9), u/c
}'
