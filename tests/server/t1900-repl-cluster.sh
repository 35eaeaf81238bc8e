#!/bin/sh
# t1900-repl-cluster.sh: three replicated sites on loopback, each
# with its own store, sidecar (the replication process) and lighttpd: a
# webhook posted to any site is applied once, on the master, and appears in
# queries and SSE on all three with the same seq; a client moves between
# sites with Last-Event-ID; a master cut off from the others refuses writes
# it cannot replicate (503), and takes the retry once healed. Killing the
# master under load (election, rejoin) is t1910; a partition, t1920.
. "${top_srcdir:-.}/tests/lib.sh"
repl_cluster_env
run_py "$top_srcdir/tests/server/t1900-repl-cluster.py"
