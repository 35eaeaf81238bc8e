# t1398-populate-dz-count.py: the checks of t1398-populate-dz-count.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os
from push_client import *

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])

# The media, authors and categories, then the last state of each published
# article, as Strapi delivered them.
sc, rest = rich_articles_live(H, LP)
enc = qs_enc


def kinds(d):
    return [[b["__component"] for b in a["blocks"]] for a in d["data"]]


# --- the zone populated as usual ----------------------------------------------
st, every = rest("populate[blocks]=true")
st2, none = rest("")
ok(st == st2 == 200 and any(len(k) > 1 for k in kinds(every)) and
   all("blocks" not in a for a in none["data"]),
   "populate[blocks]=true lists the zones (%s); without it no blocks" %
   kinds(every))
for q in ("populate[blocks][count]=true", "populate[blocks][count]=false",
          "populate[blocks][count]", "populate[blocks][count]=yes",
          "populate[blocks][count][0]=true", "populate[blocks]=t",
          "populate[blocks]=", "populate[blocks]"):
    st, d = rest(q)
    ok(st == 200 and d["data"] == every["data"],
       "%s: 200, the zone as populate[blocks]=true" % q)

# --- with on: as on alone ------------------------------------------------------
QP = "populate[blocks][on][shared.quote]=true"
st, on = rest(QP)
st2, d = rest(QP + "&populate[blocks][count]=true")
ok(st == st2 == 200 and d["data"] == on["data"] and
   kinds(on) != kinds(every) and
   all(set(k) <= {"shared.quote"} for k in kinds(on)),
   "on[shared.quote] and count: the quotes alone, as on alone")

# --- populate[blocks]=<a word>: 400; =0: left out ------------------------------
st, d = rest("populate[blocks]=0")
ok(st == 200 and d["data"] == none["data"], "populate[blocks]=0: no blocks")
DZ = ('Invalid nested populate for article.blocks (api::article.article). '
      'Expected a fragment ("on") or "count" but found "count"')
st, bad = rest("populate[blocks]=count")
e = bad.get("error") or {}
is_((st, bad.get("data", 0), e.get("status"), e.get("name"),
     e.get("message"), e.get("details")),
    (400, None, 400, "ValidationError", DZ, {}),
    "populate[blocks]=count: 400 Invalid nested populate")

# --- live: the same answers ---------------------------------------------------
LQ = "populate[blocks][count]=true"
s = SSE(H, sc.port, "/live/query?collection=articles&" + enc(LQ))
ev = s.next(5)
r = json.loads(ev["data"]) if ev else {}
ok(r.get("data") == every["data"] and
   same_as_rest(r, H, LP, "articles", enc(LQ), pagination=True),
   "live %s: REST's answer, the zone populated" % LQ,
   "live %s" % json.dumps(r)[:600])
s.close()
s = SSE(H, sc.port, "/live/query?collection=articles&" +
        enc("populate[blocks]=count"))
lb = json.loads(s.body() or "{}")
is_((s.status, lb), (400, bad), "live populate[blocks]=count: REST's 400")
s.close()
sc.stop()
done()
