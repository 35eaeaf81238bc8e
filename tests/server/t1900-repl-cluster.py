# t1900-repl-cluster.py: the checks of t1900-repl-cluster.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, signal, time
from push_client import SSE, article, ok, is_, diag, done, http_get, \
    wait_for
from repl_cluster import Cluster, Loader

H = "127.0.0.1"
c = Cluster(os.path.join(os.environ["T"], "cluster"))
c.start_or_bail()
s1, s2, s3 = c.sites


def ids_everywhere(sites, want):
    return all(s.docs().keys() >= set(want) for s in sites)


try:
    is_([s.role() for s in c.sites], ["master", "replica", "replica"],
        "site 1 created the group; sites 2 and 3 joined as replicas")
    is_(s3.master(), s1.addr, "replicas name the master")

    streams = [SSE(H, s.push_port, "/live/events", {"Last-Event-ID": "0"})
               for s in c.sites]
    st, r = s1.post(article("m1", "m1", "news"))
    is_((st, r.get("seq") if isinstance(r, dict) else r), (200, 1),
        "webhook on the master: 200, seq 1")
    st, r = s2.post(article("f2", "f2", "news"))
    is_((st, r.get("seq") if isinstance(r, dict) else r), (200, 2),
        "webhook on a replica is forwarded: the master's 200, seq 2")
    st, r = s3.post(article("f3", "f3", "news"))
    is_(st, 200, "and from the other replica")
    got = [[(e["id"], json.loads(e["data"])["documentId"])
            for e in x.events(3, 5)] for x in streams]
    want = [("1", "m1"), ("2", "f2"), ("3", "f3")]
    is_(got, [want, want, want],
        "SSE on all three sites: the same changes with the same ids")
    ok(wait_for(lambda: all(s.query_ids() == ["f2", "f3", "m1"]
                            for s in c.sites), 5),
       "queries on all three sites list the three entries")
    h = wait_for(lambda: s2.health()["replication"]["node"]["lastSeq"] == 3
                 and s2.health()["replication"], 5) or {"node": {}}
    ok(h["node"].get("samples", 0) >= 2,
       "a replica's healthz shows its lag measurements (%s ms)" %
       h["node"].get("lagMs"))
    st, body, _ = http_get(H, s3.push_port, "/live/metrics")
    ok('strapi_live_repl_role{role="replica"} 1' in body and
       "strapi_live_repl_lag_p99_ms" in body,
       "/live/metrics exports role and lag")

    # A client moves from site 2 to site 3 with Last-Event-ID.
    mover = streams[1]
    for i in range(4, 7):
        s1.post(article("k%d" % i, "k%d" % i, "news"))
    first = mover.events(2, 5)
    last = first[-1]["id"] if first else "0"
    mover.close()
    for i in range(7, 10):
        s3.post(article("k%d" % i, "k%d" % i, "news"))
    moved = SSE(H, s3.push_port, "/live/events", {"Last-Event-ID": last})
    rest = moved.events(9 - int(last), 5)
    is_([int(e["id"]) for e in first + rest], list(range(4, 10)),
        "a client switching sites resumes without gaps or duplicates")
    moved.close()
    for x in streams:
        x.close()

    # The master's web server fails (a 500 page, not strapi-live's JSON):
    # the replica answers 503 with a JSON error, not the HTML page.
    import http.server, threading
    class Broken(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b"<html><body>500 Internal Server Error</body></html>"
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass
    s1.signal(signal.SIGTERM, ("web",))
    s1.web.wait(10)
    broken = http.server.HTTPServer((H, s1.web_port), Broken)
    threading.Thread(target=broken.serve_forever, daemon=True).start()
    st, r = s2.post(article("b500", "b500", "news"))
    is_(st, 503, "the master's web server fails: the replica answers 503")
    ok(isinstance(r, dict) and "master failed" in
       r.get("error", {}).get("message", ""),
       "with a JSON error: %s" % (r.get("error", {}).get("message")
                                  if isinstance(r, dict) else r))
    broken.shutdown()
    broken.server_close()
    s1.start_web()

    # A master cut off from both others refuses what it cannot replicate.
    m = c.master()
    others = [s for s in c.sites if s is not m]
    for s in others:
        s.signal(signal.SIGSTOP, ("push",))
    # Posted to the master's own lighttpd: its writer needs the acks of
    # the stopped sites' replication processes.
    st, r = m.post(article("cut", "cut", "news"))
    if st == 200:
        diag("roles now: %s" % [s.role() for s in c.sites])
    is_(st, 503, "a master without a quorum refuses the delivery (503)")
    ok(isinstance(r, dict) and r.get("error", {}).get("status") == 503,
       "with a JSON error")
    for s in others:
        s.signal(signal.SIGCONT, ("push",))
    st = 0
    end = time.time() + 15
    while st != 200 and time.time() < end:
        st, r = m.post(article("cut", "cut", "news"))
    is_(st, 200, "after healing the retried delivery is acknowledged")
    ok(wait_for(lambda: ids_everywhere(c.sites, ["cut"]), 10),
       "and reaches every site")
finally:
    c.stop()
done()
