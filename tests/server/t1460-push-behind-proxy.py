# t1460-push-behind-proxy.py: the checks of t1460-push-behind-proxy.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, resource, socket, time
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]
L = int(os.environ["LIGHTTPD_PORT"])
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

# Defaults: push_max_per_addr 32, trusted proxies 127.0.0.1 and ::1.
sc = Sidecar(port=int(os.environ["SIDECAR_PORT"]), push_heartbeat=3600)
P = sc.port

# The attack: one client (127.0.0.2) opens 1,000 streams through the
# proxy, each forging another X-Forwarded-For; the proxy appends the
# address it saw, and the sidecar takes the right-most untrusted one.
socks, codes = [], {}
t0 = time.time()
for i in range(1000):
    s, c = sse_from("127.0.0.2", H, L, "/live/events",
                    "X-Forwarded-For: 10.%d.%d.1\r\n" % (i // 250, i % 250))
    codes[c] = codes.get(c, 0) + 1
    if c == 200:
        socks.append(s)
    else:
        s.close()
diag("1,000 connections in %.1f s: %r" % (time.time() - t0, codes))
is_(codes.get(200, 0), 32, "one client behind the proxy gets push_max_per_addr (32) streams")
is_(codes.get(429, 0), 968, "the other 968 are refused with 429")
h = sc.health()
is_(h.get("clients"), 32, "the sidecar holds 32 connections, not 1,000")

# Another client behind the same proxy is not affected.
o, c = sse_from("127.0.0.3", H, L, "/live/events")
is_(c, 200, "another client behind the proxy still connects")
ws_ok = True
try:
    w = WS(H, L, "/live/ws")
    w.send({"type": "subscribe", "id": "a", "collection": "articles"})
    ws_ok = w.recv(5) is not None
    w.close()
except IOError:
    ws_ok = False
ok(ws_ok, "a WebSocket through the proxy from the proxy's own address works")

# WebSockets through the proxy are counted the same way.
wss, served = [], 0
for i in range(40):
    try:
        w = ws_from("127.0.0.5", H, L)
    except IOError:
        continue
    w.send({"type": "subscribe", "id": "a", "collection": "articles"})
    served += w.recv(5) is not None
    wss.append(w)
is_(served, 32, "40 WebSockets of one client through the proxy: 32 served")
for w in wss:
    w.close()

# A client that reaches the sidecar directly cannot pass as another by
# forging the header: only a trusted proxy's header is read.
d = [sse_from("127.0.0.4", H, P, "/live/events",
               "X-Forwarded-For: 10.0.0.%d\r\n" % i) for i in range(40)]
dc = [c for _, c in d]
d = [s for s, _ in d]
is_(dc.count(200), 32, "a direct client forging X-Forwarded-For is still one client")
for s in d + socks + [o]:
    s.close()
sc.stop()

# Catch-up copies under one budget: six WebSocket readers ask for every
# change since 0 and stop reading. Without a budget each pins a private
# copy of up to half a push_queue (512 KiB here: 3 MiB); with it they
# share push_catchup_memory, and push_send_timeout closes them.
for i in range(1, 201):
    post_body(W, big_article("cu%d" % i, i))
budget = 262144
sc = Sidecar(push_catchup_memory=budget, push_send_timeout=3,
             push_queue=1048576, push_heartbeat=3600, push_poll_ms=200)
P = sc.port
stuck = []
for i in range(6):
    w = WS(H, P)
    w.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    w.send({"type": "changes", "since": 0})
    stuck.append(w)
peak = 0
end = time.time() + 2
while time.time() < end:
    peak = max(peak, int(metrics(H, P).get("strapi_live_push_catchup_bytes", 0)))
    time.sleep(0.05)
diag("catch-up bytes peak %d (budget %d)" % (peak, budget))
ok(budget / 2 < peak <= budget + 2 * 21000,
   "six stuck catch-ups hold at most push_catchup_memory (plus one message)")
ok(wait_for(lambda: int(metrics(H, P).get("strapi_live_push_send_timeouts_total", 0)) >= 6, 10),
   "readers that stopped are closed after push_send_timeout")
ok(wait_for(lambda: sc.health().get("clients") == 0 and
            int(metrics(H, P).get("strapi_live_push_catchup_bytes", 1)) == 0, 5),
   "their connections and catch-up copies are freed")
r = WS(H, P)
r.send({"type": "changes", "since": 0})
got = [m["seq"] for m in r.msgs(200, 20) if m.get("type") == "change"]
is_(got, list(range(1, 201)), "a reading client then catches up on all 200, in order")
r.close()
for w in stuck:
    w.close()
ok(sc.healthy(), "sidecar healthy")
sc.stop()
done()
