# t1394-live-locale-star.py: the checks of t1394-live-locale-star.sh
# (what they test: its header comment), run by it once its set-up is done.
import glob, json, os, urllib.parse
from push_client import *

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
W = "http://%s:%d/strapi/webhook" % (H, LP)
sc = Sidecar(push_heartbeat=3600)
P = sc.port


def enc(pairs):
    return urllib.parse.urlencode(pairs)


def same(res, pairs):
    return same_as_rest(res, H, LP, "articles", enc(pairs), pagination=True)


def first(s):
    e = s.next(5)
    return json.loads(e["data"]) if e else {}


def last_body(doc, locale):
    """The newest recorded delivery of article (doc, locale) with an
    entry, as a webhook body."""
    out = None
    for f in sorted(glob.glob(os.path.join(os.environ["FIXTURES_RICH"],
                                           "[0-9][0-9]-entry.*.json"))):
        b = json.loads(json.load(open(f))["raw_body"])
        e = b.get("entry") or {}
        if b.get("model") == "article" and e.get("documentId") == doc and \
                e.get("locale") == locale and e.get("publishedAt"):
            out = b
    return out


def edit(doc, locale, title):
    b = last_body(doc, locale)
    e = b["entry"]
    e["title"] = title
    e["updatedAt"] = "2027-01-01T00:00:0%dZ" % edit.n
    edit.n += 1
    b.update(event="entry.update", createdAt=e["updatedAt"])
    st, _ = deliver(W, json.dumps(b).encode())
    is_(st, 200, "the %s article %s renamed %r" % (locale, doc, title))


edit.n = 1
st, star = rest_json(H, LP, "articles", "locale=*")
locs = sorted({a["locale"] for a in star.get("data", [])})
is_(locs, ["en", "fr"], "REST's locale=* lists articles of en and fr")
QS = {"all": [("locale", "*")],
      "paged": [("locale", "*"), ("pagination[pageSize]", "1"),
                ("pagination[page]", "2")],
      "filtered": [("locale", "*"), ("filters[title][$containsi]", "r"),
                   ("sort", "title:asc")]}
sse = {}
for k, pairs in QS.items():
    sse[k] = SSE(H, P, "/live/query?collection=articles&" + enc(pairs))
    is_(sse[k].status, 200, "SSE: %s is a stream" % enc(pairs))
    r = first(sse[k])
    ok(r.get("data") and same(r, pairs), "SSE: %s is REST's answer (%d "
       "entries)" % (enc(pairs), len(r.get("data") or [])))
ws = WS(H, P)
ws.send({"type": "subscribe", "id": "a", "collection": "articles",
         "query": {"locale": "*", "sort": "title:desc"}})
x = ws.recv(5) or {}
ok(x.get("type") == "result" and
   same(x, [("locale", "*"), ("sort", "title:desc")]),
   "WS: locale=* sorted, as REST")

fr = [a for a in star["data"] if a["locale"] == "fr"][0]["documentId"]
en = [a for a in star["data"] if a["locale"] == "en"][0]["documentId"]
for doc, loc, title in ((fr, "fr", "Bonjour modifié"),
                        (en, "en", "Hello renamed")):
    edit(doc, loc, title)
    r = first(sse["all"])
    ok(r and same(r, QS["all"]), "SSE: after the %s change, REST's "
       "answer again" % loc)
    x = ws.recv(5) or {}
    ok(x.get("type") == "result" and
       same(x, [("locale", "*"), ("sort", "title:desc")]),
       "WS: the same")
got = []
while True:
    e = sse["filtered"].next(2)
    if e is None:
        break
    got.append(json.loads(e["data"]))
ok(len(got) == 2 and same(got[-1], QS["filtered"]),
   "SSE: the filtered query got both changes (%d results), the last "
   "REST's answer" % len(got))

pairs = [("locale", "*"), ("cursor", "x")]
st, want = rest_json(H, LP, "articles", enc(pairs))
bad = SSE(H, P, "/live/query?collection=articles&" + enc(pairs))
body = json.loads(bad.body() or "{}")
bad.close()
is_((bad.status, body.get("error", {}).get("message")),
    (st, want["error"]["message"]),
    "SSE: locale=* with a cursor is REST's %d %s" %
    (st, want["error"]["message"]))
# without a schema (none given, none kept in the store), REST refuses
# locale=*: so does the sidecar
plain = Sidecar(push_heartbeat=3600, schema_dir="")
bad = SSE(H, plain.port, "/live/query?collection=articles&locale=*")
body = json.loads(bad.body() or "{}")
bad.close()
is_((bad.status, body.get("error", {}).get("message")),
    (400, "Invalid locale '*': one locale code is served at a time"),
    "SSE without a schema: locale=* is REST's 400 and message (query.fcgi's "
    "without schema_dir)")
plain.stop()
for s in sse.values():
    s.close()
ws.close()
sc.stop()
done()
