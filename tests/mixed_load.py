#!/usr/bin/env python3
"""mixed_load.py: N mixed requests against webhook, query and events.

mixed_load.py BASE SECRET N: about N requests in all, in three threads
over keep-alive connections: webhooks (publish, republish, draft saves,
unpublish, delete, wrong secret, bad JSON, bad content type, oversize),
queries (list, pages, cursor, category, slug, documentId, 404, 400, 304,
HEAD, OPTIONS) and events.fcgi JSON pages. Prints a JSON summary of the
status codes per program; exits 1 when a request got no answer or a 5xx.
"""
import http.client
import json
import random
import sys
import threading
import urllib.parse

base, secret, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlsplit(base)
lock = threading.Lock()
counts = {}
bad = []


def conn():
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def run(name, n, make):
    c = conn()
    rnd = random.Random(name)
    for i in range(n):
        method, path, body, headers = make(rnd, i)
        for attempt in (0, 1):
            try:
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                r.read()
                st = r.status
                break
            except (http.client.HTTPException, OSError) as e:
                c.close()
                c = conn()
                st = type(e).__name__
        with lock:
            k = "%s %s" % (name, st)
            counts[k] = counts.get(k, 0) + 1
            if not isinstance(st, int) or st >= 500:
                bad.append(k)


def article(doc, i, published=True, event="entry.publish"):
    t = "2026-04-01T00:00:%02d.%03dZ" % ((i // 1000) % 60, i % 1000)
    return json.dumps({
        "event": event, "createdAt": t, "model": "article",
        "uid": "api::article.article",
        "entry": {"id": i, "documentId": doc, "title": "Title %d" % i,
                  "slug": "slug-%s" % doc, "content": "x" * (i % 300),
                  "excerpt": "e", "category": ["tech", "ops", "design"][i % 3],
                  "createdAt": t, "updatedAt": t,
                  "publishedAt": t if published else None}})


def hook(rnd, i):
    doc = "vg%022d" % rnd.randrange(40)
    h = {"Content-Type": "application/json",
         "Authorization": "Bearer " + secret}
    k = i % 10
    if k < 4:
        b = article(doc, i)
    elif k == 4:
        b = article(doc, i, published=False, event="entry.update")
    elif k == 5:
        b = article(doc, i, event="entry.unpublish")
    elif k == 6:
        b = article(doc, i, event="entry.delete")
    elif k == 7:
        b = article(doc, i)
        h["Authorization"] = "Bearer wrong"
    elif k == 8:
        b = '{"event":"entry.publish","entry":{"documentId":' + \
            ('"x' * (i % 5)) + '}'
    else:
        b = '{"event":"media.create","media":{"id":1}}'
        h["Content-Type"] = "text/plain" if i % 20 == 9 else h["Content-Type"]
    return "POST", "/strapi/webhook", b.encode(), h


def query(rnd, i):
    doc = "vg%022d" % rnd.randrange(40)
    paths = ["/api/articles", "/api/articles?pagination%5BpageSize%5D=3",
             "/api/articles?pagination%5Bpage%5D=2&pagination%5BpageSize%5D=5",
             "/api/articles?category=tech", "/api/articles?sort=publishedAt:asc",
             "/api/articles?filters%5Bslug%5D%5B%24eq%5D=slug-" + doc,
             "/api/articles/slug/slug-" + doc, "/api/articles/" + doc,
             "/api/articles/nosuchdocument", "/api/articles?populate=*",
             "/api/articles?fields%5B0%5D=title",
             "/api/articles?pagination%5Bstart%5D=2&pagination%5Blimit%5D=4",
             "/api/articles?cursor=bogus", "/api/nosuch"]
    p = paths[i % len(paths)]
    h = {}
    if i % 17 == 0:
        h["If-None-Match"] = 'W/"1"'
    if i % 23 == 0:
        return "OPTIONS", p, None, {"Origin": "https://x.example",
                                    "Access-Control-Request-Method": "GET"}
    return ("HEAD" if i % 19 == 0 else "GET"), p, None, h


def events(rnd, i):
    since = rnd.randrange(0, 50)
    p = ["/events?format=json&since=%d&limit=%d" % (since, 1 + i % 20),
         "/events?format=json&since=%d&collection=articles" % since,
         "/events?format=json&since=abc", "/events?format=json&limit=0"]
    return "GET", p[i % len(p)], None, {}


n = max(3, total)
ts = [threading.Thread(target=run, args=a) for a in
      (("webhook", n * 4 // 10, hook), ("query", n * 4 // 10, query),
       ("events", n - 2 * (n * 4 // 10), events))]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(json.dumps({"counts": counts, "bad": len(bad)}, sort_keys=True))
sys.exit(1 if bad else 0)
