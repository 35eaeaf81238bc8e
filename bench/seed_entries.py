#!/usr/bin/env python3
"""seed_entries.py: N flat articles shaped like the seeds' (~0.9 KB each,
so a 25-entry list is about the 23 KB page Strapi was measured with), as
JSON lines for strapi-live import; price runs from 0 to 999 (N/1000
entries each). Used by the bench/ scripts.

usage: seed_entries.py N
"""
import json, sys
n = int(sys.argv[1])
cats = ["tech", "design", "ops"]
body = ("# Seed article\n\nIntro paragraph with **bold**, _italic_ and `code`.\n\n"
        "```c\nint main(void) { return 0; }\n```\n\n1. first\n2. second\n") * 4
for i in range(n):
    s, m = i % 60, (i // 60) % 60
    h, d = (i // 3600) % 24, i // 86400
    t = "2026-%02d-%02dT%02d:%02d:%02d.000Z" % (1 + d // 28, 1 + d % 28, h, m, s)
    print(json.dumps({"id": i + 1, "documentId": "seed%020d" % i,
        "title": "Seed Article %d" % i, "slug": "seed-article-%04d" % i,
        "content": body, "excerpt": "Short summary of seed article %d." % i,
        "category": cats[i % 3], "price": (i * 7919) % 1000,
        "createdAt": t, "updatedAt": t,
        "publishedAt": t}, separators=(",", ":")))
