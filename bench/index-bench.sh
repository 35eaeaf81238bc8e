#!/bin/sh
# index-bench.sh: lists answered from an attribute index
# (collection.<name>.index), through lighttpd with wrk, against a ceiling
# measured in the same run (bench/fcgi_const answering a body of the same
# size through the same lighttpd, same number of processes); and the time
# of $containsi lists over every entry: on the indexed title (its keys
# read, then the entries they may match) and on the unindexed excerpt
# (every entry read).
#
# usage: bench/index-bench.sh            (from a built tree)
# env:   BENCH_SIZE=100000  BENCH_DURATION=4  BENCH_CONNS=32  BENCH_PROCS=2
#        BENCH_MAX_SCAN=200000 (query_max_scan: the scan must be allowed)
#        BENCH_CACHE="64 0" (query_cache settings; 0: every request reads
#        the store, and the scan is timed with it)
#        BENCH_SCAN_CACHE=16777216 (query_scan_cache; 0: every scan reads
#        every entry)
#        BENCH_STORE=DIR (keep the store of N entries in DIR/N and use it
#        again in the next run instead of importing; unset: the run's own)
set -eu
n=${BENCH_SIZE:-100000}
. "$(dirname "$0")/bench_env.sh"

# The settings reach the FastCGI programs through the file lighttpd
# passes on (STRAPI_LIVE_CONFIG).
export STRAPI_LIVE_CONFIG="$T/bench.conf"
cat >"$STRAPI_LIVE_CONFIG" <<EOF
query_max_scan = ${BENCH_MAX_SCAN:-200000}
query_scan_cache = ${BENCH_SCAN_CACHE:-16777216}
collection.article.fields = title:string slug:uid content:richtext excerpt:text category:enumeration price:integer
collection.article.index = price, title
EOF

EQ='/api/articles?filters[price][$eq]=500'
RANGE='/api/articles?filters[price][$gte]=100&filters[price][$lt]=200&sort=price:desc'
KEYS='/api/articles?filters[title][$containsi]=article%204242'
SCAN='/api/articles?filters[excerpt][$containsi]=article%204242.'

. "$top_srcdir/bench/bench_lib.sh"
if [ -n "${BENCH_STORE:-}" ]; then
	mkdir -p "$BENCH_STORE"
	export STRAPI_LIVE_STORE_DIR="$BENCH_STORE/$n"
fi
if [ -z "${BENCH_STORE:-}" ] || ! [ -f "$BENCH_STORE/$n.imported" ]; then
	rm -rf "$STRAPI_LIVE_STORE_DIR"
	bench_articles "$n" >"$T/entries.jsonl"
	t0=$(date +%s)
	"$STRAPI_LIVE" import "$T/entries.jsonl" >/dev/null
	echo "# $n entries stored, with the indexes of price and title, in $(( $(date +%s) - t0 )) s" >&2
	[ -z "${BENCH_STORE:-}" ] || : >"$BENCH_STORE/$n.imported"
else
	echo "# the store of $n entries in BENCH_STORE used again" >&2
fi

es=$(body_size "$EQ")
rs=$(body_size "$RANGE")
results="$T/results"
: >"$results"
for cache in $caches; do
	{
		fcgi_entry /api/ "$QUERY_FCGI" "$procs" |
		    sed "s/\"bin-environment\" => ( /&\"STRAPI_LIVE_QUERY_CACHE\" => \"$cache\", /"
		for k in eq:$es range:$rs; do
			fcgi_entry "/c-${k%%:*}/" "$CONST_FCGI" "$procs" |
			    sed "s/fcgi_const.sock/const_${k%%:*}.sock/; s/\"bin-environment\" => ( /&\"FCGI_CONST_SIZE\" => \"${k#*:}\", /"
		done
	} >"$T/fcgi.conf"
	lighttpd_start <"$T/fcgi.conf"
	for k in "eq:$EQ:$es" "range:$RANGE:$rs"; do
		name=${k%%:*}
		rest=${k#*:}
		url=${rest%:*}
		size=${rest##*:}
		code=$(curl -s -g -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:$LIGHTTPD_PORT$url")
		[ "$code" = 200 ] || { echo "$url answered $code" >&2; exit 1; }
		echo "$name $cache $size $(measure "$url" "/c-$name/")" \
		    >>"$results"
	done
	if [ "$cache" = 0 ]; then
		# The scan: one client, its latency (wrk's median and 99th
		# percentile), every request reading the store.
		for k in keys:$KEYS scan:$SCAN; do
			url=${k#*:}
			code=$(curl -s -g -o "$T/${k%%:*}.json" \
			    -w '%{http_code}' "http://127.0.0.1:$LIGHTTPD_PORT$url")
			[ "$code" = 200 ] ||
			    { echo "$url answered $code" >&2; exit 1; }
			wrk -t1 -c1 -d"${dur}s" --latency \
			    "http://127.0.0.1:$LIGHTTPD_PORT$url" >"$T/${k%%:*}.wrk"
		done
	fi
	kill "$LIGHTTPD_PID"
	wait "$LIGHTTPD_PID" 2>/dev/null || true
done

echo "attribute index lists vs a bare libfcgi program with the same body size,"
echo "through lighttpd $(lighttpd -v 2>&1 | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p'), wrk -t2 -c$conns -d${dur}s, $procs FastCGI processes each, $(nproc) cores,"
echo "$n entries"
echo
awk 'BEGIN { printf "%-6s %6s %8s %10s %10s %6s\n", "list", "cache",
    "bytes", "query/s", "ceiling/s", "ratio" }
    { printf "%-6s %6s %8s %10d %10d %6.2f\n", $1, $2, $3, $4, $5,
    ($5 > 0 ? $4 / $5 : 0) }' "$results"
echo "  eq:    $EQ"
echo "  range: $RANGE"
echo
bench_allowance "$results" 1 2 4 5 "eq=0.8 range=0.8"
echo
for k in keys:$KEYS scan:$SCAN; do
	name=${k%%:*}
	[ -s "$T/$name.wrk" ] || continue
	echo "$name: ${k#*:} ($(json "$T/$name.json" \
	    'd["meta"]["pagination"]["total"]') matches of $n, one client, query_cache 0, query_scan_cache ${BENCH_SCAN_CACHE:-16777216})"
	awk '/Latency  / { print "  latency avg " $2 } / 50% / { print "  median " $2 }
	    / 99% / { print "  99th percentile " $2 } /Requests\/sec/ { print "  " $2 " requests/s" }' "$T/$name.wrk"
done
echo
echo "targets: eq and range >= 0.80 x ceiling; a \$containsi over every entry under 50 ms"
