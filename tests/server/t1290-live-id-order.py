# t1290-live-id-order.py: the checks of t1290-live-id-order.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, json
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]

# Eight articles, more than the sidecar may scan (query_max_scan 5); their
# ids (the version number of big_article) follow neither documentId nor
# the order they arrive in.
ids = {"a": 5, "b": 3, "c": 8, "d": 1, "e": 7, "f": 2, "g": 6, "h": 4}
for doc, i in sorted(ids.items()):
    post_body(W, big_article(doc, i, size=8))
sc = Sidecar(QUERY_MAX_SCAN="5")
P = sc.port


def docs(e):
    return e and [x["documentId"] for x in json.loads(e["data"])["data"]]


asc = SSE(H, P, "/live/query?collection=articles&pageSize=5")
desc = SSE(H, P, "/live/query?collection=articles&pageSize=5&sort=id:desc")
is_(docs(asc.next(3)), ["d", "f", "b", "h", "a"],
    "default order past query_max_scan: the five lowest ids")
is_(docs(desc.next(3)), ["c", "e", "g", "a", "h"],
    "sort=id:desc: the five highest")

# Strapi 5 gives a new id on each publish: d (id 1) republished as id 20.
post_body(W, big_article("d", 20, size=8))
is_(docs(asc.next(3)), ["f", "b", "h", "a", "g"],
    "d's new id moves it out of the first page")
is_(docs(desc.next(3)), ["d", "c", "e", "g", "a"],
    "and to the top of sort=id:desc")

post_body(W, json.dumps({"event": "entry.delete", "model": "article",
    "uid": "api::article.article", "createdAt": iso(30),
    "entry": {"id": 30, "documentId": "f", "title": "x", "slug": "f",
              "category": "tech", "createdAt": iso(30),
              "updatedAt": iso(30), "publishedAt": None}}))
is_(docs(asc.next(3)), ["b", "h", "a", "g", "e"],
    "a deleted entry leaves the default order")
asc.close()
desc.close()
done()
