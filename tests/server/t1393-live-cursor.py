# t1393-live-cursor.py: the checks of t1393-live-cursor.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, urllib.parse
from push_client import *
from live_ql import enc, first, rest, same, ql, seed

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
rnd, ppl, its = seed(LP, 1393)
sc = Sidecar(push_heartbeat=3600)
P = sc.port


def with_cursor(pairs):
    st, ans = rest(pairs)
    c = ans["meta"]["pagination"].get("nextCursor")
    ok(st == 200 and c, "REST's first page of %s has a nextCursor"
       % enc(pairs))
    return pairs + [("cursor", c)]


beta = with_cursor([("filters[kind][$eq]", "beta"), ("sort", "title:asc"),
                    ("pagination[pageSize]", "5")])
plain = with_cursor([("pagination[pageSize]", "10")])
s_beta = SSE(H, P, "/live/query?collection=items&" + enc(beta))
is_(s_beta.status, 200, "SSE: a live query with a cursor is a stream")
r = first(s_beta)
ok(r.get("data") and same(r, beta), "SSE: the page after the cursor, as "
   "REST answers it (filtered and sorted)")
s_plain = SSE(H, P, "/live/query?collection=items&" + enc(plain))
r = first(s_plain)
ok(r.get("data") and same(r, plain), "SSE: the page after the cursor in "
   "the default order, as REST answers it")
ws = WS(H, P)
ws.send({"type": "subscribe", "id": "c", "collection": "items",
         "query": dict(beta)})
x = ws.recv(5) or {}
ok(x.get("type") == "result" and x.get("data") and same(x, beta),
   "WS: the same page")

# entries change around the cursor: the page follows, as REST
betas = sorted((e for e in its if e.get("kind") == "beta"),
               key=lambda e: (str(e.get("title")), e["id"]))
e = dict(betas[-1], kind="alpha")
e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + 1000)
is_(ql.post(LP, "item", e), 200, "a beta item after the cursor turned alpha")
r = first(s_beta)
ok(r and same(r, beta), "SSE: the page after the cursor is REST's again")
x = ws.recv(5) or {}
ok(x.get("type") == "result" and same(x, beta), "WS: the same")
e = dict(sorted(its, key=lambda e: e["id"])[12], title="AAA first")
e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + 1000)
is_(ql.post(LP, "item", e), 200, "the third item after the cursor (in id "
    "order) changed")
r = first(s_plain)
ok(r and same(r, plain), "SSE: the default order's page after the cursor "
   "is REST's again")

# errors: REST's 400 and message
for pairs in (beta + [("pagination[page]", "2")],
              [("sort", "title:asc"), ("cursor", "nope")]):
    st, want = rest(pairs)
    bad = SSE(H, P, "/live/query?collection=items&" + enc(pairs))
    body = json.loads(bad.body() or "{}")
    bad.close()
    is_((bad.status, body.get("error", {}).get("message")),
        (st, want["error"]["message"]),
        "SSE: %s is REST's %d %s" % (enc(pairs), st,
                                     want["error"]["message"]))
    ws.send({"type": "subscribe", "id": "e", "collection": "items",
             "query": dict(pairs)})
    x = {}
    while x is not None and x.get("id") != "e":
        x = ws.recv(5)
    x = x or {}
    is_((x.get("type"), x.get("status"), x.get("message")),
        ("error", st, want["error"]["message"]),
        "WS: the same error message")
ws.close()
sc.stop()
done()
