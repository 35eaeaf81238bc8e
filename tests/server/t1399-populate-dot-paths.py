# t1399-populate-dot-paths.py: run by t1399-populate-dot-paths.sh, whose
# header says what these checks are for.
import json, os
from push_client import *

LP, H = int(os.environ["LIGHTTPD_PORT"]), "127.0.0.1"

sc, rest = rich_articles_live(H, LP)
enc = qs_enc


def live(q):
    """The first result of a live query, or its refusal: (status, body)."""
    s = SSE(H, sc.port, "/live/query?collection=articles&" + enc(q))
    if s.status != 200:
        r = (s.status, json.loads(s.body() or "{}"))
    else:
        ev = s.next(5)
        r = (200, json.loads(ev["data"]) if ev else {})
    s.close()
    return r


# --- a dot path answers as the nested object form ------------------------------
st, obj = rest("populate[author][populate][avatar]=true")
ok(st == 200 and any((a.get("author") or {}).get("avatar")
                     for a in obj["data"]),
   "populate[author][populate][avatar]=true: some author has an avatar")
for dot, nested in (
        ("populate=author.avatar", "populate[author][populate][avatar]=true"),
        ("populate[0]=author.avatar&populate[1]=cover",
         "populate[author][populate][avatar]=true&populate[cover]=true"),
        ("populate=author.articles.category, cover",
         "populate[author][populate][articles][populate][category]=true&"
         "populate[cover]=true"),
        ("populate[author][populate]=avatar,articles",
         "populate[author][populate][avatar]=true&"
         "populate[author][populate][articles]=true"),
        ("populate=blocks.file,blocks.files", "populate[blocks][populate]=*"),
        ("populate=blocks.title", "populate[blocks]=true"),
        ("populate=author..avatar", "populate[author]=true")):
    st, d = rest(dot)
    st2, want = rest(nested)
    ok(st == st2 == 200 and d["data"] == want["data"] and
       d["data"] != rest("")[1]["data"],
       "%s: 200, as %s" % (dot, nested))
    ls, lb = live(dot)
    ok(ls == 200 and lb.get("data") == want["data"],
       "live %s: REST's answer" % dot, "live %s" % json.dumps(lb)[:400])

# --- a bad segment: Strapi's Invalid key <segment> at <path> ---------------------
for q, key, path in (("populate=blocks.count", "count", "blocks.count"),
                     ("populate=author.nope", "nope", "author.nope"),
                     ("populate=cover.url", "cover", "cover"),
                     ("populate[blocks][populate]=true", "populate", "blocks")):
    st, b = rest(q)
    e = b.get("error") or {}
    msg = "Invalid key %s" % key + (" at " + path if path != key else "")
    is_((st, b.get("data", 0), e.get("name"), e.get("message"),
         e.get("details")),
        (400, None, "ValidationError", msg,
         {"key": key, "path": path, "source": "query", "param": "populate"}),
        "REST %s: 400 %s" % (q, msg))
    is_(live(q), (st, b), "live %s: REST's 400" % q)

# --- a zone with on: its other keys dropped, unchecked ----------------------------
QP = "populate[blocks][on][shared.quote]=true"
st, on = rest(QP)
for extra in ("populate[blocks][fields][0]=id", "populate[blocks][sort]=nope",
              "populate[blocks][filters][title][$eq]=x"):
    st2, d = rest(extra + "&" + QP)
    ok(st == st2 == 200 and d["data"] == on["data"],
       "%s with on: 200, as on alone" % extra)
ls, lb = live("populate[blocks][fields][0]=id&" + QP)
ok(ls == 200 and lb.get("data") == on["data"], "live: the same")

# --- a media's count: a boolean word, then dropped -----------------------------
st, cover = rest("populate[cover]=true")
st2, d = rest("populate[cover][count]=true")
ok(st == st2 == 200 and d["data"] == cover["data"] and
   any(a.get("cover") for a in cover["data"]),
   "populate[cover][count]=true: 200, as populate[cover]=true")
ls, lb = live("populate[cover][count]=true")
ok(ls == 200 and lb.get("data") == cover["data"], "live: the same")
st, b = rest("populate[cover][count]=yes")
is_((st, (b.get("error") or {}).get("message")),
    (400, "Invalid key count at cover"),
    "populate[cover][count]=yes: 400 Invalid key count at cover")
sc.stop()
done()
