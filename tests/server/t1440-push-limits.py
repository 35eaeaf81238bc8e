# t1440-push-limits.py: the checks of t1440-push-limits.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, socket, time
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]
sc = Sidecar(push_max_clients=3, push_max_per_addr=2, push_token="tok-123",
             cors_origins="https://ok.example", push_queue=4096)
P = sc.port

s = SSE(H, P, "/live/events")
is_(s.status, 401, "no token: 401")
ok('"error"' in s.body(), "with a JSON error body")
s = SSE(H, P, "/live/events?token=wrong")
is_(s.status, 401, "wrong token: 401")
a = SSE(H, P, "/live/events?token=tok-123")
is_(a.status, 200, "token in the query string")
b = SSE(H, P, "/live/events", {"Authorization": "Bearer tok-123"})
is_(b.status, 200, "token as Bearer")
c = SSE(H, P, "/live/events?token=tok-123")
is_(c.status, 429, "third connection from one address: 429")
b.close()
wait_for(lambda: sc.health().get("clients") == 1, 3)
o = SSE(H, P, "/live/events?token=tok-123", {"Origin": "https://ok.example"})
is_(o.headers.get("access-control-allow-origin"), "https://ok.example",
    "CORS: allowed origin echoed")
o.close()
x = SSE(H, P, "/live/events?token=tok-123", {"Origin": "https://evil.example"})
is_(x.status, 403, "CORS: other origin refused")
try:
    WS(H, P, "/live/ws?token=tok-123", {"Origin": "https://evil.example"})
    ok(False, "WebSocket from another origin refused")
except IOError:
    ok(True, "WebSocket from another origin refused")
try:
    WS(H, P, "/live/ws")
    ok(False, "WebSocket without token refused")
except IOError:
    ok(True, "WebSocket without token refused")
a.close()
sc.stop()

# Total limit. Heartbeats are an hour apart here: a closed SSE stream
# must be noticed when the client goes, not at the next write.
sc = Sidecar(push_max_clients=2, push_queue=4096, push_heartbeat=3600)
P = sc.port
a = SSE(H, P, "/live/events")
b = WS(H, P)
c = SSE(H, P, "/live/events")
is_(c.status, 503, "over the total connection limit: 503")
a.close()
b.close()
ok(wait_for(lambda: sc.health().get("clients") == 0, 5),
   "closed clients are released at once")
sc.stop()

sc = Sidecar(push_max_clients=10, push_queue=4096)
P = sc.port

slow = socket.create_connection((H, P))
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.sendall(b"GET /live/query?collection=articles&pageSize=100 HTTP/1.1\r\n"
             b"Host: x\r\n\r\n")
live = SSE(H, P, "/live/events")
is_(live.status, 200, "reading client connected")
for i in range(1, 41):
    post_body(W, big_article("big%d" % i, i))
evs = live.events(40, 10)
is_(len(evs), 40, "a reading client gets every change while one is stuck")
st, body, _ = http_get(H, P, "/live/metrics")
m = dict(l.rsplit(" ", 1) for l in body.split("\n") if l and not l.startswith("#"))
ok(int(m.get("strapi_live_push_coalesced_total", 0)) +
   int(m.get("strapi_live_push_slow_closed_total", 0)) > 0,
   "stuck query subscriber is coalesced or closed, not buffered without bound")
ok(sc.healthy(), "sidecar healthy")

# Slow raw-stream reader: falls back to the change log, still gets all.
# (A tiny SO_RCVBUF would test the kernel's zero-window probing instead:
# the reader sleeps between small reads.)
slow2 = socket.create_connection((H, P))
slow2.sendall(b"GET /live/events?lastEventId=0 HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(0.5)
data = b""
slow2.settimeout(5)
end = time.time() + 10
while data.count(b"\nid: ") < 40 and time.time() < end:
    time.sleep(0.002)
    try:
        d = slow2.recv(8192)
    except socket.timeout:
        break
    if not d:
        break
    data += d
ids = [int(l[4:]) for l in data.decode(errors="replace").split("\n")
       if l.startswith("id: ")]
is_(ids, list(range(1, 41)), "slow reader of the raw stream catches up from the log in order")
slow.close()
slow2.close()
sc.stop()

# Browsers that leave after receiving changes: each closed stream is
# released, and the sidecar does not spin on the closed sockets meanwhile.
def cpu_ticks(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
for loop in ("auto", "poll"):
    sc = Sidecar(push_heartbeat=3600, push_loop=loop)
    P = sc.port
    streams = [SSE(H, P, "/live/events") for _ in range(20)]
    queries = [SSE(H, P, "/live/query?collection=articles") for _ in range(5)]
    ok(all(q.next(5) is not None for q in queries), "%s loop: query streams: first result" % loop)
    streams += queries
    post_body(W, article("leave-" + loop, "leave-" + loop, "tech",
                        updated="2030-01-01T00:00:00.000Z",
                        published="2030-01-01T00:00:00.000Z"))
    got = [s.next(5) for s in streams]
    ok(all(e is not None for e in got), "%s loop: every stream received the change" % loop)
    t0 = cpu_ticks(sc.proc.pid)
    for s in streams:
        s.close()
    ok(wait_for(lambda: sc.health().get("clients") == 0, 5),
       "%s loop: 25 streams closed by their clients are released without a heartbeat" % loop)
    time.sleep(1)
    spent = cpu_ticks(sc.proc.pid) - t0
    ok(spent < 50, "%s loop: sidecar idle after the clients left (%d ticks in ~1 s)" % (loop, spent))
    st, body, _ = http_get(H, P, "/live/metrics")
    ok("strapi_live_push_sse_hangups_total 25" in body,
       "%s loop: metrics count the 25 hang-ups" % loop)
    sc.stop()
    log = open(os.environ["T"] + "/push.log").read()
    ok(("event loop: libuv" if loop == "auto" else "event loop: poll") in log,
       "%s loop: the sidecar ran on the expected loop" % loop)
done()
