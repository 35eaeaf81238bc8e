"""t1281-query-scan-column.py: the checks of t1281-query-scan-column.sh
(what they test: its header comment), run by it once lighttpd is up."""
import json
import os
import re
import sys

from push_client import deliver, diag, finish, ok
from live_ql import ql, seed

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
LOG = os.environ["LOG"]
NQ = int(os.environ.get("QL_QUERIES", "300"))
rnd, ppl, its = seed(LP, 1281)
# t1280's queries with a text condition that must hold: those a column
# may answer (the others scan as before and are not what is compared)
gen = ql.Gen(rnd, ppl, its)
queries = []
while len(queries) < NQ:
    q = gen.query()
    if any(re.match(r"filters\[(title|body|slug|kind)\](\[\$[a-zA-Z]+\])?"
                    r"(\[0\])?$", k) for k, _ in q[0]):
        queries.append(q)
# Values that JSON escapes or that Unicode folds to ASCII, for the edits.
ODD = ['say "hi"', "back\\slash", "path/to", "\\u0041 is not A",
       "\u212aelvin", "\u017ft", "caf\u00e9 \u00c9", "tab\there", None]


def log_lines():
    with open(LOG, errors="replace") as f:
        return [ln for ln in f if "scan: " in ln]


def compare(what):
    db = ql.db_of(ppl, its)
    differ, matched = [], 0
    mark = len(log_lines())
    for pairs, sql, args, page, size in queries:
        want = [row[0] for row in db.execute(sql, args)]
        st, body, path = ql.ask(LP, pairs)
        got = [e.get("id") for e in body.get("data") or []] \
            if st == 200 else None
        total = body.get("meta", {}).get("pagination", {}).get("total") \
            if st == 200 else None
        want_page = want[(page - 1) * size:page * size]
        if st != 200 or got != want_page or total != len(want):
            differ.append((path, st, got, total, want_page, len(want), sql,
                           args))
        else:
            matched += len(want) > 0
    ok(not differ, "%s: %d queries answered as the SQLite reference does "
       "(%d with matches)" % (what, len(queries), matched),
       *["%s: %s %s total %s; reference %s total %d; SQL %s %r" % d
         for d in differ[:5]])
    return log_lines()[mark:]


def edit(j, version, odd=True):
    e = dict(its[j])
    for a in ("title", "body"):
        v = rnd.choice(ODD) if odd else rnd.choice(ql.WORDS)
        if v is None:
            e.pop(a, None) if rnd.random() < 0.5 else e.update({a: None})
        else:
            e[a] = v
    e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + version)
    its[j] = e
    return ql.post(LP, "item", e) == 200


def unpublish(j, version):
    e = its.pop(j)
    body = json.dumps({"event": "entry.unpublish",
                       "createdAt": ql.iso(ql.BASE + version),
                       "model": "item", "uid": "api::item.item",
                       "entry": dict(e, updatedAt=ql.iso(
                           ql.ms_of(e["updatedAt"]) + version))}).encode()
    st, _ = deliver("http://%s:%d/strapi/webhook" % (H, LP), body)
    return st == 200


def add(i, version):
    e = dict(rnd.choice(its))
    e.update(id=7000 + i, documentId=ql.doc_id(rnd), slug="new-%d" % i,
             title=rnd.choice(ODD[:-1]),
             updatedAt=ql.iso(ql.ms_of(e["updatedAt"]) + version))
    its.append(e)
    return ql.post(LP, "item", e) == 200


def changes(n, version):
    done = 0
    for i in range(n):
        x = rnd.random()
        if x < 0.6:
            done += edit(rnd.randrange(len(its)), version + i)
        elif x < 0.8:
            done += unpublish(rnd.randrange(len(its)), version + i)
        else:
            done += add(version + i, version + i)
    return done


if sys.argv[1] == "bound":
    mark = len(log_lines())
    db = ql.db_of(ppl, its)
    refused, differ = 0, []
    for pairs, sql, args, page, size in queries:
        st, body, path = ql.ask(LP, pairs)
        if st == 400 and "(query_max_scan)" in \
                (body.get("error") or {}).get("message", ""):
            refused += 1  # the scan's bound
            continue
        want = [row[0] for row in db.execute(sql, args)]
        got = [e.get("id") for e in body.get("data") or []]
        if st != 200 or got != want[(page - 1) * size:page * size]:
            differ.append("%s: %s %r" % (path, st, got))
    lines = log_lines()[mark:]
    ok(refused > len(queries) // 2 and not differ,
       "query_max_scan 100: %d of %d queries refused by the bound, the "
       "others (a slug's) answered as the reference" %
       (refused, len(queries)), *differ[:3])
    ok(any("no column (more entries than query_max_scan)" in ln
           for ln in lines) and
       not any("the column (" in ln for ln in lines),
       "no column is read for a collection over query_max_scan",
       *lines[:3])
    sys.exit(finish())
if sys.argv[1] == "small":
    lines = compare("query_scan_cache 16384")
    ok(any("no column (over query_scan_cache)" in ln for ln in lines) and
       not any("the column (" in ln for ln in lines),
       "past query_scan_cache no column is kept", *lines[:3])
    sys.exit(finish())
lines = compare("before any change")
ok(any("the column (read whole," in ln for ln in lines) and
   sum("the column (as it was," in ln for ln in lines) > len(queries) // 2,
   "the columns answered: each read once, then as they were",
   *lines[:3])
n = changes(12, 1000)
ok(n == 12, "%d of 12 changes (edits, unpublished, added) posted" % n)
lines = compare("after 12 changes")
ok(any("the column (brought up from the change log," in ln
       for ln in lines),
   "a few changes: the columns brought up from the change log",
   *lines[:3])
n = changes(60, 2000)
ok(n == 60, "%d of 60 changes posted" % n)
lines = compare("after 60 more changes")
ok(any("the column (read whole," in ln for ln in lines) and
   not any("the column (brought up" in ln for ln in lines),
   "more changes than an eighth of the entries: the columns read again",
   *lines[:3])
for j in range(len(its)):
    edit(j, 3000, odd=False)
lines = compare("after every entry was edited")
ok(any("the column (read whole," in ln for ln in lines),
   "every entry edited: the columns read again", *lines[:3])
sys.exit(finish())
