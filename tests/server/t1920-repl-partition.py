# t1920-repl-partition.py: the checks of t1920-repl-partition.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, signal, socket, time
from push_client import SSE, article, ok, is_, diag, done, wait_for
from repl_cluster import Cluster


def term(signum, frame):
    raise SystemExit(1)


signal.signal(signal.SIGTERM, term)
signal.signal(signal.SIGHUP, term)


def post_until_acked(site, doc, secs=15):
    """Posts a delivery, retrying a 503 (election) for up to secs."""
    end = time.time() + secs
    while True:
        st, r = site.post(article(doc, doc, "news"), timeout=10)
        if st == 200 or time.time() > end:
            return st, r
        time.sleep(0.2)


t0 = time.time()
try:
    c = Cluster(os.path.join(os.environ["T"], "cluster"), netns=True,
                supervise=True, repl_heartbeat=500)
except OSError as e:
    print("1..0 # SKIP network namespaces: %s" % e)
    raise SystemExit(0)
try:
    c.start_or_bail()
    s1, s2, s3 = c.sites
    diag("three sites started in %.1f s" % (time.time() - t0))
    is_([s.role() for s in c.sites], ["master", "replica", "replica"],
        "three sites in three namespaces: site 1 master, 2 and 3 replicas")
    ok(all(s.host.startswith("10.77.") and s.ns for s in c.sites),
       "each site has its own namespace and address (%s)" %
       ", ".join("%s=%s" % (s.ns, s.host) for s in c.sites))
    acked = []
    for s in c.sites:
        st, r = s.post(article("a%d" % s.n, "a%d" % s.n, "news"))
        if st == 200:
            acked.append("a%d" % s.n)
    is_(acked, ["a1", "a2", "a3"],
        "a webhook posted to each site is acknowledged (200)")
    ok(wait_for(lambda: all(s.docs().keys() >= {"a1", "a2", "a3"}
                            for s in c.sites), 10),
       "and reaches all three sites")

    # Partition: the master is a minority of one.
    m = s1
    maj = [s2, s3]
    # Push clients on the majority side, through the partition.
    streams = [SSE(s.host, s.push_port, "/live/events",
                   {"Last-Event-ID": "0"}) for s in maj]
    # And one on the master, which will be cut off with it.
    on_old = SSE(m.host, m.push_port, "/live/events", {"Last-Event-ID": "0"})
    t_cut = time.time()
    m.isolate()
    try:
        socket.create_connection((m.host, m.push_port), 1).close()
        reached = True
    except OSError:
        reached = False
    ok(not reached, "cut: the isolated master's address is unreachable")
    t_post = time.time()
    st, r = m.post(article("cut", "cut", "news"), timeout=15)
    diag("the isolated master answered %s in %.1f s" %
         (st, time.time() - t_post))
    ok(st != 200, "the isolated master never acknowledges a delivery it "
       "cannot replicate")
    is_(st, 503, "it refuses it with 503")
    ok(isinstance(r, dict) and r.get("data", 1) is None and
       r.get("error", {}).get("status") == 503,
       "with a JSON error (%s)" %
       (r.get("error", {}).get("message") if isinstance(r, dict) else r))

    new = wait_for(lambda: next((s for s in maj if s.role() == "master"),
                                None), 20, 0.1)
    ok(new is not None, "the majority elects a new master (site %s, %.1f s "
       "after the cut)" % (new.n if new else None, time.time() - t_cut))
    other = s3 if new is s2 else s2
    if new is not None:
        ok(wait_for(lambda: other.master() == new.addr, 10),
           "the other replica follows it")
    # Still cut off, with a master elected elsewhere: still refusing.
    st, r = m.post(article("cut2", "cut2", "news"), timeout=15)
    ok(st != 200, "the minority still refuses writes after the majority "
       "elected (%s)" % st)
    for s, doc in ((new or s2, "b1"), (other, "b2")):
        st, r = post_until_acked(s, doc)
        if st == 200:
            acked.append(doc)
        is_(st, 200, "the majority takes writes: %s posted to site %d is "
            "acknowledged" % (doc, s.n))
        if st != 200:
            diag("answer: %r" % (r,))
    diag("old master's view during the partition: %s" % m.role())

    # Heal: two masters meet; the old one must give way and catch up.
    t_heal = time.time()
    m.heal()

    def settled():
        """The group after healing: one master, on the majority side,
        that the two others follow as replicas that have caught up."""
        h = [((s.health() or {}).get("replication") or {}) for s in c.sites]
        h = [(x.get("role"), x.get("master"), x.get("startupDone"))
             for x in h]
        ms = [s for s, (role, _, _) in zip(c.sites, h) if role == "master"]
        if len(ms) != 1 or ms[0] is m:
            return None
        if all(role == "replica" and master == ms[0].addr and done
               for s, (role, master, done) in zip(c.sites, h)
               if s is not ms[0]):
            return ms[0]
        return None

    def steady(secs=1.0, timeout=30):
        """The settled group, when it has held for secs. (The old master
        shows "replica", not caught up, for seconds before its sidecar
        exits on a rollback, DB_REP_HANDLE_DEAD, and is restarted.)"""
        end = time.time() + timeout
        since, who = None, None
        while time.time() < end:
            x = settled()
            if x is None or x is not who:
                since, who = time.time(), x
            elif time.time() - since >= secs:
                return x
            time.sleep(0.1)
        return None
    final = steady()
    diag("roles after healing: %s" % [s.role() for s in c.sites])
    ok(final is not None,
       "healed, the old master rejoins as a replica; the group has one "
       "master, site %s (%.1f s)" % (final.n if final else None,
                                    time.time() - t_heal))
    if final is not None and final is not new:
        diag("the master changed again while healing (site %d, elected "
             "during the partition, gave way to site %d)" %
             (new.n if new else 0, final.n))

    def dumps():
        return [s.dump() for s in c.sites]
    wait_for(lambda: len(set(dumps())) == 1 and
             set(acked) <= set(c.sites[0].docs()), 15, 0.2)
    d = dumps()
    ok(len(set(d)) == 1 and d[0] != "",
       "the three stores dump the same text (%d entries)" %
       len(d[0].splitlines()))
    if len(set(d)) != 1:
        for s, text in zip(c.sites, d):
            diag("site %d: %s" % (s.n, sorted(s.docs())))
    docs = [s.docs() for s in c.sites]
    is_([sorted(set(acked) - set(x)) for x in docs], [[], [], []],
        "every acknowledged delivery is on every site (%s)" %
        " ".join(sorted(acked)))
    for doc in ("cut", "cut2"):
        cut = [doc in x for x in docs]
        ok(all(cut) or not any(cut), "the delivery refused during the "
           "partition (%s) is consistent: %s" % (doc,
           "present everywhere (its commit reached the group)" if all(cut)
           else "absent everywhere (rolled back on the old master)"
           if not any(cut) else "on sites %s only" %
           [s.n for s, x in zip(c.sites, cut) if x]))
    ok(wait_for(lambda: len({str(s.query_ids()) for s in c.sites}) == 1 and
                s1.query_ids() == sorted(docs[0]), 10),
       "queries on all three sites list the same entries as the store")

    # Changes as push clients see them: the two that stayed connected on
    # the majority side, and one that connects to the old master now.
    n = len(docs[0])
    streams.append(SSE(m.host, m.push_port, "/live/events",
                       {"Last-Event-ID": "0"}))
    seen = [[(int(e["id"]), json.loads(e["data"]).get("documentId", e["event"]))
             for e in x.events(n, 5)] for x in streams]
    for x in streams:
        x.close()
    is_([[i for i, _ in x] for x in seen], [list(range(1, n + 1))] * 3,
        "push clients on the majority (connected throughout) and on the old "
        "master (connected after) see ids 1..%d, no gap, no repeat" % n)
    ok(seen[0] == seen[1] == seen[2] and
       sorted(d for _, d in seen[0]) == sorted(docs[0]),
       "the same changes, those in the stores")
    for s in c.sites:
        diag("site %d: sidecar restarts (as Restart=on-failure does): "
             "%d%s" % (s.n, s.restarts, "".join(
                 "; %+.1f s after healing: %s" % (at - t_heal, why)
                 for at, why in zip(s.restarted, s.exits))))
    with open(os.path.join(m.dir, "push.log")) as f:
        rolled = "rolled this site's store back" in f.read()
    diag("replication rolled the old master's store back: %s" %
         ("yes (its sidecar reopened it)" if rolled else "no"))
    # The client that stayed on the old master through the partition saw
    # what it committed alone; after the rollback it must be told (reset).
    got = []
    end = time.time() + 20
    while time.time() < end and not any(e["event"] == "reset" for e in got):
        e = on_old.next(max(0.1, end - time.time()))
        if e is None and on_old.closed:
            break
        if e is not None:
            got.append(e)
    on_old.close()
    resets = [e for e in got if e["event"] == "reset"]
    if rolled:
        ok(len(resets) == 1 and json.loads(resets[0]["data"])["seq"] >= 1,
           "a client connected to the old master through the partition "
           "gets one reset after the rollback (%s)" %
           [(e["id"], e["event"]) for e in got])
    else:
        ok(not resets, "no rollback, so no reset on the old master's stream")
    is_([s.restarts for s in c.sites], [0, 0, 0],
        "no sidecar had to be restarted, the old master's included")
finally:
    c.stop()
diag("runtime %.1f s" % (time.time() - t0))
done()
