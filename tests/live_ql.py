"""live_ql.py: t1280's schema, generator and seeded content for the live
query tests (t1370, t1380, t1390, bench/live-queries.sh)."""
import importlib.util
import json
import os
import random
import urllib.parse

from push_client import is_, rest_json, same_as_rest

_spec = importlib.util.spec_from_file_location(
    "ql", os.path.join(os.environ["top_srcdir"], "tests", "server",
                       "t1280-query-language.py"))
ql = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ql)


def clean(d):
    """d without its absent attributes."""
    return {k: v for k, v in d.items() if v is not ql.ABSENT}


def person_body(p, t=0):
    """Person p as a webhook entry, version t (ms after t1280's BASE)."""
    return dict(clean(p), createdAt=ql.iso(ql.BASE),
                updatedAt=ql.iso(ql.BASE + t), publishedAt=ql.iso(ql.BASE))


def seed(port, n, check=True):
    """t1280's seeded people and items (random.Random(n)) posted through
    the webhook on port: (rnd, people, items)."""
    rnd = random.Random(n)
    ppl = ql.people(rnd)
    its = ql.items(rnd, ppl)
    for p in ppl:
        ql.post(port, "person", person_body(p))
    bad = [e["id"] for e in its if ql.post(port, "item", e) != 200]
    if check:
        is_(bad, [], "%d people and %d items stored" % (len(ppl), len(its)))
    return rnd, ppl, its


def enc(pairs):
    """pairs as a query string."""
    return urllib.parse.urlencode(pairs)


def rest(pairs):
    """REST's (status, answer) to GET /api/items?pairs (lighttpd of
    ql_live_start)."""
    return rest_json("127.0.0.1", int(os.environ["LIGHTTPD_PORT"]), "items",
                     enc(pairs))


def same(res, pairs):
    """A live result equal to REST's answer to pairs (pagination too)."""
    return same_as_rest(res, "127.0.0.1", int(os.environ["LIGHTTPD_PORT"]),
                        "items", enc(pairs), pagination=True)


def first(s):
    """The next SSE result of s, parsed ({} when none comes in 5 s)."""
    e = s.next(5)
    return json.loads(e["data"]) if e else {}
