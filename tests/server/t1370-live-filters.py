# t1370-live-filters.py: the checks of t1370-live-filters.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, urllib.parse
from push_client import *
from live_ql import enc, first, rest, same, ql, seed, person_body

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
rnd, ppl, its = seed(LP, 1370)
sc = Sidecar(push_heartbeat=3600)
P = sc.port


def m(name):
    return sc.metric(name)


def seen_all():
    return sc.caught_up()


def item_update(e, **kw):
    """e changed by kw and republished (a newer updatedAt)."""
    e = dict(e, **kw)
    e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + 1000)
    is_(ql.post(LP, "item", e), 200, "item %s updated: %r" % (e["id"], kw))
    return e


# --- results equal to REST's ----------------------------------------------
beta = [("filters[kind][$eq]", "beta"), ("sort", "title:asc,id:desc"),
        ("pagination[pageSize]", "5")]
orq = [("filters[$or][0][title][$containsi]", "apple"),
       ("filters[$or][1][n][$between][0]", "-2"),
       ("filters[$or][1][n][$between][1]", "3"),
       ("filters[$not][flag][$eq]", "true")]
names = [p["name"] for p in ppl]
owned = {e["owner"]["documentId"] for e in its if e.get("owner")}
owner = [p["name"] for p in ppl if names.count(p["name"]) == 1 and
         p["name"] not in (None, ql.ABSENT) and p["documentId"] in owned][0]
rel = [("filters[owner][name][$eq]", owner)]
s_beta = SSE(H, P, "/live/query?collection=items&" + enc(beta))
is_(s_beta.status, 200, "SSE: a filtered live query is a stream")
r = first(s_beta)
ok(r.get("data") and same(r, beta), "SSE: the result is REST's answer to "
   + enc(beta))
s_or = SSE(H, P, "/live/query?collection=items&" + enc(orq))
r = first(s_or)
ok(r.get("data") and same(r, orq), "SSE: $or, $between and $not as REST")
s_rel = SSE(H, P, "/live/query?collection=items&" + enc(rel))
r_rel = first(s_rel)
ok(r_rel.get("data") and same(r_rel, rel),
   "SSE: a relation path (owner.name) as REST")

ws = WS(H, P)
ws.send({"type": "subscribe", "id": "j", "collection": "items",
         "query": {"filters": {"kind": {"$eq": "beta"}},
                   "sort": "title:asc,id:desc", "pageSize": 5}})
ws.send({"type": "subscribe", "id": "d", "collection": "items",
         "query": {"filters": {"price": {"$gte": 7.5}, "ratio": {"$lt": -2.7},
                               "flag": {"$eq": False}}}})
ws.send({"type": "subscribe", "id": "k", "collection": "items",
         "query": {"filters[title][$in][0]": "zeta",
                   "filters[title][$in][1]": "Zeta"}})
got = {x.get("id"): x for x in ws.msgs(3, 5)}
ok(same(got.get("j", {}), beta), "WS: JSON filters equal REST's answer")
ok(same(got.get("d", {}), [("filters[price][$gte]", "7.5"),
                           ("filters[ratio][$lt]", "-2.7"),
                           ("filters[flag][$eq]", "false")]),
   "WS: JSON numbers and booleans as REST's text")
ok(same(got.get("k", {}), [("filters[title][$in][0]", "zeta"),
                            ("filters[title][$in][1]", "Zeta")]),
   "WS: bracketed filter pairs equal REST's answer")
is_(sc.health().get("queries"), 5,
    "SSE and WS share the query of the same filters")

nocount = [("filters[kind][$in][0]", "alpha"), ("filters[kind][$in][1]", "gamma"),
           ("sort[0]", "n:desc"), ("pagination[withCount]", "false"),
           ("status", "published")]
s_nc = SSE(H, P, "/live/query?collection=items&" + enc(nocount))
r = first(s_nc)
ok(r.get("data") and same(r, nocount) and
   "total" not in r.get("meta", {}).get("pagination", {}),
   "SSE: sort[0], pagination[withCount]=false and status as REST")
s_nc.close()

# --- errors: REST's 400 and message ---------------------------------------
for pairs in ([("filters[nope][$eq]", "1")],
              [("filters[title][$nope]", "1")],
              [("filters[n][$eq]", "seven")],
              [("filters[$or][title]", "x")]):
    st, want = rest(pairs)
    bad = SSE(H, P, "/live/query?collection=items&" + enc(pairs))
    body = json.loads(bad.body() or "{}")
    bad.close()
    is_((bad.status, body.get("error", {}).get("message"),
         body.get("error", {}).get("details")),
        (st, want["error"]["message"], want["error"]["details"]),
        "SSE: %s is REST's %d %s (and details)" %
        (enc(pairs), st, want["error"]["message"]))
    ws.send({"type": "subscribe", "id": "e", "collection": "items",
             "query": dict(pairs)})
    e = ws.recv(5) or {}
    is_((e.get("type"), e.get("status"), e.get("message"),
         e.get("details", {})),
        ("error", st, want["error"]["message"], want["error"]["details"]),
        "WS: the same error message (and details)")

