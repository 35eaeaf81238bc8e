#!/bin/sh
# t1910-repl-failover.sh: three replicated sites on loopback. The
# master host dies (SIGKILL to its sidecar, lighttpd and FastCGI workers)
# under a webhook load: the others elect a new master, which takes writes;
# every acknowledged delivery is on the survivors, and an SSE client on a
# survivor sees one unbroken sequence across the failover; the old master
# rejoins as a replica and catches up (all three dumps equal). Also: the
# master's web server started before the other sites joined still counts
# their acks, and a webhook.fcgi whose sidecar is down refuses with 503.
. "${top_srcdir:-.}/tests/lib.sh"
repl_cluster_env
run_py "$top_srcdir/tests/server/t1910-repl-failover.py"
