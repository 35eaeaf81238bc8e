# t1550-drafts-never-served.py: the checks of t1550-drafts-never-served.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, subprocess, urllib.request
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]
LP = int(os.environ["LIGHTTPD_PORT"])
M = "DRAFTLEAK%08x" % int.from_bytes(os.urandom(4), "big")


def raw_post(body, event=""):
    req = urllib.request.Request(W, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + SECRET,
                                          "X-Strapi-Event": event})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def marked(name, tag, **over):
    """A recorded delivery with the marker in every text field."""
    d = json.loads(fixture(name)["raw_body"])
    e = d.get("entry") or d.get("media")
    if e is not None:
        for k in ("title", "content", "excerpt", "name", "caption",
                  "alternativeText"):
            if k in e:
                e[k] = "%s %s %s" % (M, tag, k)
        if "slug" in e:
            e["slug"] = (M + "-" + tag).lower()
        e.update(over)
    else:
        d["marker"] = M
    return json.dumps(d)


# Sync first (it reconciles to what Strapi lists): Strapi's list answers
# published rows; a draft row that slips in (publishedAt null) is not stored.
fu = os.environ["FAKE_URL"]
req = urllib.request.Request(fu + "/_entries", method="POST", data=json.dumps(
    {"plural": "articles", "lose": True, "upsert": [
        {"documentId": "dddddddddddddddddddddddd", "title": M + " sync",
         "slug": (M + "-sync").lower(), "content": M, "publishedAt": None}]}
    ).encode(), headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=5).read()
sy = subprocess.run([os.environ["STRAPI_LIVE"], "sync"], capture_output=True,
                    text=True, timeout=60)
is_(sy.returncode, 0, "sync with a draft upstream succeeds")

# The published versions (the control): document A (fixture 04), B, C.
A = json.loads(fixture("04-entry.publish.json")["raw_body"])["entry"]
st, r = raw_post(fixture("04-entry.publish.json")["raw_body"])
is_(r.get("action"), "upserted", "published version of A stored")
post_body(W, article("bbbbbbbbbbbbbbbbbbbbbbbb", "pub-b", "ops", "Public B",
                     updated=iso(5), published=iso(5)))
post_body(W, article("cccccccccccccccccccccccc", "pub-c", "design",
                     "Public C", updated=iso(6), published=iso(6)))

sc = Sidecar()
P = sc.port
live = [SSE(H, P, "/live/events"),
        SSE(H, P, "/live/query?collection=articles"),
        SSE(H, P, "/live/query?collection=articles&category=tech"),
        SSE(H, P, "/live/query?collection=articles&slug=%s" %
            (M + "-create").lower())]
for s in live[1:]:
    s.next(3)
ws = WS(H, P)
ws.send({"type": "subscribe", "id": "all", "collection": "articles",
         "query": {"pageSize": 100}})
ws.send({"type": "subscribe", "id": "slug", "collection": "articles",
         "query": {"slug": (M + "-create").lower()}})
ws.send({"type": "changes"})
ws.msgs(2, 3)

# Drafts of every kind, in the shapes Strapi 5 sends.
late = "2030-01-01T00:00:00.000Z"
drafts = [
    ("01-entry.create.json", "create", {}, "ignored-draft"),
    ("02-entry.update.json", "update", {}, "ignored-draft"),
    ("03-entry.update.json", "update-before-publish", {}, "ignored-draft"),
    ("05-entry.update.json", "update-of-published", {"updatedAt": late},
     "ignored-draft"),
    ("06-entry.draft-discard.json", "discard", {"updatedAt": late},
     "ignored-draft"),
    ("07-entry.update.json", "update-again", {}, "ignored-draft"),
    ("31-entry.create.json", "create-2", {}, "ignored-draft"),
    ("32-entry.update.json", "update-2", {}, "ignored-draft"),
    ("41-entry.create.json", "rest-status-draft", {}, "ignored-draft"),
    ("37-entry.create.json", "rest-create", {}, "ignored-draft"),
    ("39-entry.update.json", "rest-update", {}, "ignored-draft"),
    ("34-media.create.json", "media-create", {}, "skipped"),
    ("35-media.update.json", "media-update", {}, "skipped"),
    ("36-media.delete.json", "media-delete", {}, "skipped"),
    ("45-trigger-test.json", "trigger", {}, "skipped"),
    # A publish without publishedAt is refused, not stored.
    ("04-entry.publish.json", "publish-null", {"publishedAt": None}, 422),
    # Unpublish and delete carry a whole row: only the removal is kept.
    ("10-entry.unpublish.json", "unpublish",
     {"documentId": "bbbbbbbbbbbbbbbbbbbbbbbb", "updatedAt": late,
      "publishedAt": late}, "removed"),
    ("11-entry.delete.json", "delete",
     {"documentId": "cccccccccccccccccccccccc", "updatedAt": late},
     "removed"),
]
for name, tag, over, want in drafts:
    d = fixture(name)
    st, r = raw_post(marked(name, tag, **over),
                     d["headers"].get("X-Strapi-Event", ""))
    got = st if isinstance(want, int) else r.get("action")
    is_(got, want, "%s (%s) answered %s" % (tag, name, want))
