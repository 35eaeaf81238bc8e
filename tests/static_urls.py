#!/usr/bin/env python3
"""static_urls.py: the URL each file of a static_dir answers (docs/static.md).

usage: static_urls.py STATIC_DIR [API_PREFIX]
Prints one line per answer file (not the change head, _live/): its path under STATIC_DIR, a tab, and the
URL path and query it is the answer to, as query.fcgi is asked for it.
"""
import os
import sys


def url_of(rel, prefix="/api"):
    path, name = rel.rsplit("/", 1)
    form = name[: -len(".json")]
    query = []
    if form != "index":
        for part in form.split("&"):
            key, value = part.split("=", 1)
            if key == "page":
                query.append("pagination[page]=" + value)
            elif key == "locale":
                query.append("locale=" + value)
            else:
                query.append("filters[%s][$eq]=%s" % (key, value))
    url = prefix.rstrip("/") + "/" + path
    return url + ("?" + "&".join(query) if query else "")


def main():
    top = sys.argv[1]
    prefix = sys.argv[2] if len(sys.argv) > 2 else "/api"
    for d, dirs, files in sorted(os.walk(top)):
        dirs.sort()
        for f in sorted(files):
            if f.startswith(".") or not f.endswith(".json"):
                continue
            rel = os.path.relpath(os.path.join(d, f), top)
            if rel.startswith("_live/"):
                continue  # the change head: no query.fcgi answer
            print("%s\t%s" % (rel, url_of(rel, prefix)))


if __name__ == "__main__":
    main()
