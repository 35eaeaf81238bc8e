#!/usr/bin/env python3
"""gen_delivery.py: synthetic Strapi 5 webhook bodies, in the recorded shape.

usage: gen_delivery.py EVENT DOCUMENT_ID N [CATEGORY] [SLUG]
       gen_delivery.py --batch OUTDIR < lines "NAME EVENT DOCUMENT_ID N [CATEGORY] [SLUG]"
Prints one compact JSON body (or writes OUTDIR/NAME per line). N orders
versions: updatedAt and publishedAt grow with N. EVENT is entry.publish,
entry.unpublish, entry.delete, or entry.update (a draft save).
"""
import json
import os
import sys
from datetime import datetime, timedelta, timezone

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def ts(ms):
    t = BASE + timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def body(event, doc, n, category="tech", slug=None):
    draft = event == "entry.update"
    entry = {
        "id": n + 1,
        "documentId": doc,
        "title": "Article %s v%d" % (doc, n),
        "slug": slug or "slug-" + doc,
        "content": "# %s\n\nBody %d.\n" % (doc, n),
        "excerpt": "Excerpt %d" % n,
        "category": category,
        "createdAt": ts(0),
        "updatedAt": ts(n * 1000),
        "publishedAt": None if draft else ts(n * 1000 + 7),
    }
    return json.dumps({"event": event, "createdAt": ts(n * 1000 + 9),
                       "model": "article", "uid": "api::article.article",
                       "entry": entry}, separators=(",", ":"))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--batch":
        for line in sys.stdin:
            f = line.split()
            if not f:
                continue
            with open(os.path.join(sys.argv[2], f[0]), "w") as out:
                out.write(body(f[1], f[2], int(f[3]), *f[4:6]))
        return
    a = sys.argv[1:]
    sys.stdout.write(body(a[0], a[1], int(a[2]), *a[3:5]))


main()
