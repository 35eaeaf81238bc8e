# t1230-live-inverse.py: the checks of t1230-live-inverse.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, urllib.parse
from push_client import *

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
A1 = "ps7ajq06b9x40es6l4z2jnsw"
A2 = "q2mdrwub7z845ygz7u5fsxtv"
ADA = "pc1j2ob6vnqzps3oqq3ilsrq"
GRACE = "n653tp0q0psiaetc1g8uoy7d"
TECH = "b8u3aiytfeq7l5dxnr3m2530"
DESIGN = "cf82x4vdnh5eqwpr5h1o4xhs"


def post(name):
    return rich_deliver(H, LP, name)


def rest(plural, query):
    return rest_json(H, LP, plural, query)


def linked(res, doc):
    """The titles of the articles the result lists under document doc."""
    for e in res.get("data", []):
        if e["documentId"] == doc:
            return sorted(a.get("title") for a in e.get("articles") or [])
    return None


def m(name):
    return sc.metric(name)


def enc(q):
    return urllib.parse.quote(q, safe="=&")


# Everything up to (not including) A1's category change (15-17).
st = rich_post_before("http://%s:%d/strapi/webhook" % (H, LP), "15-")
is_(st, [200] * len(st),
    "the %d deliveries before A1's category change are taken" % len(st))

sc = Sidecar(push_heartbeat=3600)
P = sc.port
QCAT = "populate[articles][fields][0]=title"
QAUT = "populate[articles][fields][0]=title"
QAV = "populate[avatar]=true"

sse = SSE(H, P, "/live/query?collection=categories&" + enc(QCAT))
is_(sse.status, 200, "SSE: categories with populate[articles] is a stream")
ev = sse.next(5)
r_cat = json.loads(ev["data"]) if ev else {}
is_((linked(r_cat, TECH), linked(r_cat, DESIGN)),
    (["Hello rich Strapi (edited)"], []),
    "SSE: tech lists A1, design nothing")
ok(same_as_rest(r_cat, H, LP, "categories", QCAT), "SSE: REST's answer to " + QCAT)

ws = WS(H, P)
ws.send({"type": "subscribe", "id": "a", "collection": "authors",
         "query": {"populate": {"articles": {"fields": ["title"]}},
                   }})
ws.send({"type": "subscribe", "id": "v", "collection": "authors",
         "query": {"populate[avatar]": "true"}})
first = {x.get("id"): x for x in ws.msgs(2, 5)}
r_aut = first.get("a", {})
is_((linked(r_aut, ADA), linked(r_aut, GRACE)),
    (["Hello rich Strapi (edited)"], []),
    "WS: Ada lists A1, Grace nothing")
ok(same_as_rest(r_aut, H, LP, "authors", QAUT), "WS: REST's answer to " + QAUT)
ok(same_as_rest(first.get("v", {}), H, LP, "authors", QAV),
   "WS: REST's answer to " + QAV)

# --- A1 moves from tech to design: article deliveries only (F5) ------------
q0 = m("query_runs_total")
is_([post(n) for n in ("15-entry.update.article.json",
                       "16-entry.update.article.json",
                       "17-entry.publish.article.json")], [200] * 3,
    "A1's category change (drafts, then the publish) is taken")
ev = sse.next(5)
r_cat = json.loads(ev["data"]) if ev else {}
is_((linked(r_cat, TECH), linked(r_cat, DESIGN)),
    ([], ["Hello rich Strapi (edited)"]),
    "SSE: a new result: tech lists nothing, design A1")
ok(same_as_rest(r_cat, H, LP, "categories", QCAT), "SSE: equal to a fresh REST GET")
got = {x.get("id"): x for x in ws.msgs(1, 5)}
ok(same_as_rest(got.get("a", {}), H, LP, "authors", QAUT),
   "WS: the author query, re-run (A1 changed), equals a fresh REST GET")
ok(ws.recv(0.5) is None, "WS: the avatar query gets nothing")
diag("query runs for A1's publish: %d" % (m("query_runs_total") - q0))

# --- A1's author changes from Ada to Grace: an article delivery only -------
# (17 again, a newer version of it whose author is Grace, as 22 embeds her)
d, hdrs = rich_recorded("17-entry.publish.article.json")
grace = json.loads(rich_recorded("22-entry.create.article.json")[0]
                   ["raw_body"])
body = json.loads(d["raw_body"])
body["entry"]["author"] = grace["entry"]["author"]
body["entry"]["updatedAt"] = "2026-12-03T08:16:28.000Z"
body["entry"]["publishedAt"] = "2026-12-03T08:16:28.100Z"
is_(rich_post("http://%s:%d/strapi/webhook" % (H, LP), json.dumps(body), hdrs), 200, "A1 published with Grace as author")
got = {x.get("id"): x for x in ws.msgs(1, 5)}
r_aut = got.get("a", {})
is_((linked(r_aut, ADA), linked(r_aut, GRACE)),
    ([], ["Hello rich Strapi (edited)"]),
    "WS: a new result: Ada lists nothing, Grace A1")
ok(same_as_rest(r_aut, H, LP, "authors", QAUT), "WS: equal to a fresh REST GET")
ok(ws.recv(0.5) is None, "WS: the avatar query gets nothing")
ok(sse.next(0.5) is None,
   "SSE: the category query's result is the same: nothing sent")

# --- A2 published (Grace), then unpublished: Grace's list follows ----------
is_([post(n) for n in ("22-entry.create.article.json",
                       "23-entry.publish.article.json")], [200] * 2,
    "A2 (Grace) created and published")
got = {x.get("id"): x for x in ws.msgs(1, 5)}
is_(linked(got.get("a", {}), GRACE),
    ["Hello rich Strapi (edited)", "Second article"],
    "WS: Grace lists A1 and A2")
ok(same_as_rest(got.get("a", {}), H, LP, "authors", QAUT),
   "WS: equal to a fresh REST GET")
is_(post("39-entry.unpublish.article.json"), 200, "A2 unpublished")
got = {x.get("id"): x for x in ws.msgs(1, 5)}
is_(linked(got.get("a", {}), GRACE), ["Hello rich Strapi (edited)"],
    "WS: Grace lists A1 alone again")
ok(same_as_rest(got.get("a", {}), H, LP, "authors", QAUT),
   "WS: equal to a fresh REST GET")
ok(ws.recv(0.5) is None, "WS: the avatar query got nothing throughout")
ws.close()
sse.close()
sc.stop()
done()
