# t1396-live-single-type.py: the checks of t1396-live-single-type.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, urllib.parse
from push_client import *

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
Q = "populate[blocks]=true"
sc = Sidecar(push_heartbeat=3600)


def rest(singular, q=""):
    return rest_json(H, LP, singular, urllib.parse.quote(q, safe="=&"))


def sse_first(coll, q=""):
    s = SSE(H, sc.port, "/live/query?collection=" + coll +
            ("&" + urllib.parse.quote(q, safe="=&") if q else ""))
    e = s.next(5)
    return s, json.loads(e["data"]) if e else {}


# --- before anything is stored: null, where REST answers 404 ------------------
st, _ = rest("about")
s0, r = sse_first("about")
is_((st, r.get("data", 0), r.get("meta")), (404, None, {}),
    "no about stored: REST 404, live data null, meta {}")

# --- stored: the entry, as REST's object --------------------------------------
ws = WS(H, sc.port)
ws.send({"type": "subscribe", "id": "a", "collection": "about",
         "query": {"populate[blocks]": "true"}})
first = ws.recv(5)
ok(first and first.get("data") is None, "ws: null before the delivery")
FX = [n for n in sorted(os.listdir(os.environ["FIXTURES_RICH"]))
      if n[:3] in ("01-", "02-", "03-", "56-", "57-")]
sts = [rich_deliver(H, LP, n) for n in FX]
ok(set(sts) == {200}, "%d deliveries (the media, the about page): 200"
   % len(sts))
st, want = rest("about", Q)
ok(st == 200 and isinstance(want["data"], dict) and want["data"]["blocks"],
   "REST: /api/about is an object")
got = None
for _ in range(4):
    m = ws.recv(5)
    if m and m.get("id") == "a" and m.get("data") is not None:
        got = m
        if m["data"] == want["data"]:
            break
ok(got and got["data"] == want["data"] and got.get("meta") == {},
   "ws: the entry, as REST's data; meta {}",
   "live %s" % json.dumps(got)[:400])
s, r = sse_first("about", Q)
ok(r.get("data") == want["data"] and r.get("meta") == {},
   "sse: the entry, as REST's data; meta {}")
now = rest("about")[1]["data"]
r0 = {}
for _ in range(3):  # a result for each of the two deliveries
    e = s0.next(5)
    r0 = json.loads(e["data"]) if e else {}
    if not e or r0.get("data") == now:
        break
ok(r0.get("data") == now and r0.get("meta") == {},
   "sse: the stream opened before now has the entry")

# --- refused as REST refuses them ---------------------------------------------
for q, key in (("pagination[pageSize]=10", "pagination"),
               ("sort=title", "sort"), ("filters[title][$eq]=x", "filters"),
               ("pagination[page]=2&sort=title", "pagination")):
    st, b = rest("about", q)
    e = b.get("error") or {}
    s2 = SSE(H, sc.port, "/live/query?collection=about&" +
             urllib.parse.quote(q, safe="=&"))
    lb = json.loads(s2.body() or "{}")
    le = lb.get("error") or {}
    ok(st == s2.status == 400 and e.get("message") == le.get("message") ==
       "Invalid key " + key and le.get("details") == e.get("details"),
       "%s: REST and live 400 Invalid key %s" % (q, key),
       "REST %s" % json.dumps(b), "live %s" % json.dumps(lb))
    s2.close()
ws.send({"type": "subscribe", "id": "b", "collection": "global",
         "query": {"sort": "siteName"}})
m = ws.recv(5)
ok(m and m.get("type") == "error" and m.get("id") == "b" and
   "Invalid key sort" in m.get("message", ""),
   "ws: a single type's sort is an error", json.dumps(m))
# a collection type keeps its list and pagination
s3, r = sse_first("articles", "pageSize=10")
ok(isinstance(r.get("data"), list) and "pagination" in r.get("meta", {}),
   "a collection type: a list and meta.pagination")
for x in (s0, s, s3):
    x.close()
ws.close()
sc.stop()
done()
