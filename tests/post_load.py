#!/usr/bin/env python3
"""post_load.py: concurrent webhook deliveries for the load tests.

post_load.py URL SECRET THREADS SECONDS OUT: THREADS posters send distinct
published articles to URL for SECONDS; writes to OUT one line per
acknowledged delivery (its documentId) and prints a JSON summary
{"sent","acked","failed","statuses"} on stdout. A delivery counts as
acknowledged only on 200 with "ok":true.
"""
import json
import sys
import threading
import time

from push_client import deliver

url, secret = sys.argv[1], sys.argv[2]
threads, secs, out = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
lock = threading.Lock()
acked, statuses = [], {}
sent = [0]
end = time.time() + secs


def doc_id(t, i):
    return ("load%02d%018d" % (t, i))[:24]


def poster(t):
    i = 0
    while time.time() < end:
        i += 1
        doc = doc_id(t, i)
        ts = "2026-03-01T00:%02d:%02d.%03dZ" % (t % 60, (i // 1000) % 60,
                                                 i % 1000)
        body = json.dumps({
            "event": "entry.publish", "createdAt": ts, "model": "article",
            "uid": "api::article.article",
            "entry": {"id": i, "documentId": doc, "title": "Load " + doc,
                      "slug": "load-" + doc, "content": "c", "excerpt": "e",
                      "category": "tech", "createdAt": ts, "updatedAt": ts,
                      "publishedAt": ts}}).encode()
        st, ans = deliver(url, body, secret)
        with lock:
            sent[0] += 1
            statuses[str(st)] = statuses.get(str(st), 0) + 1
            if st == 200 and ans.get("ok"):
                acked.append(doc)


ts = [threading.Thread(target=poster, args=(t,)) for t in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
with open(out, "w") as f:
    f.write("".join(d + "\n" for d in acked))
print(json.dumps({"sent": sent[0], "acked": len(acked),
                  "failed": sent[0] - len(acked), "statuses": statuses}))
