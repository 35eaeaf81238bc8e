#!/bin/sh
# live-queries.sh: the cost of REST's query language in live queries.
#
#   bench/live-queries.sh [QUERIES] [RATE] [SECONDS]
#   e.g. bench/live-queries.sh 1000 10 30
#
# On t1280's schema (item: every scalar type and an owner -> person),
# with ITEMS items (default 1000, t1280's seeded content cloned), the
# sidecar gets QUERIES distinct live queries over WebSocket, a mix of
# filters: an indexed $eq or $in with a range (kind, title, documentId),
# a slug, a relation path (owner.name), an unindexed $containsi, and
# t1280's random generator (UNINDEXED=0: the indexed kinds only). Then
# RATE item edits a second are posted
# for SECONDS through lighttpd and webhook.fcgi. Prints one JSON line:
# the sidecar's CPU (user+system, /proc) per change, the p50/p99/max
# latency from sending a webhook to a subscriber's receipt of a result
# reflecting it, queries re-run per change, and, for NOTOUCH (default
# 100) edits of an entry no query can match, the sidecar's CPU per
# change and the CPU time it spent finding the queries a change touches
# (strapi_live_push_match_ns_total) per change, the filters it evaluated
# per change, and the query runs they caused (0 expected).
set -u
QUERIES=${1:-1000}
RATE=${2:-10}
SECS=${3:-30}
: "${ITEMS:=1000}" "${NOTOUCH:=100}" "${UNINDEXED:=1}"
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
PUSH_BIN=$top_builddir/src/strapi-live-push
WEBHOOK_FCGI=$top_builddir/cgi-bin/webhook.fcgi
QUERY_FCGI=$top_builddir/cgi-bin/query.fcgi
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
export PUSH_BIN T QUERIES RATE SECS ITEMS NOTOUCH UNINDEXED
ql_live_start
PYTHONPATH="$top_srcdir/tests" python3 - <<'PY'
import json, os, random, select, threading, time
from push_client import *
from live_ql import ql, seed, clean

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
NQ, RATE, SECS = (int(os.environ[k]) for k in ("QUERIES", "RATE", "SECS"))
NITEMS, NOTOUCH = int(os.environ["ITEMS"]), int(os.environ["NOTOUCH"])
UNINDEXED = int(os.environ["UNINDEXED"])
W = "http://%s:%d/strapi/webhook" % (H, LP)
rnd, ppl, its = seed(LP, 5000, check=False)
while len(its) < NITEMS:  # clones of the seeded items, new ids
    e = dict(rnd.choice(its[:160]))
    n = len(its)
    e.update(id=10000 + n, documentId=ql.doc_id(rnd), slug="item-%d" % n,
             n=rnd.randint(-1000, 1000), title=rnd.choice(ql.WORDS) +
             " %d" % (n % 97))
    its.append(e)
    ql.post(LP, "item", e)
# an entry no query below can match
lone = dict(its[0], id=99999, documentId="lonelonelonelonelonelone",
            slug="lone-entry", title="lone entry", kind=None, n=None,
            owner=None, body="b")
lone.pop("owner")
its.append(lone)
ql.post(LP, "item", lone)

gen = ql.Gen(rnd, ppl, its[:160])
names = sorted({p["name"] for p in ppl if p["name"] not in (None, ql.ABSENT)})
queries, kinds = [], {}
while len(queries) < NQ:
    i = len(queries)
    x = i % 20
    if not UNINDEXED and x >= 17:
        x = i % 8  # UNINDEXED=0: no unindexed nor random queries
    if x < 8:
        k, q = "indexed", {"filters[kind][$eq]": ql.KINDS[i % 3],
                           "filters[n][$gte]": str(i - 500)}
    elif x < 10:
        k, q = "indexed", {"filters[title][$in][0]": rnd.choice(ql.WORDS),
                           "filters[title][$in][1]": "zeta",
                           "filters[n][$lt]": str(i)}
    elif x < 12:
        k, q = "indexed", {"filters[documentId][$eq]":
                           its[i % len(its)]["documentId"]}
    elif x < 15:
        k, q = "slug", {"filters[slug][$eq]": "item-%d" % i}
    elif x < 17:
        k, q = "relation", {"filters[owner][name][$eq]": names[i % len(names)],
                            "filters[n][$gt]": str(i - 500)}
    elif x < 18:
        k, q = "unindexed", {"filters[title][$containsi]": "a%d" % i}
    else:
        pairs = gen.query()[0]
        k, q = "random", dict(p for p in pairs if not p[0].startswith(
            "pagination"))
        q["pagination[page]"] = str(i)  # distinct
        q["filters[$and][9][slug][$startsWith]"] = "item-"  # not lone
    kinds[k] = kinds.get(k, 0) + 1
    queries.append(q)

