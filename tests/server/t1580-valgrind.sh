#!/bin/sh
# t1580-valgrind.sh: tests/soak/valgrind.sh with 1,000 mixed requests: the
# FastCGI programs under valgrind's memcheck show no error and no definite
# or indirect leak after a clean stop. (The soak runs 10,000.)
. "${top_srcdir:-.}/tests/lib.sh"
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not installed"
command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
top_srcdir=$top_srcdir top_builddir=$top_builddir \
    sh "$top_srcdir/tests/soak/valgrind.sh" "${VALGRIND_N:-1000}" >"$T/vg.out" 2>&1
rc=$?
[ $rc = 77 ] && skip_all "$(tail -1 "$T/vg.out")"
grep '^#' "$T/vg.out"
for prog in webhook query events; do
	grep -q "^ok $prog.fcgi" "$T/vg.out"
	ok $? "$prog.fcgi: no memcheck error, no definite or indirect leak"
done
! grep -q '^FAIL load' "$T/vg.out"
ok $? "every request answered, none with a 5xx"
[ "$_tap_fail" = 0 ] || sed 's/^/# /' "$T/vg.out" | tail -80
done_testing
