#!/bin/sh
# fuzz.sh: builds the libFuzzer drivers (clang, --enable-fuzzing: ASan +
# UBSan) in _fuzz/ and runs each for a fixed time from the seed corpus in
# tests/fuzz/corpus/<name>/ (webhook bodies recorded from Strapi 5, the
# recorded REST query strings, WebSocket messages). An input that crashes
# is copied into that corpus as crash-<name>-<hash>, where make check
# replays it (tests/fuzz/replay_<name>) once fixed. Not part of make check.
#
#   tests/soak/fuzz.sh [SECONDS-PER-DRIVER]        (default 120)
set -u
SECS=${1:-120}
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
B=$top_srcdir/_fuzz
command -v clang >/dev/null || { echo "fuzz: clang not installed" >&2; exit 2; }
if [ ! -x "$B/tests/fuzz/fuzz_qs" ]; then
	(cd "$top_srcdir" && [ -x configure ] || autoreconf -fi) || exit 2
	mkdir -p "$B" && cd "$B" &&
	    "$top_srcdir/configure" --enable-fuzzing --disable-push \
	    --disable-sync CC=clang >/dev/null || exit 2
fi
make -C "$B" -j"$(nproc)" tests/fuzz/fuzz_qs tests/fuzz/fuzz_webhook \
    tests/fuzz/fuzz_wsmsg >/dev/null || exit 2
W=$(mktemp -d "${TMPDIR:-/tmp}/sl-fuzz.XXXXXX")
trap 'rm -rf "$W"' EXIT
fail=0
for name in qs webhook wsmsg; do
	mkdir -p "$W/$name" "$W/art-$name"
	cp "$top_srcdir/tests/fuzz/corpus/$name"/* "$W/$name/"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    "$B/tests/fuzz/fuzz_$name" -max_total_time="$SECS" -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$W/art-$name/" \
	    "$W/$name" >"$W/$name.log" 2>&1
	rc=$?
	stats=$(grep -E '^(#[0-9]+).*(DONE|pulse)' "$W/$name.log" | tail -1)
	echo "fuzz_$name: ${SECS}s, exit $rc: $stats"
	echo "  corpus $(ls "$top_srcdir/tests/fuzz/corpus/$name" | wc -l) seeds -> $(ls "$W/$name" | wc -l) inputs"
	for a in "$W/art-$name"/*; do
		[ -f "$a" ] || continue
		h=$(sha1sum "$a" | cut -c1-12)
		cp "$a" "$top_srcdir/tests/fuzz/corpus/$name/crash-$name-$h"
		echo "  CRASH: kept as tests/fuzz/corpus/$name/crash-$name-$h"
		grep -m3 -E 'ERROR|runtime error|SUMMARY' "$W/$name.log" | sed 's/^/    /'
		fail=1
	done
	[ $rc -eq 0 ] || fail=1
done
[ $fail -eq 0 ] && echo "FUZZ PASSED" || echo "FUZZ FAILED"
exit $fail
