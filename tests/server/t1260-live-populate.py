# t1260-live-populate.py: the checks of t1260-live-populate.sh
# (what they test: its header comment), run by it once its set-up is done.
import glob, json, os, urllib.error, urllib.parse, urllib.request
from push_client import *

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
FX = os.environ["FIXTURES_RICH"]
AUTHOR = "pc1j2ob6vnqzps3oqq3ilsrq"


def post(name):
    return rich_deliver(H, LP, name)


def rest(query):
    return rest_json(H, LP, "articles", query)


def m(name):
    return sc.metric(name)


def authors(res):
    return {e["author"]["name"] for e in res.get("data", [])
            if e.get("author")}


def seen_all():
    return sc.caught_up()


def enc(q):
    return urllib.parse.quote(q, safe="=&")


# Everything up to (not including) the author's rename.
names = sorted(os.path.basename(p) for p in
               glob.glob(os.path.join(FX, "[0-9][0-9]-*.json")))
before = [n for n in names if n < "18-"]
is_([post(n) for n in before], [200] * len(before),
    "the %d deliveries before the author's rename are taken" % len(before))

sc = Sidecar(push_heartbeat=3600)
P = sc.port
QA = "populate[author]=true"
QC = "populate[cover]=true"

# --- the first results -----------------------------------------------------
sse = SSE(H, P, "/live/query?collection=articles&" + enc(QA))
is_(sse.status, 200, "SSE: /live/query with populate[author] is a stream")
ev = sse.next(5)
r_sse = json.loads(ev["data"]) if ev else {}
is_(authors(r_sse), {"Ada Lovelace"}, "SSE: the articles show their author")
ok(same_as_rest(r_sse, H, LP, "articles", QA, pagination=True), "SSE: the result is REST's answer to " + QA)

ws = WS(H, P)
ws.send({"type": "subscribe", "id": "a", "collection": "articles",
         "query": {"populate": {"author": True}}})
ws.send({"type": "subscribe", "id": "c", "collection": "articles",
         "query": {"populate[cover]": "true"}})
first = {x.get("id"): x for x in ws.msgs(2, 5)}
r_ws = first.get("a", {})
is_(r_ws.get("type"), "result", "WS: subscribe with populate has a result")
ok(same_as_rest(r_ws, H, LP, "articles", QA, pagination=True), "WS: the result is REST's answer to " + QA)
ok(r_ws.get("data") == r_sse.get("data"),
   "WS: {\"populate\":{\"author\":true}} is populate[author]=true")
ok(same_as_rest(first.get("c", {}), H, LP, "articles", QC, pagination=True),
   "WS: the result is REST's answer to " + QC)
is_(sc.health().get("queries"), 2, "SSE and WS share the author query")

# --- a change no result embeds: nothing re-rendered ------------------------
r0, q0, d0 = m("renders_total"), m("query_runs_total"), m("dep_marks_total")
is_(post("19-entry.update.category.json"), 200, "a category is renamed")
ok(wait_for(seen_all, 5), "the sidecar has seen it")
r_cat = m("renders_total") - r0
is_(r_cat, 0, "the category change renders no entry")
is_(m("query_runs_total") - q0, 0, "and runs no populate query")
ok(sse.next(0.5) is None and ws.recv(0.5) is None, "and pushes nothing")

# --- the author renamed: the queries that embed it -------------------------
is_(post("18-entry.update.author.json"), 200, "the author is renamed")
ev = sse.next(5)
r_sse = json.loads(ev["data"]) if ev else {}
is_(authors(r_sse), {"Ada King-Lovelace"},
    "SSE: a new result shows the new name")
ok(same_as_rest(r_sse, H, LP, "articles", QA, pagination=True), "SSE: equal to a fresh REST GET")
got = {x.get("id"): x for x in ws.msgs(1, 5)}
is_(sorted(got), ["a"], "WS: the author query gets a new result, the cover one not")
is_(authors(got.get("a", {})), {"Ada King-Lovelace"},
    "WS: the new result shows the new name")
ok(same_as_rest(got.get("a", {}), H, LP, "articles", QA, pagination=True), "WS: equal to a fresh REST GET")
diag("entry renders: %d for the category change, %d for the author's "
     "rename (2 queries subscribed)" % (r_cat, m("renders_total") - r0))
is_(m("query_runs_total") - q0, 1, "one query run: the one embedding the author")
ok(m("dep_marks_total") - d0 >= 1, "queued for what it embeds")

# --- a file renamed (media.update): the query that embeds it ---------------
q1 = m("query_runs_total")
is_(post("58-media.update.json"), 200, "a cover file is renamed")
got = {x.get("id"): x for x in ws.msgs(1, 5)}
r_c = got.get("c", {})
ok("cover-mountains-renamed.png" in
   [(e.get("cover") or {}).get("name") for e in r_c.get("data", [])],
   "WS: the cover query's new result shows the new file name")
ok(same_as_rest(r_c, H, LP, "articles", QC, pagination=True), "WS: equal to a fresh REST GET")
ok(sse.next(0.5) is None, "SSE: the author query gets nothing")
is_(m("query_runs_total") - q1, 1, "one query run: the one embedding the file")

# --- a bad populate: REST's 400 on both transports ------------------------
st, want = rest("populate[nope]=true")
is_(st, 400, "REST: populate of an unknown attribute is 400")
bad = SSE(H, P, "/live/query?collection=articles&" + enc("populate[nope]=true"))
is_(bad.status, 400, "SSE: 400 as well")
body = json.loads(bad.body() or "{}")
is_(body.get("error", {}).get("message"), want["error"]["message"],
    "SSE: with REST's message")
bad.close()
ws.send({"type": "subscribe", "id": "x", "collection": "articles",
         "query": {"populate": {"title": True}}})
e = ws.recv(5) or {}
st, want = rest("populate[title]=true")
is_((e.get("type"), e.get("status")), ("error", 400),
    "WS: populate of a scalar is a 400 error")
is_(e.get("message"), want["error"]["message"], "WS: with REST's message")
ws.close()
sse.close()
sc.stop()

# --- without a schema, populate is refused as before -----------------------
sc = Sidecar(push_heartbeat=3600, schema_dir="", collections="article")
P = sc.port
bad = SSE(H, P, "/live/query?collection=articles&" + enc(QA))
is_(bad.status, 400, "no schema: SSE refuses populate")
bad.close()
ws = WS(H, P)
ws.send({"type": "subscribe", "id": "a", "collection": "articles",
         "query": {"populate": {"author": True}}})
e = ws.recv(5) or {}
is_((e.get("type"), e.get("status")), ("error", 400),
    "no schema: WS refuses populate")
ws.close()
sc.stop()
done()
