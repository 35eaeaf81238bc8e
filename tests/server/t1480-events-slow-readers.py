# t1480-events-slow-readers.py: the checks of t1480-events-slow-readers.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, socket, time
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]
L = int(os.environ["LIGHTTPD_PORT"])
# 12 MB of change stream from since 0: more than every buffer between
# events.fcgi and a client that does not read (socket buffers, lighttpd).
for i in range(1, 121):
    post_body(W, big_article("slow%d" % i, i, 100000))

stuck = []
for k in range(4):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((H, L))
    s.sendall(b"GET /cgi-bin/events.fcgi HTTP/1.1\r\nHost: x\r\n"
              b"Accept: text/event-stream\r\nLast-Event-ID: 0\r\n\r\n")
    stuck.append(s)
time.sleep(1)
# Every worker is now writing to a client that does not read. A fifth
# request waits for one; without a deadline it waits for ever.
t0 = time.time()
st = None
try:
    f = socket.create_connection((H, L), timeout=30)
    f.sendall(b"GET /cgi-bin/events.fcgi?format=json&since=0&limit=1 "
              b"HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    st = int(f.recv(4096).split()[1])
    f.close()
except Exception as e:
    diag("fifth request: %r" % e)
took = time.time() - t0
diag("fifth request answered after %.1f s" % took)
is_(st, 200, "a fifth client is served while four stop reading")
ok(took < 10, "within the write deadline (2 s) plus a margin, not never")
log = open(os.environ["T"] + "/log/lighttpd.out", errors="replace").read()
ok(log.count("write not taken within 2000 ms") >= 1,
   "the stuck streams were ended by the deadline (logged)")
for s in stuck:
    s.close()
done()
