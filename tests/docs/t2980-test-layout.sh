#!/bin/sh
# t2980-test-layout.sh: the test suite's own layout: no two tests share a
# number; every test is run by make check (Makefile.am) but t1500, which is
# run by hand; every tNNNN-name.py is the Python part of the tNNNN-name.sh
# beside it, which runs it, and is distributed (PY_PARTS).
. "${top_srcdir:-.}/tests/lib.sh"
cd "$top_srcdir" || exit 1

find tests -name 't[0-9][0-9][0-9][0-9]-*.sh' | sort >"$T/sh"
sed 's|.*/t\([0-9]*\)-.*|\1|' "$T/sh" | sort | uniq -d >"$T/dup"
is "$(cat "$T/dup")" "" "no two tests share a number"
[ "$(wc -l <"$T/sh")" -gt 50 ]
ok $? "the tests were found ($(wc -l <"$T/sh"))"

: >"$T/unlisted"
while read -r f; do
	[ "$f" = tests/server/t1500-crash-kill.sh ] && continue
	grep -q "^	$f\( \\\\\)\?$" Makefile.am || echo "$f" >>"$T/unlisted"
done <"$T/sh"
is "$(cat "$T/unlisted")" "" "make check runs every test (Makefile.am)"

: >"$T/orphan"
: >"$T/undist"
for py in $(find tests -name 't[0-9][0-9][0-9][0-9]-*.py' | sort); do
	sh=${py%.py}.sh
	grep -q "run_py \"\$top_srcdir/$py\"" "$sh" 2>/dev/null ||
		echo "$py" >>"$T/orphan"
	grep -q "^	$py\( \\\\\)\?$" Makefile.am || echo "$py" >>"$T/undist"
done
is "$(cat "$T/orphan")" "" "each tNNNN-name.py is run by its tNNNN-name.sh"
is "$(cat "$T/undist")" "" "and distributed (PY_PARTS in Makefile.am)"
done_testing
