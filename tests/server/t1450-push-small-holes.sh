#!/bin/sh
# t1450-push-small-holes.sh: a long Origin is refused, a long Last-Event-ID
# is an error (not "from now"), push.sock is 0600 whatever the umask
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
run_py "$top_srcdir/tests/server/t1450-push-small-holes.py"
