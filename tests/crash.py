#!/usr/bin/env python3
# crash.py: webhook writers SIGKILLed at random points under a concurrent
# webhook load (run by tests/server/t1500-crash-kill.sh and, hundreds of
# times, by tests/soak/crash.sh). Posters record every delivery answered
# 2xx; the killer picks a random webhook.fcgi worker at a random moment.
# Writes acked document ids to $T/acked and a summary line to stdout.
import http.client
import json
import os
import random
import signal
import sys
import threading
import time

from push_client import procs

PORT = int(os.environ["LIGHTTPD_PORT"])
SECRET = os.environ["STRAPI_LIVE_WEBHOOK_SECRET"]
PROG = os.environ["WEBHOOK_FCGI"]
PARENT = os.environ["LIGHTTPD_PID"]  # only this server's workers
KILLS = int(os.environ.get("KILLS", "25"))
POSTERS = int(os.environ.get("POSTERS", "6"))
T = os.environ["T"]
HANG = 30.0  # a request slower than this is a hang

stop = threading.Event()
lock = threading.Lock()
acked, codes, slowest = [], {}, [0.0]


def body(doc, n):
    t = "2026-03-01T00:%02d:%02d.%03dZ" % (n // 60000 % 60, n // 1000 % 60,
                                           n % 1000)
    return json.dumps({"event": "entry.publish", "model": "article",
                       "uid": "api::article.article", "createdAt": t,
                       "entry": {"id": n, "documentId": doc,
                                 "title": "crash %s" % doc, "slug": doc,
                                 "content": "x" * random.randint(10, 3000),
                                 "excerpt": "e", "category": "ops",
                                 "createdAt": t, "updatedAt": t,
                                 "publishedAt": t}}).encode()


def poster(pid):
    n = 0
    while not stop.is_set():
        n += 1
        doc = "c%d-%d" % (pid, n)
        t0 = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=HANG)
            c.request("POST", "/hook", body(doc, n),
                      {"Content-Type": "application/json",
                       "Authorization": "Bearer " + SECRET})
            r = c.getresponse()
            st = r.status
            answer = r.read()
            c.close()
        except Exception as e:
            st = "exc:" + type(e).__name__
            answer = b""
        dt = time.time() - t0
        with lock:
            codes[st] = codes.get(st, 0) + 1
            slowest[0] = max(slowest[0], dt)
            if st == 200 and b'"upserted"' in answer:
                acked.append(doc)


def workers():
    return procs(PROG, PARENT)


threads = [threading.Thread(target=poster, args=(i,)) for i in range(POSTERS)]
for t in threads:
    t.start()
killed = 0
restarts = 0
t_start = time.time()
last_seen = time.time()
while killed < KILLS:
    time.sleep(random.uniform(0.0, 0.08))
    w = workers()
    if not w:
        # lighttpd 1.4.69 stops respawning a backend whose processes keep
        # dying ("all handlers ... are down"); a graceful restart
        # (SIGUSR1) starts them again. Counted in the summary.
        if time.time() - last_seen > 3.0:
            os.kill(int(PARENT), signal.SIGUSR1)
            restarts += 1
            last_seen = time.time()
        continue
    last_seen = time.time()
    try:
        os.kill(random.choice(w), signal.SIGKILL)
        killed += 1
    except ProcessLookupError:
        pass
time.sleep(0.5)
stop.set()
for t in threads:
    t.join()
with open(os.path.join(T, "acked"), "w") as f:
    f.write("\n".join(acked) + "\n")
print(json.dumps({"kills": killed, "seconds": round(time.time() - t_start, 1),
                  "acked": len(acked), "lighttpd_restarts": restarts,
                  "answers": {str(k): v for k, v in codes.items()},
                  "slowest_s": round(slowest[0], 2)}))