# --- a row stops matching: re-pushed ------------------------------------------
in_beta = [e for e in its if e.get("kind") == "beta"]
total0 = rest(beta)[1]["meta"]["pagination"]["total"]
gone = item_update(in_beta[0], kind="alpha")
r = first(s_beta)
is_(r.get("meta", {}).get("pagination", {}).get("total"), total0 - 1,
    "a beta item turned alpha: the beta query's total drops by one")
ok(same(r, beta), "and its result is REST's again")
got = {x.get("id"): x for x in ws.msgs(2, 2)}
ok(same(got.get("j", {}), beta),
   "WS: the JSON beta subscription gets REST's new answer too")

# --- a change no filtered query matches: no query runs --------------------
ok(wait_for(seen_all, 5), "the sidecar has seen every change")
q0, c0, e0 = (m("query_runs_total"), m("query_checks_total"),
              m("filter_evals_total"))
lone = [e for e in its if e.get("kind") == "gamma" and
        e.get("title") not in ("zeta", "Zeta") and
        not e.get("owner") and e.get("flag") is True and
        "apple" not in str(e.get("title", "")).lower() and
        not (isinstance(e.get("n"), int) and -2 <= e["n"] <= 3)]
ok(lone, "an item no query matches before or after the change")
lone0 = item_update(lone[0], body="changed")
ok(wait_for(seen_all, 5), "the sidecar has seen it")
is_(m("query_runs_total") - q0, 0, "a change no query matches runs none")
is_(m("filter_evals_total") - e0, 2, "its row is evaluated by the two "
    "queries without an index key ($or at the top; numbers and booleans); "
    "the others' keys (kind, title, owner.name) do not hold its values")
ok(s_beta.next(0.5) is None and s_rel.next(0.2) is None,
   "and pushes nothing")
diag("queries examined for it: %d" % (m("query_checks_total") - c0))

# --- a row starts matching: re-pushed -------------------------------------
item_update(lone0, kind="beta", title="")
r = first(s_beta)
is_(r.get("meta", {}).get("pagination", {}).get("total"), total0,
    "an item turned beta: the total is back")
ok(same(r, beta), "and the result is REST's")
ws.msgs(2, 2)

# --- the related entry changes: the relation query follows -----------------
who = [p for p in ppl if p["name"] == owner][0]
q1 = m("query_runs_total")
ql.post(LP, "person", person_body(dict(who, name="Renamed"), 5000))
r = first(s_rel)
ok(r.get("data") == [] and same(r, rel),
   "the owner renamed: the owner.name query is empty, as REST")
ok(m("query_runs_total") - q1 <= 2,
   "the person's rename runs only the queries that read it")
s_beta.close()
s_or.close()
s_rel.close()
ws.close()
sc.stop()

# --- over query_max_scan: refused, counted ----------------------------------
sc = Sidecar(push_heartbeat=3600, query_max_scan=20)
P = sc.port
want = ("The list reads more than 20 entries (query_max_scan) for its "
        "filters or sort: add a slug or category filter, or sort by "
        "publishedAt")
bad = SSE(H, P, "/live/query?collection=items&" + enc(beta))
body = json.loads(bad.body() or "{}")
bad.close()
is_((bad.status, body.get("error", {}).get("message")), (400, want),
    "SSE: a query reading more than query_max_scan is REST's 400")
ws = WS(H, P)
ws.send({"type": "subscribe", "id": "o", "collection": "items",
         "query": dict(beta)})
e = ws.recv(5) or {}
is_((e.get("status"), e.get("message")), (400, want), "WS: the same error")
is_(m("queries_over_scan_total"), 2, "both are counted")
is_(sc.health().get("queries"), 0, "no query is kept")
ws.close()
sc.stop()

# --- a running query whose collection grows past query_max_scan -----------
sc = Sidecar(push_heartbeat=3600, query_max_scan=len(its))
P = sc.port
relq = [("filters[owner][name][$eq]", "Renamed")]
s_rel = SSE(H, P, "/live/query?collection=items&" + enc(relq))
r = first(s_rel)
ok(r.get("data") and same(r, relq),
   "%d items, query_max_scan %d: the relation query runs" % (len(its),
                                                            len(its)))
extra = dict(its[0], id=90000, documentId="extraextraextraextraextr",
             slug="extra-item")
extra.pop("owner", None)
is_(ql.post(LP, "item", extra), 200, "one more item")
ok(wait_for(seen_all, 5), "the sidecar has seen it")
q1 = m("query_runs_total")
ql.post(LP, "person", person_body(dict(who, name="Renamed2"), 6000))
ok(wait_for(lambda: m("queries_over_scan_total") == 1, 5),
   "the owner renamed: the run reads past query_max_scan, counted")
ok(s_rel.next(0.5) is None, "its subscriber keeps the last result")
q2 = m("query_runs_total")
ql.post(LP, "person", person_body(dict(who, name="Renamed"), 7000))
ok(wait_for(seen_all, 5), "the sidecar has seen the next rename")
is_(m("query_runs_total") - q2, 0, "the query is not run again")
bad = SSE(H, P, "/live/query?collection=items&" + enc(relq))
body = json.loads(bad.body() or "{}")
bad.close()
is_((bad.status, body.get("error", {}).get("message")),
    (400, "The list reads more than %d entries (query_max_scan) for its "
     "filters or sort: add a slug or category filter, or sort by "
     "publishedAt" % len(its)), "a new subscriber to it gets REST's 400")
s_rel.close()
sc.stop()
done()