# A draft of a model that is not configured, and a draft with a locale.
b = json.loads(marked("01-entry.create.json", "other-model"))
b["model"], b["uid"] = "page", "api::page.page"
is_(raw_post(json.dumps(b))[1].get("action"), "skipped", "other model skipped")
b = json.loads(marked("01-entry.create.json", "locale", locale="fr"))
is_(raw_post(json.dumps(b))[1].get("action"), "ignored-draft",
    "localized draft ignored")

# A last published change: every live subscriber has seen all before it.
post_body(W, article("eeeeeeeeeeeeeeeeeeeeeeee", "sentinel", "tech",
                     "Sentinel", updated=iso(9), published=iso(9)))
seen = []
def drain_sse(s, what):
    buf = []
    while True:
        e = s.next(1.5)
        if e is None:
            break
        buf.append(e["data"])
        if "Sentinel" in e["data"]:
            break
    ok(any("Sentinel" in x for x in buf), what + " delivered the sentinel")
    seen.extend(buf)
drain_sse(live[0], "live /live/events")
drain_sse(live[1], "live /live/query list")
drain_sse(live[2], "live /live/query category")
got = []
while True:
    m = ws.recv(1.5)
    if m is None:
        break
    got.append(json.dumps(m))
ok(any("Sentinel" in x for x in got), "live /live/ws delivered the sentinel")
seen.extend(got)
e = live[3].next(1.0)
seen.append(e["data"] if e else "")

# Every route, after the fact.
def get(path, port=LP):
    st, body, _ = http_get(H, port, path)
    seen.append(body)
    return st, body

api = "/api/articles"
st, body = get(api + "/" + A["documentId"])
is_(st, 200, "A by documentId")
is_(json.loads(body)["data"]["title"], A["title"],
    "A still served as published (the draft did not replace it)")
st, body = get(api + "?pagination[pageSize]=100".replace("[", "%5B").replace("]", "%5D"))
titles = [x["title"] for x in json.loads(body)["data"]]
ok(A["title"] in titles and "Sentinel" in titles and
   "Public B" not in titles and "Public C" not in titles,
   "list: A and the sentinel, not B (unpublished) nor C (deleted)")
q = lambda s: s.replace("[", "%5B").replace("]", "%5D").replace("$", "%24")
for path in [api, api + "?sort=publishedAt:asc", api + "?category=tech",
             api + "?category=ops", api + "?category=design",
             q(api + "?filters[category][$eq]=tech"),
             q(api + "?pagination[start]=0&pagination[limit]=100"),
             q(api + "?pagination[page]=2&pagination[pageSize]=1"),
             q(api + "?fields[0]=title&fields[1]=content"),
             api + "?status=published", api + "?locale=fr",
             q(api + "?filters[slug][$eq]=%s" % (M + "-create").lower())]:
    st, body = get(path)
    ok(st in (200, 400), "GET %s answered (%d)" % (path, st))
st, body = get(q(api + "?pagination[pageSize]=1"))
cur = json.loads(body)["meta"]["pagination"].get("nextCursor")
while cur:
    st, body = get(api + "?cursor=" + cur)
    cur = json.loads(body)["meta"]["pagination"].get("nextCursor")
for tag in ("create", "create-2", "sync", "rest-status-draft", "locale"):
    st, _ = get(api + "/slug/" + (M + "-" + tag).lower())
    is_(st, 404, "draft slug %s: 404" % tag)
for doc in ("bbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccc",
            "dddddddddddddddddddddddd",
            json.loads(fixture("31-entry.create.json")["raw_body"])
            ["entry"]["documentId"],
            json.loads(fixture("41-entry.create.json")["raw_body"])
            ["entry"]["documentId"]):
    st, _ = get(api + "/" + doc)
    is_(st, 404, "draft/unpublished document %s: 404" % doc[:6])
st, _ = get(api + "?status=draft")
is_(st, 400, "status=draft refused")
st, body = get("/cgi-bin/events.fcgi?since=0&format=json&limit=1000")
is_(st, 200, "events.fcgi JSON from 0")
drain_sse(SSE(H, LP, "/cgi-bin/events.fcgi?since=0"), "events.fcgi SSE from 0")
drain_sse(SSE(H, LP, "/cgi-bin/events.fcgi", {"Last-Event-ID": "0"}),
          "events.fcgi SSE (Last-Event-ID)")
s = SSE(H, P, "/live/events?lastEventId=0")
drain_sse(s, "replayed /live/events")
s = SSE(H, P, "/live/events", {"Last-Event-ID": "0"})
drain_sse(s, "replayed /live/events (Last-Event-ID)")
for qs in ("", "&category=tech", "&slug=" + (M + "-create").lower(),
           "&locale=fr", "&pageSize=100"):
    s = SSE(H, P, "/live/query?collection=articles" + qs)
    e = s.next(3)
    seen.append(e["data"] if e else "")
w2 = WS(H, P)
w2.send({"type": "changes", "since": 0})
w2.send({"type": "subscribe", "id": "x", "collection": "articles",
         "query": {"pageSize": 100}})
got = [json.dumps(m) for m in w2.msgs(100, 2)]
ok(any("Sentinel" in x for x in got), "replayed /live/ws changes")
seen.extend(got)
dump = subprocess.run([os.environ["STRAPI_LIVE"], "dump"],
                      capture_output=True, text=True, timeout=30).stdout
ok(A["title"] in dump, "dump holds the published A")
seen.append(dump)

leaks = [x[:160] for x in seen if M in x or M.lower() in x][:3]
is_(leaks, [], "no draft marker in any of %d answers" % len(seen))
sc.stop()
done()
