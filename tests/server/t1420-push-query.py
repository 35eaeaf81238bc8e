# t1420-push-query.py: the checks of t1420-push-query.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, subprocess, time
from push_client import *
import json
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]
LP = int(os.environ["LIGHTTPD_PORT"])
sc = Sidecar()
P = sc.port

post_body(W, article("t1", "t1", "tech", updated=iso(1), published=iso(1)))
post_body(W, article("o1", "o1", "ops", updated=iso(2), published=iso(2)))
tech = SSE(H, P, "/live/query?collection=articles&category=tech")
ops = SSE(H, P, "/live/query?collection=articles&category=ops")
slug = SSE(H, P, "/live/query?collection=articles&slug=t1")
e = tech.next(3)
d = json.loads(e["data"]) if e else {}
ok(e and e["event"] == "result", "initial result at once")
is_([x["documentId"] for x in d.get("data", [])], ["t1"],
    "initial result holds the tech entries")
ok("seq" in d, "result carries the seq")
is_([x["documentId"] for x in json.loads(ops.next(3)["data"])["data"]],
    ["o1"], "ops subscriber gets its own result")
is_([x["slug"] for x in json.loads(slug.next(3)["data"])["data"]], ["t1"],
    "slug query result")

post_body(W, article("d1", "d1", "design", updated=iso(3), published=iso(3)))
ok(tech.next(1.0) is None, "a change in design does not wake tech")
ok(ops.next(0.3) is None, "nor ops")

post_body(W, article("t1", "t1", "ops", updated=iso(4), published=iso(4)))
e1, e2 = tech.next(3), ops.next(3)
is_(e1 and [x["documentId"] for x in json.loads(e1["data"])["data"]], [],
    "entry moving tech -> ops updates tech (now empty)")
is_(e2 and sorted(x["documentId"] for x in json.loads(e2["data"])["data"]),
    ["o1", "t1"], "and updates ops (now has it)")
e3 = slug.next(3)
ok(e3 and json.loads(e3["data"])["data"][0]["category"] == "ops",
   "slug subscriber sees the new category")

# Same result twice is not resent: republish the same version.
post_body(W, article("o1", "o1", "ops", updated=iso(2), published=iso(2)))
ok(ops.next(1.0) is None, "unchanged result is not resent")

# A result's seq is the one REST answers for the same query: here the
# last change to the slug's holders (4), not the store's (5).
post_body(W, article("d2", "d2", "design", updated=iso(5), published=iso(5)))
sl5 = SSE(H, P, "/live/query?collection=articles&slug=t1&pageSize=5")
e = sl5.next(3)
qs = "filters[slug][$eq]=t1&pagination[pageSize]=5"
out = subprocess.run([os.environ["QUERY_FCGI"]], capture_output=True,
                     env=dict(os.environ, REQUEST_METHOD="GET",
                              GATEWAY_INTERFACE="CGI/1.1",
                              REQUEST_URI="/api/articles?" + qs,
                              QUERY_STRING=qs)).stdout.decode()
body = out.split("\r\n\r\n", 1)[-1].split("\n\n", 1)[-1]
rest = json.loads(body)["meta"]["seq"] if out.startswith("Status: 200") \
    else out[:200]
is_(e and json.loads(e["data"])["seq"], 4,
    "a new slug query's seq: its holders' last change, not the store's")
is_(rest, 4, "REST's meta.seq for the same query")
sl5.close()

h = sc.health()
is_(h.get("queries"), 3, "three distinct queries for three subscribers")
t2 = SSE(H, P, "/live/query?collection=articles&category=tech")
t2.next(3)
is_(sc.health().get("queries"), 3, "a second tech subscriber shares the query")
post_body(W, article("t9", "t9", "tech", updated=iso(9), published=iso(9)))
a, b = tech.next(3), t2.next(3)
ok(a and b and a["data"] == b["data"], "both subscribers get the same bytes")
st, body, _ = http_get(H, P, "/live/metrics")
runs = [l for l in body.split("\n") if l.startswith("strapi_live_push_query_runs_total")]
ok(runs, "metrics list query runs")

