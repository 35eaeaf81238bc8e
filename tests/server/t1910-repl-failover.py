# t1910-repl-failover.py: the checks of t1910-repl-failover.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, signal, subprocess, time
from push_client import SSE, article, ok, is_, diag, done, wait_for
from repl_cluster import Cluster, Loader

H = "127.0.0.1"
c = Cluster(os.path.join(os.environ["T"], "cluster"), repl_heartbeat=300)
s1, s2, s3 = c.sites


def dump(s):
    d = s.docs()
    return sorted(d.items())


try:
    # Site 1 alone, web server included; the others join afterwards.
    s1.start(creator=True)
    st, _ = s1.post(article("early", "early", "news"))
    is_(st, 200, "a lone master takes a webhook")
    for s in (s2, s3):
        s.start_push(wait=False)
    ok(wait_for(lambda: s2.health() and s3.health(), 40, 0.05),
       "two sites join the group")
    for s in (s2, s3):
        s.start_web()
    st, _ = s1.post(article("joined", "joined", "news"))
    is_(st, 200, "webhook with three sites: 200")
    ok(wait_for(lambda: ((s1.health() or {}).get("replication") or {})
                .get("sites") == 3, 10, 0.05),
       "the master lists three members")
    for s in (s2, s3):
        s.signal(signal.SIGSTOP, ("push",))
    st, r = s1.post(article("alone", "alone", "news"))
    is_(st, 503, "the master's web server, started before the others "
        "joined, counts their acks: none, so 503")
    for s in (s2, s3):
        s.signal(signal.SIGCONT, ("push",))
    ok(wait_for(lambda: s1.post(article("alone", "alone", "news"))[0] ==
                200, 15, 0.2), "and 200 once they are back")

    # The master dies under load.
    watch = SSE(H, s3.push_port, "/live/events", {"Last-Event-ID": "0"})
    load = Loader([s2, s3, s1], "L", rate=40)
    load.start()
    wait_for(lambda: len(load.acked) >= 20, 20)
    s1.kill()
    t0 = time.time()
    new = wait_for(lambda: c.master(), 20, 0.05)
    ok(new in (s2, s3), "a new master is elected (site %s, %.1f s)" %
       (new.n if new else None, time.time() - t0))
    n0 = len(load.acked)
    wait_for(lambda: len(load.acked) >= n0 + 20, 20)
    load.stop()
    ok(len(load.acked) >= n0 + 20, "the new master takes writes (%d "
       "acknowledged after the kill, %d refused in all)" %
       (len(load.acked) - n0, load.refused))
    is_(load.other, [], "every answer was 200 or 503 (or no answer from "
        "the dead host)")
    ok(wait_for(lambda: all(s.docs().keys() >= set(load.acked)
                            for s in (s2, s3)), 10),
       "every acknowledged delivery is on both survivors")

    # The survivor's stream: one sequence, no gap, no repeat.
    evs = []
    while True:  # everything is on s3 by now: read until the stream idles
        e = watch.next(1.5)
        if e is None:
            break
        evs.append(e)
    ids = [int(e["id"]) for e in evs]
    is_(ids, list(range(1, len(ids) + 1)),
        "an SSE client on a survivor: ids 1..%d without gap or repeat" %
        len(ids))
    seen = {json.loads(e["data"])["documentId"] for e in evs}
    ok(seen >= set(load.acked), "and every acknowledged delivery in it")
    watch.close()

    # The old master comes back.
    s1.start_push()
    s1.start_web()
    ok(wait_for(lambda: s1.role() == "replica", 20),
       "the old master rejoins as a replica")
    ok(wait_for(lambda: dump(s1) == dump(new) and dump(s2) == dump(s3),
                20, 0.2), "and catches up: the three dumps are equal")
    st, _ = s1.post(article("back", "back", "news"))
    is_(st, 200, "a webhook on the rejoined site is forwarded: 200")

    # Write commands: refused on a replica, run on the new master.
    def cli(s, *args):
        return subprocess.run([os.environ["STRAPI_LIVE"]] + list(args),
                              env=s.env(), capture_output=True, text=True,
                              timeout=30)
    r = cli(s1, "trim", "--keep-events", "5")
    ok(r.returncode == 1 and "replica" in r.stderr and new.addr in r.stderr,
       "a write command on a replica is refused, naming the master: %s" %
       r.stderr.strip())
    r = cli(new, "trim", "--keep-events", "5")
    is_((r.returncode, r.stderr.strip()), (0, ""),
        "and runs on the new master")
    st, _ = s2.post(article("after-trim", "x", "news"))
    is_(st, 200, "webhooks still acknowledged afterwards")

    # webhook.fcgi without its sidecar.
    s3.signal(signal.SIGTERM, ("push",))
    s3.push.wait(15)
    st, r = s3.post(article("nosidecar", "x", "news"))
    is_(st, 503, "a site whose sidecar is down refuses a webhook: 503")
    ok(isinstance(r, dict) and "replication process" in
       r.get("error", {}).get("message", ""),
       "saying why: %s" % (r.get("error", {}).get("message")
                           if isinstance(r, dict) else r))
finally:
    c.stop()
done()
