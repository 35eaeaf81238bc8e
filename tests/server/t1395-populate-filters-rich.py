# t1395-populate-filters-rich.py: the checks of t1395-populate-filters-rich.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, urllib.parse
from push_client import *

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])

# The media, authors and categories, then the last state of each published
# article, the global and the about page, as Strapi delivered them.
FX = sorted(n for n in os.listdir(os.environ["FIXTURES_RICH"])
            if n[:2].isdigit() and n[2] == "-" and
            (int(n[:2]) <= 8 or int(n[:2]) in (33, 35, 38, 55, 57, 61, 83)))
sts = [rich_deliver(H, LP, n) for n in FX]
ok(len(FX) == 15 and set(sts) == {200}, "%d deliveries: 200" % len(FX))
sc = Sidecar(push_heartbeat=3600)


def enc(s):
    return urllib.parse.quote(s, safe="=&")


def rest(plural, q):
    return rest_json(H, LP, plural, enc(q))


def names(files):
    return [f["name"] for f in files or []]


# --- a single media: null when the file does not match ------------------------
st, plain = rest("articles", "populate[cover]=true")
covered = [a for a in plain["data"] if a["cover"]]
ok(st == 200 and covered, "articles with a cover")
name = covered[0]["cover"]["name"]
st, filt = rest("articles", "populate[cover][filters][name][$eq]=" + name)
want = [dict(a, cover=a["cover"] if a["cover"] and
             a["cover"]["name"] == name else None) for a in plain["data"]]
ok(st == 200 and filt["data"] == want,
   "cover: the file when its name is %r, else null" % name)
ok(any(a["cover"] and a["cover"]["name"] != name for a in plain["data"]),
   "(some covers are left out)")
st, g = rest("global", "populate[favicon][filters][mime][$eq]=image/gif")
st2, g2 = rest("global", "populate[favicon][filters][mime][$eq]=image/png")
st3, gp = rest("global", "populate[favicon]=true")
is_((st, st2, st3), (200, 200, 200), "global's favicon filtered: 200")
ok(g["data"]["favicon"] is None and gp["data"]["favicon"] and
   g2["data"] == gp["data"],
   "single type: a favicon not of image/gif is null, of image/png kept")

# --- a single component: null when it does not match --------------------------
st, gp = rest("global", "populate[defaultSeo]=true")
title = gp["data"]["defaultSeo"]["metaTitle"]
st2, g = rest("global", "populate[defaultSeo][filters][metaTitle][$eq]=" +
              title)
st3, gn = rest("global", "populate[defaultSeo][filters][metaTitle][$ne]=" +
               title)
ok(st == st2 == st3 == 200 and g["data"] == gp["data"] and
   gn["data"]["defaultSeo"] is None and gp["data"]["defaultSeo"],
   "component: defaultSeo kept when its metaTitle is %r, else null" % title)
st, g = rest("global", "populate[defaultSeo][populate][shareImage]"
             "[filters][width][$gt]=5000")
ok(st == 200 and g["data"]["defaultSeo"]["shareImage"] is None,
   "a component's media filtered: null")

# --- a multiple media: the matching files, in the populate's sort -------------
SL = "populate[blocks][on][shared.slider][populate][files]"


def sliders(d):
    return [b for b in d["blocks"] if b["__component"] == "shared.slider"]


st, plain = rest("about", SL + "=true")
files = sliders(plain["data"])[0]["files"]
ok(st == 200 and len(files) >= 2, "about's slider has %d files" % len(files))
moved = 0
for q, key, rev in (("[sort]=name:desc", "name", True),
                    ("[sort][0]=width:asc", "width", False),
                    ("[sort]=width:desc", "width", True)):
    st, d = rest("about", SL + q)
    want = sorted(files, key=lambda f: f[key], reverse=rev)
    moved += want != files
    ok(st == 200 and sliders(d["data"])[0]["files"] == want,
       "slider files %s: %s" % (q, names(want)))
ok(moved > 0, "(some sorts are not the stored order)")
small = min(f["size"] for f in files)
st, d = rest("about", SL + "[filters][size][$gt]=%s" % small +
             "&" + SL + "[sort]=name:desc")
want = sorted([f for f in files if f["size"] > small],
              key=lambda f: f["name"], reverse=True)
ok(st == 200 and sliders(d["data"])[0]["files"] == want and
   len(want) < len(files), "slider files filtered and sorted: %s" %
   names(want))
st, d = rest("articles", SL + "[filters][name][$eq]=nope")
ok(st == 200 and all(s["files"] == [] for a in d["data"]
                     for s in sliders(a)) and
   any(sliders(a) for a in d["data"]), "no file matches: []")

