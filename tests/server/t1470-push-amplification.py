# t1470-push-amplification.py: the checks of t1470-push-amplification.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, socket
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]

def m(port, name):
    return int(metrics(H, port).get("strapi_live_push_" + name, 0))

def subscribe_all(ws, subs):
    """Sends every subscription, then reads one answer per subscription."""
    for sid, q in subs:
        ws.send({"type": "subscribe", "id": sid, "collection": "articles",
                 "query": q})
    res, err = {}, {}
    for _ in subs:
        a = ws.recv(10)
        if a is None:
            break
        (res if a["type"] == "result" else err)[a["id"]] = a
    return res, err

for i in range(1, 121):
    post_body(W, article("doc%d" % i, "doc%d" % i, "tech", updated=iso(i),
                         published=iso(i)))

# --- page sizes 1..100 from two anonymous clients -------------------------
sc = Sidecar(push_heartbeat=3600)
P = sc.port
a = ws_from("127.0.0.2", H, P)
b = ws_from("127.0.0.3", H, P)
# newest first, so that the entry changed below is on every page
NEW = "publishedAt:desc"
ra, ea = subscribe_all(a, [("p%d" % n, {"pageSize": n, "sort": NEW})
                           for n in range(1, 51)])
rb, eb = subscribe_all(b, [("p%d" % n, {"pageSize": n, "sort": NEW})
                           for n in range(51, 101)])
allowed = [1, 5, 10, 20, 25, 50, 100]
is_(sorted(int(k[1:]) for k in list(ra) + list(rb)), allowed,
    "only the configured page sizes are served")
e = list(ea.values()) + list(eb.values())
is_(len(e), 93, "the other 93 page sizes are refused")
ok(all("pageSize" in x["message"] for x in e), "with an error naming pageSize")
is_(sc.health().get("queries"), 7, "7 distinct queries, not 100")
r0, q0 = m(P, "renders_total"), m(P, "query_runs_total")
post_body(W, article("doc120", "doc120", "tech", title="changed",
                     updated=iso(500), published=iso(120)))
ok(wait_for(lambda: m(P, "query_runs_total") - q0 >= 7, 5), "the change recomputes them")
renders = m(P, "renders_total") - r0
diag("entry renders for one change: %d (page sizes 1..100 unrestricted: 5050)" % renders)
ok(0 < renders <= sum(allowed), "entry renders per change <= %d" % sum(allowed))
got = a.msgs(len(ra), 5) + b.msgs(len(rb), 5)
is_(len(got), 7, "every subscriber still gets the new result")
a.close()
b.close()
sc.stop()

# --- recomputation bounded per turn of the loop ----------------------------
sc = Sidecar(push_heartbeat=3600, push_render_budget=100)
P = sc.port
a = ws_from("127.0.0.2", H, P)
ra, ea = subscribe_all(a, [("p%d" % n, {"pageSize": n, "sort": NEW})
                           for n in allowed])
is_(len(ra), 7, "seven page sizes subscribed")
d0 = m(P, "render_deferred_total")
post_body(W, article("doc120", "doc120", "tech", title="again",
                     updated=iso(501), published=iso(120)))
got = a.msgs(7, 5)
is_(len(got), 7, "with a render budget of 100 every result still arrives")
ok(m(P, "render_deferred_total") > d0,
   "the 211 renders were spread over several turns of the loop")
a.close()
sc.stop()

# --- distinct categories by the hundred -------------------------------------
sc = Sidecar(push_heartbeat=3600, push_max_queries=300)
P = sc.port
clients, res, err = [], {}, {}
for src in ("127.0.0.2", "127.0.0.3"):
    for k in range(5):
        w = ws_from(src, H, P)
        r, e = subscribe_all(w, [("c%s-%d-%d" % (src, k, j),
                                  {"category": "cat-%s-%d-%d" % (src, k, j)})
                                 for j in range(64)])
        res.update(r)
        err.update(e)
        clients.append(w)
msgs = [x["message"] for x in err.values()]
diag("640 distinct categories: %d served, errors %r" % (len(res),
     {t: msgs.count(t) for t in set(msgs)}))
is_(len(res), 300, "push_max_queries (300) distinct queries are served")
ok(sc.health().get("queries") == 300, "the sidecar holds 300 queries")
ok(all(t in ("too many distinct live queries on this server",
             "too many live queries from this address") for t in msgs)
   and len(msgs) == 340, "the other 340 are refused with a limit error")
c0, r0 = m(P, "query_checks_total"), m(P, "renders_total")
post_body(W, article("doc3", "doc3", "cat-127.0.0.2-0-0", updated=iso(502),
                     published=iso(3)))
ok(wait_for(lambda: m(P, "renders_total") > r0, 5), "the touched category is recomputed")
checks = m(P, "query_checks_total") - c0
diag("queries examined for one change among 300: %d" % checks)
ok(0 < checks <= 5, "a change examines the queries of its own scopes only")
for w in clients:
    w.close()
ok(wait_for(lambda: sc.health().get("queries") == 0, 5), "queries freed with their clients")

# Per client address: 256 subscriptions over all its connections.
sc.stop()
sc = Sidecar(push_heartbeat=3600)
P = sc.port
clients, res, err = [], {}, {}
for k in range(5):
    w = ws_from("127.0.0.2", H, P)
    r, e = subscribe_all(w, [("x%d-%d" % (k, j), {"category": "x%d-%d" % (k, j)})
                             for j in range(64)])
    res.update(r)
    err.update(e)
    clients.append(w)
is_(len(res), 256, "one client address gets push_max_subs_per_addr (256)")
ok(all(x["message"] == "too many live queries from this address"
       for x in err.values()) and len(err) == 64, "the rest: a per-address error")
o = ws_from("127.0.0.3", H, P)
r, e = subscribe_all(o, [("y", {"category": "y"})])
is_(len(r), 1, "another client address still subscribes")
for w in clients + [o]:
    w.close()
ok(sc.healthy(), "sidecar healthy")
sc.stop()
done()
