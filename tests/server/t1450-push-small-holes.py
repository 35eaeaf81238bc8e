# t1450-push-small-holes.py: the checks of t1450-push-small-holes.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, stat
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]

# The sidecar starts under umask 000: its push.sock must still not be
# writable by others (anyone who can write to it wakes the sidecar).
old = os.umask(0)
sc = Sidecar(cors_origins="https://ok.example")
os.umask(old)
P = sc.port
sock = os.path.join(os.environ["STRAPI_LIVE_STORE_DIR"], "push.sock")
mode = stat.S_IMODE(os.stat(sock).st_mode)
is_(oct(mode), oct(0o600), "push.sock is 0600 under umask 000")

# An allowed origin with 300 more bytes is another origin: refused, as a
# short one is (it used to fail to copy and count as no Origin at all).
long_origin = "https://ok.example" + "x" * 300
s = SSE(H, P, "/live/events", {"Origin": long_origin})
is_(s.status, 403, "SSE: Origin longer than 255 bytes refused")
ok("origin not allowed" in s.body(), "with the origin error")
s = SSE(H, P, "/live/query?collection=articles", {"Origin": long_origin})
is_(s.status, 403, "SSE query: long Origin refused")
try:
    WS(H, P, "/live/ws", {"Origin": long_origin})
    ok(False, "WebSocket: long Origin refused")
except IOError:
    ok(True, "WebSocket: long Origin refused")
s = SSE(H, P, "/live/events", {"Origin": "https://ok.example"})
is_(s.status, 200, "the allowed origin itself still streams")
s.close()

# A resume point too long to be a sequence number is a 400 with a body
# that says so, not a stream that silently starts from now.
post_body(W, article("lei-1", "lei-1", "tech"))
s = SSE(H, P, "/live/events", {"Last-Event-ID": "1" * 300})
is_(s.status, 400, "Last-Event-ID of 300 bytes: 400")
b = s.body()
ok("Last-Event-ID" in b and '"status":400' in b,
   "with a JSON error naming Last-Event-ID")
s = SSE(H, P, "/live/events?lastEventId=" + "1" * 1000)
is_(s.status, 400, "?lastEventId= of 1000 bytes: 400")
s = SSE(H, P, "/live/events", {"Last-Event-ID": "0"})
is_(s.status, 200, "a short Last-Event-ID still resumes")
e = s.next(5)
ok(e is not None and e["id"] == "1", "and replays from the log")
s.close()
sc.stop()
done()