# --- a dynamic zone's on[<component>]: those components alone, filtered -------
QP = "populate[blocks][on][shared.quote][fields][0]=title"
st, every = rest("articles", "populate[blocks]=true")
st2, plain = rest("articles", QP)
quotes = [b["title"] for a in plain["data"] for b in a["blocks"]]
ok(st == st2 == 200 and len(set(quotes)) >= 2 and
   [[(b["id"], b["__component"]) for b in a["blocks"]]
    for a in plain["data"]] ==
   [[(b["id"], b["__component"]) for b in a["blocks"]
     if b["__component"] == "shared.quote"] for a in every["data"]] and
   any(len(a["blocks"]) > 1 for a in every["data"]),
   "on[shared.quote]: the quotes alone (titled %s), in their order"
   % quotes)
st, filt = rest("articles", QP + "&populate[blocks][on][shared.quote]"
                "[filters][title][$eq]=" + quotes[0])
want = [dict(a, blocks=[b for b in a["blocks"] if b["title"] == quotes[0]])
        for a in plain["data"]]
ok(st == 200 and filt["data"] == want,
   "on[shared.quote][filters]: the quotes titled %r" % quotes[0])
st, srt = rest("articles", QP + "&populate[blocks][on][shared.quote]"
               "[sort]=title:desc")
ok(st == 200 and srt["data"] == plain["data"],
   "on[shared.quote][sort] is taken: 200, the same answer")

# --- a dynamic zone's own fields, filters, sort: unchecked, refused -----------
# (Strapi 5's validation looks into a zone's on alone; convert-query-params
# then refuses what is not populate, on or count)
DZ = ('Invalid nested populate for %s.blocks (api::%s.%s). Expected a '
      'fragment ("on") or "count" but found ')
for plural, q, found in (
        ("articles", "populate[blocks][filters][id][$eq]=3",
         '{"filters":{"id":{"$eq":"3"}}}'),
        ("articles", "populate[blocks][sort]=id:desc", '{"sort":"id:desc"}'),
        ("articles", "populate[blocks][fields]=id", '{"fields":"id"}'),
        ("articles", "populate[blocks][fields]=title", '{"fields":"title"}'),
        ("articles", "populate[blocks][filters][title][$eq]=x",
         '{"filters":{"title":{"$eq":"x"}}}'),
        ("articles", "populate[blocks][sort]=body", '{"sort":"body"}'),
        ("about", "populate[blocks][fields][0]=id",
         '{"fields":["id"]}')):
    st, b = rest(plural, q)
    e = b.get("error") or {}
    t = "article" if plural == "articles" else "about"
    is_((st, b.get("data", 0), e.get("name"), e.get("message"),
         e.get("details")),
        (400, None, "ValidationError", DZ % (t, t, t) + found, {}),
        "REST: %s is 400 Invalid nested populate" % q)
    s = SSE(H, sc.port, "/live/query?collection=%s&%s" % (plural, enc(q)))
    lb = json.loads(s.body() or "{}")
    is_((s.status, lb), (st, b), "live: %s, REST's answer" % q)
    s.close()

# --- errors, in Strapi's envelope ---------------------------------------------
for plural, q, msg in (
        ("articles", "populate[cover][filters][nope][$eq]=1",
         "Invalid key nope"),
        ("articles", "populate[cover][sort]=nope", "Invalid key nope"),
        ("articles", "populate[cover][filters][formats][$eq]=1",
         "Invalid key formats"),
        ("global", "populate[defaultSeo][filters][documentId][$eq]=x",
         "Invalid key documentId"),
        ("global", "populate[defaultSeo][sort]=createdAt",
         "Invalid key createdAt"),
        ("articles", "populate[blocks][on][shared.quote][filters][file]"
         "[$null]=true", "Invalid key file")):
    st, b = rest(plural, q)
    e = b.get("error") or {}
    is_((st, b.get("data", 0), e.get("status"), e.get("name"),
         e.get("message")), (400, None, 400, "ValidationError", msg),
        "REST: %s is 400 %s" % (q, msg))

# --- live: the same answers --------------------------------------------------
LQ = SL + "[filters][size][$gt]=%s&" % small + SL + "[sort]=name:desc"
s = SSE(H, sc.port, "/live/query?collection=about&" + enc(LQ))
e = s.next(5)
r = json.loads(e["data"]) if e else {}
st, want = rest("about", LQ)
# a single type's live result is its entry, as REST's /api/about
ok(r.get("data") == want["data"] and r.get("meta") == {} and
   sliders(want["data"])[0]["files"],
   "live: the slider's filtered, sorted files are REST's (the entry)",
   "live %s" % json.dumps(r)[:600], "REST %s" % json.dumps(want)[:600])
LQ = "populate[cover][filters][name][$eq]=" + name
s2 = SSE(H, sc.port, "/live/query?collection=articles&" + enc(LQ))
e = s2.next(5)
ok(e and same_as_rest(json.loads(e["data"]), H, LP, "articles", enc(LQ),
                      pagination=True), "live: the filtered covers are REST's")
s.close()
s2.close()
sc.stop()
done()
