#!/bin/sh
# repl-cluster.sh: by hand: three replicated sites on loopback,
# each with its own store, sidecar (the replication process) and lighttpd;
# the master host is killed (SIGKILL to its sidecar, lighttpd and FastCGI
# workers) under a webhook load; a new master must be elected with every
# acknowledged delivery on the survivors; the old master rejoins and
# catches up. make check runs the same at 40/s (t1910); this is for other
# rates.
#   top_srcdir=. top_builddir=. sh tests/soak/repl-cluster.sh [RATE]
. "${top_srcdir:-.}/tests/lib.sh"
repl_cluster_env
export RATE="${1:-40}"
PYTHONPATH="$top_srcdir/tests" python3 -u - <<'PY'
import os
from push_client import ok, is_, diag, done, wait_for
from repl_cluster import Cluster, Loader

c = Cluster(os.path.join(os.environ["T"], "cluster"), repl_heartbeat=300)
c.start()
s1, s2, s3 = c.sites
try:
    load = Loader([s2, s3, s1], "L", rate=int(os.environ["RATE"]))
    load.start()
    wait_for(lambda: len(load.acked) >= 20, 20)
    s1.kill()
    new = wait_for(lambda: c.master(), 20, 0.05)
    ok(new in (s2, s3), "a new master is elected (site %s)" %
       (new.n if new else None))
    n0 = len(load.acked)
    wait_for(lambda: len(load.acked) >= n0 + 20, 20)
    load.stop()
    ok(len(load.acked) >= n0 + 20, "the new master takes writes (%d "
       "acknowledged, %d refused)" % (len(load.acked), load.refused))
    is_(load.other, [], "every answer was 200 or 503")
    ok(wait_for(lambda: all(s.docs().keys() >= set(load.acked)
                            for s in (s2, s3)), 10),
       "every acknowledged delivery is on both survivors")
    s1.start_push()
    s1.start_web()
    ok(wait_for(lambda: s1.role() == "replica", 20),
       "the old master rejoins as a replica")
    ok(wait_for(lambda: s1.docs().keys() >= set(load.acked), 20),
       "and catches up")
finally:
    c.stop()
done()
PY
