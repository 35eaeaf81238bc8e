# t1380-live-differential.py: the checks of t1380-live-differential.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, time, urllib.parse
from push_client import *
from live_ql import ql, seed, clean, person_body

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
SEED = int(os.environ.get("LQ_SEED", "1380"))
NQ = int(os.environ.get("LQ_QUERIES", "300"))
diag("seed %d (LQ_SEED), %d queries (LQ_QUERIES)" % (SEED, NQ))
rnd, ppl, its = seed(LP, SEED)

sc = Sidecar(push_heartbeat=3600, push_page_sizes="7,25,100",
             push_max_subs=1000, push_max_subs_per_addr=5000,
             push_max_per_addr=100)
P = sc.port

# --- the queries ------------------------------------------------------------
gen = ql.Gen(rnd, ppl, its)
queries = []
for i in range(NQ):
    pairs, _, _, _, _ = gen.query()
    queries.append(dict(pairs))  # t1280's keys are given once each
NSSE = 20
# every connection first: the sidecar computes each new query as it comes
socks = [WS(H, P, timeout=30) for _ in range((NQ - NSSE + 49) // 50)]
sses = {}
for i in range(NSSE):
    sses["q%d" % i] = SSE(H, P, "/live/query?collection=items&" +
                          urllib.parse.urlencode(queries[i]), timeout=30)
for i, q in enumerate(queries[NSSE:]):
    socks[i // 50].send({"type": "subscribe", "id": "q%d" % (i + NSSE),
                         "collection": "items", "query": q})
last, errors = {}, {}


def drain(quiet=1.5, limit=120):
    """Reads every socket until each query has answered and quiet seconds
    pass without a message."""
    end = time.time() + limit
    idle = time.time()
    while time.time() < end and (time.time() - idle < quiet or
                                 len(last) + len(errors) < NQ):
        got = False
        for ws in socks:
            while True:
                m = ws.recv(0.01)
                if m is None:
                    break
                got = True
                if m.get("type") == "result":
                    last[m["id"]] = m
                else:
                    errors[m.get("id")] = m
        for sid, s in sses.items():
            while True:
                e = s.next(0.01)
                if e is None:
                    break
                got = True
                last[sid] = json.loads(e["data"])
        if got:
            idle = time.time()


answers = {}


def compare(what):
    differ, empty, refused = [], 0, 0
    for i, q in enumerate(queries):
        sid = "q%d" % i
        st, want = rest_json(H, LP, "items", urllib.parse.urlencode(q))
        answers[sid] = [x["id"] for x in want.get("data") or []]
        if st != 200:
            refused += 1
            e = errors.get(sid) or {}
            s = sses.get(sid)
            if (e.get("status"), e.get("message")) != \
                    (st, want["error"]["message"]) and \
                    (s is None or s.status != st):
                differ.append((sid, q, "REST %d" % st, e))
            continue
        got = last.get(sid, {})
        if got.get("data") != want["data"] or \
                got.get("meta", {}).get("pagination") != \
                want["meta"]["pagination"]:
            differ.append((sid, q, [x["id"] for x in want["data"]],
                           [x.get("id") for x in got.get("data") or []]))
        empty += not want["data"]
    ok(not differ, "%s: %d live results equal REST's answer (%d empty, %d "
       "refused by both)" % (what, len(queries) - len(differ), empty,
                             refused),
       *["%s %r: REST %r live %r" % d for d in differ[:5]])
    return empty


drain()
compare("first results")
ok(len(last) > NQ * 3 // 4, "most queries have a result (%d of %d)" %
   (len(last), NQ))


def m(name):
    return sc.metric(name)


# --- the changes --------------------------------------------------------------
runs0, ev0, ns0, ch0, inc0 = (m("query_runs_total"), m("filter_evals_total"),
                              m("match_ns_total"), m("changes_total"),
                              m("incremental_runs_total"))
version = 10 ** 6
NCH = 80
posted = 0
for i in range(NCH):
    version += 1000
    x = rnd.random()
    hits = [a for a in answers.values() if a]
    if x < 0.4 and hits:
        # an item takes every attribute of one a query shows (it starts
        # matching), or one a query shows those of another (it stops)
        ids = rnd.choice(hits)
        byid = {e["id"]: k for k, e in enumerate(its)}
        inq = [byid[n] for n in ids if n in byid]
        out = [k for k, e in enumerate(its) if e["id"] not in ids]
        if not inq or not out:
            continue
        a, b = rnd.choice(inq), rnd.choice(out)
        if x < 0.25:
            a, b = b, a
        e = dict(its[b])
        for k in list(ql.ITEM) + ["owner"]:
            if k != "slug":
                e.pop(k, None)
                if k in its[a]:
                    e[k] = its[a][k]
        e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + version)
        its[b] = e
        posted += ql.post(LP, "item", e) == 200
    elif x < 0.65:  # an item edited: some attributes from another item
        j = rnd.randrange(len(its))
        src = rnd.choice(its)
        e = dict(its[j])
        for a in rnd.sample(sorted(ql.ITEM), rnd.randint(1, 3)):
            if a == "slug":
                continue
            if a in src:
                e[a] = src[a]
            else:
                e.pop(a, None)
        if rnd.random() < 0.2:
            e["owner"] = clean(rnd.choice(ppl))
        e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + version)
        its[j] = e
        posted += ql.post(LP, "item", e) == 200
    elif x < 0.75:  # a new item
        e = dict(rnd.choice(its))
        e["id"] = 6000 + i
        e["documentId"] = ql.doc_id(rnd)
        e["slug"] = "new-%d" % i
        its.append(e)
        posted += ql.post(LP, "item", e) == 200
    elif x < 0.88:  # an item unpublished
        j = rnd.randrange(len(its))
        e = its.pop(j)
        body = json.dumps({"event": "entry.unpublish",
                           "createdAt": ql.iso(ql.BASE + version),
                           "model": "item", "uid": "api::item.item",
                           "entry": dict(e, updatedAt=ql.iso(
                                             ql.ms_of(e["updatedAt"]) +
                                             version))}).encode()
        st, _ = deliver("http://%s:%d/strapi/webhook" % (H, LP), body)
        posted += st == 200
    else:  # a person renamed
        p = rnd.choice(ppl)
        p["name"] = rnd.choice(["Ada Lovelace", "ada", "Grace", "Linus",
                                "Émile", "zed %d" % i])
        posted += ql.post(LP, "person", person_body(p, version)) == 200
