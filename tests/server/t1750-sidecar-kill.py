# t1750-sidecar-kill.py: the checks of t1750-sidecar-kill.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, subprocess, threading, time
from push_client import *

W = os.environ["WEBHOOK_URL"]
N = int(os.environ["DELIVERIES"])
KILLS = int(os.environ["KILLS"])
SECRET = os.environ["STRAPI_LIVE_WEBHOOK_SECRET"]
sc = Sidecar()
P = sc.port
stop = threading.Event()


lock = threading.Lock()
codes, acked = {}, {}
todo = list(range(N))


def poster(t):
    while True:
        with lock:
            if not todo:
                return
            i = todo.pop(0)
        t0 = time.time()
        doc = "burst%05d" % i
        body = article(doc, "s-" + doc, "tech", updated=iso(i + 1))
        st, ans = deliver(W, body.encode(), SECRET, 60)
        with lock:
            codes[st] = codes.get(st, 0) + 1
            if st == 200:
                acked[doc] = ans.get("seq")
        # 5 posters at ~85/s in all: each sends at most one per 59 ms.
        time.sleep(max(0.0, 0.059 - (time.time() - t0)))


fs = [Follower(P, stop) for _ in range(3)]
for f in fs:
    f.start()
time.sleep(0.5)
ps = [threading.Thread(target=poster, args=(t,)) for t in range(5)]
for t in ps:
    t.start()
kills = 0
while kills < KILLS and any(t.is_alive() for t in ps):
    time.sleep(0.8)
    sc.proc.kill()  # SIGKILL
    sc.proc.wait()
    kills += 1
    time.sleep(0.7)
    sc = Sidecar(port=P)
for t in ps:
    t.join()
is_(kills, KILLS, "the sidecar was SIGKILLed and restarted %d times during the load" % KILLS)
diag("answers: %s" % codes)
is_(codes.get(200, 0), N, "every one of %d deliveries was answered 200" % N)

dump = subprocess.run([os.environ["STRAPI_LIVE"], "dump"], capture_output=True,
                      text=True, timeout=60).stdout
have = {json.loads(l)["documentId"] for l in dump.splitlines() if l.strip()}
missing = ["burst%05d" % i for i in range(N) if "burst%05d" % i not in have]
is_(len(missing), 0, "every delivery is in the store (%d of %d)" % (N - len(missing), N))
last = max([s for s in acked.values() if s] or [0])
ok(last >= N, "the deliveries made %d changes" % last)
ok(wait_for(lambda: all(f.seqs and f.seqs[-1] >= last for f in fs), 15),
   "the live subscribers caught up to change %d" % last)
stop.set()
for f in fs:
    f.join()
for i, f in enumerate(fs):
    is_(sorted(set(f.seqs)) == list(range(1, last + 1)), True,
        "subscriber %d saw every change 1..%d, no gap (%d reconnects)" % (i, last, f.reconnects))
    is_(len(f.seqs), len(set(f.seqs)), "subscriber %d saw no change twice" % i)
    is_(f.resets, 0, "subscriber %d was never told to reload" % i)
sc.stop()
T = os.environ["T"]
err = open(os.path.join(T, "log", "lighttpd-error.log")).read()
out = open(os.path.join(T, "log", "lighttpd.out")).read()
for p in ("response not received", "child exited"):
    is_(err.count(p), 0, "lighttpd logged no '%s'" % p)
gone = [l for l in (err + out).splitlines() if "exiting" in l]
for l in gone[:10]:
    diag(l)
is_(len(gone), 0, "no webhook worker exited")
done()
