# t1430-push-ws.py: the checks of t1430-push-ws.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, time
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]
sc = Sidecar(push_max_subs=3, push_max_message=256, push_heartbeat=1)
P = sc.port

post_body(W, article("t1", "t1", "tech", updated=iso(1), published=iso(1)))
ws = WS(H, P)
ws.send({"type": "subscribe", "id": "a", "collection": "articles",
         "query": {"category": "tech"}})
ws.send({"type": "subscribe", "id": "b", "collection": "articles",
         "query": {"category": "ops", "pageSize": 5}})
m = ws.msgs(2, 3)
byid = {x.get("id"): x for x in m}
ok(byid.get("a", {}).get("type") == "result" and
   [e["documentId"] for e in byid["a"]["data"]] == ["t1"],
   "subscribe: result at once")
ok(byid.get("b", {}).get("data") == [], "second subscription on the same socket")
ok("seq" in byid.get("a", {}), "result has seq")
post_body(W, article("d1", "d1", "design", updated=iso(2), published=iso(2)))
ok(ws.recv(1.0) is None, "design change sends nothing to tech/ops")
post_body(W, article("t1", "t1", "ops", updated=iso(3), published=iso(3)))
m = {x["id"]: x for x in ws.msgs(2, 3)}
is_(sorted(m), ["a", "b"], "move tech -> ops updates both subscriptions")
is_([e["documentId"] for e in m.get("b", {}).get("data", [])], ["t1"],
    "ops result now has the entry")
ws.send({"type": "unsubscribe", "id": "a"})
is_(ws.recv(3), {"type": "unsubscribed", "id": "a"}, "unsubscribe acknowledged")
post_body(W, article("t2", "t2", "tech", updated=iso(4), published=iso(4)))
ok(ws.recv(1.0) is None, "no more results after unsubscribe")

ws.send({"type": "changes", "since": 0})
m = ws.msgs(4, 3)
is_([x.get("seq") for x in m], [1, 2, 3, 4], "changes since 0 replays the log")
ok(all(x.get("type") == "change" for x in m), "as change messages")
post_body(W, article("t3", "t3", "design", updated=iso(5), published=iso(5)))
x = ws.recv(3)
ok(x and x.get("type") == "change" and x.get("seq") == 5 and
   x.get("entry", {}).get("slug") == "t3", "live change follows")

# Errors are messages, not crashes.
def err(msg, name, want=None):
    ws.send(msg)
    r = ws.recv(3)
    ok(r and r.get("type") == "error" and (want is None or want in r["message"]),
       name)
    return r
err("not json", "invalid JSON answered with an error")
err("[1,2]", "non-object answered with an error")
err({"type": "dance"}, "unknown type answered with an error")
r = err({"type": "subscribe", "id": "x", "collection": "nope"},
        "unknown collection answered with an error")
is_(r and r.get("id"), "x", "error carries the subscription id")
err({"type": "subscribe", "id": "y", "collection": "articles",
     "query": {"title": "z"}}, "unknown query key refused", "unknown")
err({"type": "subscribe", "collection": "articles"}, "missing id refused")
err({"type": "subscribe", "id": "b", "collection": "articles"},
    "duplicate id refused", "in use")
err({"type": "unsubscribe", "id": "zz"}, "unknown unsubscribe refused")
ws.send({"type": "subscribe", "id": "c", "collection": "articles"})
ws.send({"type": "subscribe", "id": "d", "collection": "articles"})
ws.msgs(2, 3)
err({"type": "subscribe", "id": "e", "collection": "articles"},
    "subscriptions per socket limited", "too many")
ok(ws.pings >= 0 and wait_for(lambda: (ws.recv(0.2), ws.pings)[1] >= 1, 3),
   "WebSocket pings as heartbeat")
ws.close()

# Fragmented message reassembled.
w2 = WS(H, P)
msg = json.dumps({"type": "subscribe", "id": "f", "collection": "articles"}).encode()
w2.send_raw(w2.frame(1, msg[:10], fin=False) + w2.frame(0, msg[10:]))
r = w2.recv(3)
ok(r and r.get("type") == "result" and r.get("id") == "f",
   "fragmented message reassembled")
# Oversized message closes with 1009.
w2.send({"type": "subscribe", "id": "g", "collection": "articles",
         "pad": "x" * 400})
w2.recv(3)
is_(w2.close_code, 1009, "oversized message closes with 1009")

# Malformed frames: unmasked client frame, bad UTF-8, binary, reserved bits.
for name, build in [
        ("invalid UTF-8", lambda w: w.frame(1, b'{"type":"\xff\xfe"}')),
        ("binary frame", lambda w: w.frame(2, b"\x00\x01")),
        ("reserved bits", lambda w: w.frame(1, b"{}", rsv=4)),
        ("bad opcode", lambda w: w.frame(3, b"{}"))]:
    w = WS(H, P)
    w.send_raw(build(w))
    w.recv(3)
    ok(w.closed, "%s closes the connection" % name)
    w.close()
ok(sc.healthy(), "sidecar still healthy after malformed frames")
# Many changes at once (a replay): sent as several frames per write; each
# arrives whole and in order, across the 7-bit, 16-bit and 64-bit lengths.
first = int(sc.health().get("lastSeq", 0))
titles = {}
for i in range(12):
    t = ("wsbig-%02d-" % i) + "z" * (40 + 9000 * i)
    r = post_body(W, article("wsbig-%d" % i, "wsbig-%d" % i, "tech", title=t,
                             updated=iso(200 + i)))
    titles[r.get("seq")] = t
w = WS(H, P)
w.send({"type": "changes", "since": first})
got = w.msgs(12, 10)
is_([g.get("seq") for g in got], sorted(titles), "replay: 12 changes in order, once")
ok(all(titles.get(g.get("seq")) == (g.get("entry") or {}).get("title")
       for g in got), "replay: every frame whole")
w.close()
# Wrong path refused.
try:
    WS(H, P, "/live/nope")
    ok(False, "upgrade on another path refused")
except IOError:
    ok(True, "upgrade on another path refused")
done()