for path, why in [("/live/query", "collection missing"),
                  ("/live/query?collection=nope", "unknown collection"),
                  ("/live/query?collection=articles&pageSize=ten",
                   "pageSize not an integer"),
                  ("/live/query?collection=articles&slug=a&category=b",
                   "slug and category")]:
    s = SSE(H, P, path)
    is_(s.status, 400, "400 for %s" % why)
    s.close()
# sort, as REST takes it; without it REST's default order: id ascending
# (every article here has id 1), then documentId.
for q, want in [("sort=publishedAt:desc", ["t9", "d2", "t1", "d1", "o1"]),
                ("sort=publishedAt:asc", ["o1", "d1", "t1", "d2", "t9"]),
                ("sort=slug:desc", ["t9", "t1", "o1", "d2", "d1"]),
                ("", ["d1", "d2", "o1", "t1", "t9"])]:
    s = SSE(H, P, "/live/query?collection=articles" + ("&" + q if q else ""))
    e = s.next(3)
    is_(e and [x["documentId"] for x in json.loads(e["data"])["data"]], want,
        "live query %s: REST's order" % (q or "without sort"))
    s.close()
s = SSE(H, P, "/live/query?collection=articles&sort=nope:asc")
is_(s.status, 400, "400 for a sort on an unknown field")
s.close()
# pageSize out of 1..100 is clamped, as REST's pagination[pageSize] is.
for n in ("0", "1000"):
    s = SSE(H, P, "/live/query?collection=articles&pageSize=" + n)
    is_(s.status, 200, "pageSize %s clamped (200), as REST does" % n)
    s.close()
for x in (tech, ops, slug, t2):
    x.close()

# Trimmed history: a resume point older than the log gives reset.
n = subprocess.run([os.environ["STRAPI_LIVE"], "trim", "--keep-changes", "2"],
                   capture_output=True, text=True)
ok(n.returncode == 0 and json.loads(n.stdout)["removedChanges"] > 0,
   "change log trimmed by strapi-live trim")
h = sc.health()
last = h.get("storeSeq")
r = SSE(H, P, "/live/events", {"Last-Event-ID": "1"})
e = r.next(3)
ok(e and e["event"] == "reset", "resume from a trimmed point gets reset")
is_(e and e["id"], str(last), "reset carries the newest seq as its id")
post_body(W, article("t10", "t10", "tech", updated=iso(10), published=iso(10)))
e = r.next(3)
is_(e and e["id"], str(last + 1), "stream continues after the reset")
r.close()
r = SSE(H, P, "/live/events", {"Last-Event-ID": str(last)})
is_((r.next(3) or {}).get("id"), str(last + 1),
    "resume from a kept point does not reset")
r.close()

# events.fcgi (no daemon): JSON page and bounded SSE stream.
st, body, hd = http_get(H, LP, "/cgi-bin/events.fcgi?since=%d&format=json" % last)
d = json.loads(body) if st == 200 else {}
is_(st, 200, "events.fcgi JSON answers 200")
is_([c["seq"] for c in d.get("data", [])], [last + 1],
    "JSON page holds the changes after since")
is_(d.get("meta", {}).get("next"), last + 1, "with the next since")
st, body, _ = http_get(H, LP, "/cgi-bin/events.fcgi?since=1",
                       {"Accept": "application/json"})
ok(st == 200 and json.loads(body)["meta"]["reset"] is True,
   "JSON: trimmed since says reset (Accept: application/json)")
st, body, _ = http_get(H, LP, "/cgi-bin/events.fcgi?since=x&format=json")
ok(st == 400 and json.loads(body)["error"]["status"] == 400,
   "bad since is a 400 with Strapi's error body")
es = SSE(H, LP, "/cgi-bin/events.fcgi", {"Last-Event-ID": str(last)})
is_(es.status, 200, "events.fcgi stream answers 200")
e = es.next(5)
is_(e and e["id"], str(last + 1), "stream replays after Last-Event-ID")
post_body(W, article("t11", "t11", "tech", updated=iso(11), published=iso(11)))
e = es.next(5)
is_(e and e["id"], str(last + 2), "and streams new changes live")
es.close()
done()
