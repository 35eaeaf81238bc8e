# t1397-populate-relation-sort.py: the checks of
# t1397-populate-relation-sort.sh (what they test: its header comment),
# run by it once its set-up is done.
import json, os, urllib.parse
from push_client import *

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])

# The media, authors and categories, then the last state of each published
# article (t1395's set).
FX, sts = rich_deliver_articles(H, LP)
ok(set(sts) == {200}, "%d deliveries: 200" % len(FX))


def enc(s):
    return urllib.parse.quote(s, safe="=&")


def rest(plural, q):
    return rest_json(H, LP, plural, enc(q))


def titles(arts):
    return [a["title"] for a in arts]


def by(plural, d):
    return {e["documentId"]: e for e in d["data"]}


# --- a to-many relation: its entries in the populate's sort -------------------
st, plain = rest("authors", "populate[articles]=true")
ada = [a for a in plain["data"] if len(a["articles"]) >= 3]
ok(st == 200 and ada, "an author with %d articles" %
   (len(ada[0]["articles"]) if ada else 0))
moved = 0
for q, key, rev in (("[sort]=title:desc", "title", True),
                    ("[sort][0]=title:asc", "title", False),
                    ("[sort]=title", "title", False),
                    ("[sort]=createdAt:desc", "createdAt", True)):
    st, d = rest("authors", "populate[articles]" + q)
    want = [dict(a, articles=sorted(a["articles"], key=lambda x: x[key],
                                    reverse=rev)) for a in plain["data"]]
    moved += titles(want[plain["data"].index(ada[0])]["articles"]) != \
        titles(ada[0]["articles"])
    ok(st == 200 and d["data"] == want, "author.articles%s: %s" %
       (q, titles(by("authors", d)[ada[0]["documentId"]]["articles"])))
ok(moved >= 2, "(sorts give other orders than the stored one)")
# two keys, the second breaking the first's ties
st, d = rest("authors", "populate[articles][sort][0]=locale:asc&"
             "populate[articles][sort][1]=title:desc")
want = [dict(a, articles=sorted(sorted(a["articles"],
                                       key=lambda x: x["title"],
                                       reverse=True),
                                key=lambda x: x["locale"]))
        for a in plain["data"]]
ok(st == 200 and d["data"] == want, "two keys: locale, then title: %s" %
   titles(by("authors", d)[ada[0]["documentId"]]["articles"]))
# filters and sort together
Q = ("populate[articles][filters][title][$ne]=Quarterly news&"
     "populate[articles][sort]=title:desc")
st, d = rest("authors", Q)
want = [dict(a, articles=sorted([x for x in a["articles"]
                                 if x["title"] != "Quarterly news"],
                                key=lambda x: x["title"], reverse=True))
        for a in plain["data"]]
ok(st == 200 and d["data"] == want, "filtered and sorted: %s" %
   titles(by("authors", d)[ada[0]["documentId"]]["articles"]))
# with fields and a populate under it
st, d = rest("authors", "populate[articles][fields][0]=title&"
             "populate[articles][sort]=title:desc&"
             "populate[articles][populate][category][fields][0]=name")
ok(st == 200 and [titles(a["articles"]) for a in d["data"]] ==
   [sorted(titles(a["articles"]), reverse=True) for a in plain["data"]] and
   all(set(x) == {"id", "documentId", "title", "category"}
       for a in d["data"] for x in a["articles"]),
   "fields and a nested populate keep the sort")
# category.articles: an inverse side of a localized type
st, cp = rest("categories", "populate[articles]=true")
st2, cd = rest("categories", "populate[articles][sort]=title:desc")
want = [dict(c, articles=sorted(c["articles"], key=lambda x: x["title"],
                                reverse=True)) for c in cp["data"]]
ok(st == st2 == 200 and cd["data"] == want and
   any(c["articles"] for c in cp["data"]), "category.articles sorted too")

# --- a to-one relation takes it; a count is unchanged --------------------------
st, a1 = rest("articles", "populate[author]=true&populate[category]=true")
st2, a2 = rest("articles", "populate[author][sort]=name:desc&"
               "populate[category][sort][0]=name")
ok(st == st2 == 200 and a1["data"] == a2["data"],
   "to-one: [sort] is taken and changes nothing")
st, c1 = rest("authors", "populate[articles][count]=true")
st2, c2 = rest("authors", "populate[articles][count]=true&"
               "populate[articles][sort]=title:desc")
ok(st == st2 == 200 and c1["data"] == c2["data"] and
   any(a["articles"]["count"] >= 3 for a in c1["data"]),
   "count: unchanged by a sort")

# --- errors, in Strapi's envelope ---------------------------------------------
for plural, q, msg in (
        ("authors", "populate[articles][sort]=nope", "Invalid key nope"),
        ("authors", "populate[articles][sort]=name:desc", "Invalid key name"),
        ("articles", "populate[author][sort]=title", "Invalid key title"),
        ("authors", "populate[articles][sort]=title:sideways",
         None)):
    st, b = rest(plural, q)
    e = b.get("error") or {}
    st2, lst = rest(plural, "sort=" + q.split("=", 1)[1]) if msg is None \
        else (400, {})
    want = msg or (lst.get("error") or {}).get("message")
    is_((st, b.get("data", 0), e.get("status"), e.get("name"),
         e.get("message")), (400, None, 400, "ValidationError", want),
        "REST: %s is 400 %s" % (q, want))

# --- live: the same answers, after a change too ---------------------------------
sc = Sidecar(push_heartbeat=3600)
LQ = "populate[articles][sort]=title:desc&populate[articles][fields][0]=title"
s = SSE(H, sc.port, "/live/query?collection=authors&" + enc(LQ))
e = s.next(5)
ok(e and same_as_rest(json.loads(e["data"]), H, LP, "authors", enc(LQ),
                      pagination=True), "live: REST's sorted articles")
d, hdrs = rich_recorded("83-entry.publish.article.json")
raw = d["raw_body"].replace('"Written via REST"', '"A retitled article"')
for t in ("2026-12-03T08:17:35.028Z", "2026-12-03T08:17:35.352Z"):
    raw = raw.replace(t, "2026-12-03T09:00:00.000Z")  # a later version
ok(raw != d["raw_body"] and
   rich_post("http://%s:%d/strapi/webhook" % (H, LP), raw, hdrs) == 200,
   "an article of the author retitled")
st, want = rest("authors", LQ)
ok("A retitled article" in
   titles(by("authors", want)[ada[0]["documentId"]]["articles"])[-1:],
   "REST: it sorts last now")
r = {}
for _ in range(3):
    e = s.next(5)
    r = json.loads(e["data"]) if e else {}
    if not e or r.get("data") == want["data"]:
        break
ok(r.get("data") == want["data"], "live: the new order, REST's",
   "live %s" % json.dumps(r)[:500])
s.close()
sc.stop()
done()
