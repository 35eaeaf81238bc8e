#!/bin/sh
# compare.sh: the webhook, query and fan-out benchmarks for two builds in
# one run, alternating A B A B so that what the machine does meanwhile
# weighs on both alike. Each figure stays what its own script reports
# (a ratio to the ceiling measured in the same run, or latencies); this
# script only runs them side by side and keeps their output.
#
#   bench/compare.sh BUILD_A BUILD_B [ROUNDS]     (default 2 rounds)
#
# BUILD_A, BUILD_B: build directories (configured the same way), each with
# bench/fcgi_const and bench/fanout made. Output: one block per benchmark,
# round and build, in $BENCH_OUT (default ./compare.out).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bench/compare.sh BUILD_A BUILD_B [ROUNDS]" >&2; exit 2; }
a=$(cd "$1" && pwd) && b=$(cd "$2" && pwd) || exit 2
rounds=${3:-2}
out=${BENCH_OUT:-compare.out}
: >"$out"
run() { # label build command...
	label=$1 build=$2
	shift 2
	echo "=== $label $build" | tee -a "$out"
	"$@" 2>&1 | tee -a "$out"
}
r=1
while [ "$r" -le "$rounds" ]; do
	for x in "$a" "$b"; do
		run "webhook round $r" "$x" env DURATION="${DURATION:-5}" \
		    bash "$top/bench/webhook-bench.sh" "$x"
		run "query round $r" "$x" env top_builddir="$x" \
		    BENCH_SIZES="${BENCH_SIZES:-1000}" \
		    sh "$top/bench/query-bench.sh"
		run "fanout round $r" "$x" env top_builddir="$x" SKIP_NCHAN=1 \
		    sh "$top/bench/fanout.sh" "${FANOUT_N:-2000}" \
		    "${FANOUT_RATES:-20}" "${FANOUT_SECS:-10}" sse
	done
	r=$((r + 1))
done
