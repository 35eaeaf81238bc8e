#!/bin/sh
# t1940-repl-stranger.sh: libdb 5.3 admits any site that asks to join a
# replication group. A program that is nobody's configured site
# (tests/fault/repl_stranger, libdb's repmgr API alone) joins a running
# three-site group from 127.0.0.x: the sidecars' membership watchdog
# notices it, counts it in /live/metrics, refuses writes (503, JSON) while
# it is a member, and the master removes it; writes go on afterwards and
# every acknowledged delivery is on every site. Phantom members (join, then
# vanish) are removed too, so they cannot hold the ack policy hostage: in a
# one-site group, where one phantom would make every commit miss its
# quorum, deliveries are acknowledged again once it is gone.
# `strapi-live repl-sites` lists the members and removes one.
. "${top_srcdir:-.}/tests/lib.sh"
repl_cluster_env
STRANGER="$top_builddir/tests/fault/repl_stranger"
[ -x "$STRANGER" ] || skip_all "tests/fault/repl_stranger not built"
export STRANGER
run_py "$top_srcdir/tests/server/t1940-repl-stranger.py"