sc = Sidecar(push_heartbeat=3600, log_level="warn",
             push_max_subs=NQ + 10, push_max_subs_per_addr=NQ + 10,
             push_max_queries=NQ + 10, push_max_per_addr=100)
P = sc.port
pid = sc.proc.pid


def cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def m(name):
    return int(metrics(H, P).get("strapi_live_push_" + name, 0))


socks = [WS(H, P) for _ in range((NQ + 49) // 50)]
t0 = time.time()
for i, q in enumerate(queries):
    socks[i // 50].send({"type": "subscribe", "id": "q%d" % i,
                         "collection": "items", "query": q})
got, errs = {}, []
for s in socks:
    for x in s.msgs(50, 60):
        if x.get("type") == "result":
            got[x["id"]] = x
        else:
            errs.append(x)
subscribe_s = time.time() - t0
sent, lat, stop = {}, [], threading.Event()


def receiver():
    while not stop.is_set():
        r, _, _ = select.select([s.sock for s in socks], [], [], 0.2)
        now = time.time()
        for s in socks:
            if s.sock not in r and not s.buf:
                continue
            while True:
                x = s.recv(0.001)
                if x is None:
                    break
                if x.get("type") == "result":
                    lat.append((x["seq"], now))


th = threading.Thread(target=receiver)
th.start()
edits = [e for e in its if e is not lone]
c0, r0, ch0 = cpu(), m("query_runs_total"), m("changes_total")
version = 10 ** 6
N = RATE * SECS
start = time.time()
for k in range(N):
    while time.time() < start + k / RATE:
        time.sleep(0.001)
    j = rnd.randrange(len(edits))
    e = dict(edits[j])
    src = rnd.choice(edits)
    for a in rnd.sample(["title", "kind", "n", "flag", "body"], 2):
        if a in src:
            e[a] = src[a]
    version += 1000
    e["updatedAt"] = ql.iso(ql.ms_of(edits[j]["updatedAt"]) + version)
    edits[j] = e
    t = time.time()
    st, ans = deliver(W, json.dumps({"event": "entry.update",
        "createdAt": e["updatedAt"], "model": "item",
        "uid": "api::item.item", "entry": e}).encode())
    if st == 200:
        sent[ans["seq"]] = t
wait_for(lambda: sc.health().get("lastSeq") == sc.health().get("storeSeq"),
         30)
time.sleep(2)
c1, r1, ch1 = cpu(), m("query_runs_total"), m("changes_total")
stop.set()
th.join()
ls = sorted((now - sent[s]) * 1000 for s, now in lat if s in sent)

# changes no query can match
ns0, c2, r2, ch2 = m("match_ns_total"), cpu(), m("query_runs_total"), \
    m("changes_total")
ev0 = m("filter_evals_total")
for k in range(NOTOUCH):
    version += 1000
    lone = dict(lone, body="b%d" % k,
                updatedAt=ql.iso(ql.ms_of(lone["updatedAt"]) + 1000))
    deliver(W, json.dumps({"event": "entry.update",
        "createdAt": lone["updatedAt"], "model": "item",
        "uid": "api::item.item", "entry": lone}).encode())
wait_for(lambda: sc.health().get("lastSeq") == sc.health().get("storeSeq"),
         30)
time.sleep(1)
ns1, c3, r3, ch3 = m("match_ns_total"), cpu(), m("query_runs_total"), \
    m("changes_total")
ev1 = m("filter_evals_total")
nch, nch2 = ch1 - ch0, ch3 - ch2
print(json.dumps({
    "queries": sc.health().get("queries"), "items": len(its),
    "mix": kinds, "refused": len(errs), "subscribe_s": round(subscribe_s, 1),
    "changes": nch, "rate": RATE,
    "cpu_ms_per_change": round((c1 - c0) * 1000 / max(nch, 1), 2),
    "runs_per_change": round((r1 - r0) / max(nch, 1), 1),
    "results": len(ls),
    "p50_ms": round(ls[len(ls) // 2], 1) if ls else None,
    "p99_ms": round(ls[int(len(ls) * 0.99)], 1) if ls else None,
    "max_ms": round(ls[-1], 1) if ls else None,
    "notouch_changes": nch2,
    "notouch_runs": r3 - r2,
    "notouch_evals_per_change": round((ev1 - ev0) / max(nch2, 1), 1),
    "notouch_match_us_per_change": round((ns1 - ns0) / 1000 / max(nch2, 1),
                                         1),
    "notouch_cpu_ms_per_change": round((c3 - c2) * 1000 / max(nch2, 1), 3),
}))
for s in socks:
    s.close()
sc.stop()
PY
