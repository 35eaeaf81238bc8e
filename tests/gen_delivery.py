#!/usr/bin/env python3
"""gen_delivery.py: synthetic Strapi 5 webhook bodies, in the recorded shape.

usage: gen_delivery.py EVENT DOCUMENT_ID N [CATEGORY] [SLUG]
Prints one compact JSON body. N orders versions: updatedAt and publishedAt
grow with N. EVENT is entry.publish, entry.unpublish, entry.delete,
entry.update (a draft save: publishedAt null).
"""
import json
import sys
from datetime import datetime, timedelta, timezone

event, doc, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
category = sys.argv[4] if len(sys.argv) > 4 else "tech"
slug = sys.argv[5] if len(sys.argv) > 5 else "slug-" + doc
base = datetime(2026, 1, 1, tzinfo=timezone.utc)


def ts(ms):
    t = base + timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


draft = event == "entry.update"
entry = {
    "id": n + 1,
    "documentId": doc,
    "title": "Article %s v%d" % (doc, n),
    "slug": slug,
    "content": "# %s\n\nBody %d.\n" % (doc, n),
    "excerpt": "Excerpt %d" % n,
    "category": category,
    "createdAt": ts(0),
    "updatedAt": ts(n * 1000),
    "publishedAt": None if draft else ts(n * 1000 + 7),
}
body = {"event": event, "createdAt": ts(n * 1000 + 9), "model": "article",
        "uid": "api::article.article", "entry": entry}
sys.stdout.write(json.dumps(body, separators=(",", ":")))
