#!/bin/sh
# query-bench.sh: query.fcgi through lighttpd with wrk, on 1,000 and
# 100,000 stored entries, against a ceiling measured in the same run: a
# bare libfcgi program (bench/fcgi_const) answering a body of the same size
# through the same lighttpd, same number of processes.
#
# usage: bench/query-bench.sh            (from a built tree)
# env:   BENCH_SIZES="1000 100000"  BENCH_DURATION=5  BENCH_CONNS=32
#        BENCH_CACHE="64 0" (query_cache settings to compare; 0 = off)
#        BENCH_PROCS=2  BENCH_LOG_LEVEL=warn (info logs a line per request)
set -eu
sizes=${BENCH_SIZES:-1000 100000}
. "$(dirname "$0")/bench_env.sh"

LIST='/api/articles?pagination[pageSize]=25&sort=publishedAt:desc'
SLUG='/api/articles?filters[slug][$eq]=seed-article-0500'
CAT='/api/articles?filters[category][$eq]=tech&pagination[pageSize]=25&sort=publishedAt:desc'

. "$top_srcdir/bench/bench_lib.sh"

results="$T/results"
: >"$results"
for n in $sizes; do
	rm -rf "$STRAPI_LIVE_STORE_DIR"
	t0=$(date +%s)
	bench_articles "$n" >"$T/entries.jsonl"
	"$STRAPI_LIVE" import "$T/entries.jsonl" >/dev/null
	echo "# $n entries stored in $(( $(date +%s) - t0 )) s" >&2
	ls=$(body_size "$LIST")
	ss=$(body_size "$SLUG")
	cs=$(body_size "$CAT")
	for cache in $caches; do
	{
		fcgi_entry /api/ "$QUERY_FCGI" "$procs" |
		    sed "s/\"bin-environment\" => ( /&\"STRAPI_LIVE_QUERY_CACHE\" => \"$cache\", /"
		for k in list:$ls slug:$ss cat:$cs; do
			name=${k%%:*}
			size=${k#*:}
			fcgi_entry "/c-$name/" "$CONST_FCGI" "$procs" |
			    sed "s/fcgi_const.sock/const_$name.sock/; s/\"bin-environment\" => ( /&\"FCGI_CONST_SIZE\" => \"$size\", /"
		done
	} >"$T/fcgi.conf"
	lighttpd_start <"$T/fcgi.conf"
	for k in "list:$LIST:$ls" "slug:$SLUG:$ss" "cat:$CAT:$cs"; do
		name=${k%%:*}
		rest=${k#*:}
		url=${rest%:*}
		size=${rest##*:}
		echo "$n $name $size $(measure "$url" "/c-$name/") $cache" \
		    >>"$results"
	done
	kill "$LIGHTTPD_PID"
	wait "$LIGHTTPD_PID" 2>/dev/null || true
	done
done

echo "query.fcgi vs a bare libfcgi program with the same body size, through"
echo "lighttpd $(lighttpd -v 2>&1 | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p'), wrk -t2 -c$conns -d${dur}s, $procs FastCGI processes each, $(nproc) cores"
echo
awk -v small="$(echo "$sizes" | awk '{print $1}')" '
{ n[NR]=$1; e[NR]=$2; s[NR]=$3; o[NR]=$4; c[NR]=$5; k[NR]=$6
  if ($1 == small) base[$2 "/" $6] = $4 }
END {
  printf "%-9s %6s %8s %8s %10s %10s %7s %9s\n", "endpoint", "cache", "entries",
      "bytes", "query/s", "ceiling/s", "ratio", "vs-small"
  for (i = 1; i <= NR; i++)
    printf "%-9s %6s %8d %8d %10d %10d %7.2f %9.2f\n", e[i], k[i], n[i], s[i],
        o[i], c[i], (c[i] > 0 ? o[i] / c[i] : 0),
        (base[e[i] "/" k[i]] > 0 ? o[i] / base[e[i] "/" k[i]] : 0)
}' "$results"
echo
echo "targets: list >= 0.80 x ceiling, slug >= 0.90 x, 100k within 10% of 1k"
echo "Strapi 5 itself, same machine, 1,000 articles: list 94/s, slug 175/s, category 98/s"