ok(posted > NCH * 9 // 10, "%d changes posted" % posted)
drain()
ok(wait_for(lambda: sc.health().get("lastSeq") ==
            sc.health().get("storeSeq") and m("queries_pending") == 0, 60),
   "the sidecar has seen them and run every query they touched")
drain(quiet=1)
before = dict(answers)
compare("after %d changes" % posted)
ok(sum(before[k] != answers[k] for k in answers) > NQ // 10,
   "the changes altered many answers (%d of %d)" %
   (sum(before[k] != answers[k] for k in answers), NQ))
runs = m("query_runs_total") - runs0
nch = m("changes_total") - ch0
diag("%d changes: %d query runs (of %d queries x %d changes = %d), %d "
     "filter evaluations, %.1f us per change finding them" %
     (nch, runs, len(queries), nch, len(queries) * nch,
      m("filter_evals_total") - ev0,
      (m("match_ns_total") - ns0) / 1000.0 / max(nch, 1)))
inc = m("incremental_runs_total") - inc0
ok(inc >= runs // 5, "runs applied the changed entries to the matches "
   "they kept and read the page only (%d of %d; relation filters scan)" % (inc, runs))
ok(runs < len(queries) * nch // 3,
   "a change re-runs only the queries it can alter (fewer than a third "
   "of every query for every change)")
for ws in socks:
    ws.close()
for s in sses.values():
    s.close()
sc.stop()
done()
