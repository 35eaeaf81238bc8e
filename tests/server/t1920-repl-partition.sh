#!/bin/sh
# t1920-repl-partition.sh: three replicated sites, each in its own
# network namespace (ip netns) on a bridge, each with its own store, sidecar
# (the replication process) and lighttpd. The master is cut off from the
# other two (its link to the bridge goes down): a delivery posted to it is
# refused with 503, never acknowledged, since it cannot get a quorum of acks;
# the majority elects a new master and takes writes; healed, the old master
# meets the new one (DUPMASTER), rejoins as a replica and catches up: the
# three stores dump the same text, push clients see the same changes with
# the same ids, and no sidecar had to be restarted (the old master's
# survives its rollback). Needs root (CAP_NET_ADMIN).
. "${top_srcdir:-.}/tests/lib.sh"
repl_netns_env
run_py "$top_srcdir/tests/server/t1920-repl-partition.py"
