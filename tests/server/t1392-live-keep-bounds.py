# t1392-live-keep-bounds.py: the checks of t1392-live-keep-bounds.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, urllib.parse
from push_client import *
from live_ql import ql, seed

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
rnd, ppl, its = seed(LP, 1392)
sc = Sidecar(push_heartbeat=3600, push_keep_matches=10,
             push_keep_matches_all=25)
P = sc.port
SIZES = {"ka": 10, "kb": 11, "kc": 10, "kd": 6, "ke": 5}


def m(name):
    return sc.metric(name)


def seen_all():
    return sc.caught_up()


def pairs(b):
    return [("filters[body][$eq]", b)]


def update(e, **kw):
    e = dict(e, **kw)
    e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + 1000)
    if ql.post(LP, "item", e) != 200:
        raise IOError("item %s not updated" % e["id"])
    its[its.index(byid[e["id"]])] = e
    byid[e["id"]] = e
    return e


def latest(ws, got, timeout):
    for x in ws.msgs(100, timeout):
        if x.get("type") == "result":
            got[x["id"]] = x
    return got


def all_rest(got, what):
    bad = [b for b in SIZES if not same_as_rest(
        got.get(b, {}), H, LP, "items", urllib.parse.urlencode(pairs(b)),
        pagination=True)]
    is_(bad, [], what + ": every live result is REST's answer")


def runs():
    return m("query_runs_total"), m("incremental_runs_total")


def settled():
    ok(wait_for(seen_all, 5), "the sidecar has seen it")


def step(e, **kw):
    """e changed by kw, seen, its results taken: the runs it caused
    (all, incremental)."""
    global got
    r0, i0 = runs()
    update(e, **kw)
    settled()
    got = latest(ws, got, 2)
    r1, i1 = runs()
    return r1 - r0, i1 - i0


byid = {e["id"]: e for e in its}
free = list(its)
groups = {}
for b, n in SIZES.items():
    groups[b] = [update(free.pop(0), body=b) for _ in range(n)]
others = free
is_(sum(len(g) for g in groups.values()), 42, "42 items given the bodies "
    "ka (10), kb (11), kc (10), kd (6) and ke (5)")

ws = WS(H, P)
got = {}
for b in SIZES:  # in this order: kd finds 20 kept, ke 20 again
    ws.send({"type": "subscribe", "id": b, "collection": "items",
             "query": dict(pairs(b))})
    latest(ws, got, 1)
is_(sorted(got), sorted(SIZES), "five queries subscribed")
all_rest(got, "first results")
is_(m("matches_kept"), 25, "kept: ka's 10, kc's 10 and ke's 5; not kb's "
    "11 (more than push_keep_matches) nor kd's 6 (kept after kc's, they "
    "would make 26, more than push_keep_matches_all)")

# a change no query matches runs only the query past its own bound
settled()
r0, i0 = runs()
update(others[0], title="nothing matches")
settled()
is_(runs()[0] - r0, 1, "an entry no query matches, changed: one run, kb's "
    "(its matches are the whole collection)")
ok(ws.recv(0.5) is None, "and nothing is pushed")

# a change to their matches: incremental within the bounds, scans past
is_(step(groups["ka"][0], title="ka changed"), (2, 1), "one of ka's matches changed: ka and kb "
    "run, ka's run applies the change to its matches")
is_(step(groups["kd"][0], title="kd changed"), (2, 0), "one of kd's matches changed: kd and kb "
    "run, both scan")
all_rest(got, "after the changes")

# ka grows past push_keep_matches: it drops its matches
update(others[1], body="ka")
settled()
got = latest(ws, got, 2)
is_(m("matches_kept"), 15, "ka matching 11 keeps none: kc's 10 and ke's 5 "
    "kept")
all_rest(got, "ka grown")
r0, i0 = runs()
update(others[2], title="nothing matches")
settled()
is_(runs()[0] - r0, 2, "and now an entry no query matches runs ka too "
    "(ka and kb)")

# kd has room now: its next run keeps its matches
update(groups["kd"][1], title="kd again")
settled()
got = latest(ws, got, 2)
is_(m("matches_kept"), 21, "kd's next run keeps its 6 (21 in all)")
r0, i0 = runs()
update(groups["kd"][2], title="kd once more")
settled()
got = latest(ws, got, 2)
is_(runs()[1] - i0, 1, "and its next run is incremental")
all_rest(got, "at the end")
ws.close()
sc.stop()
done()
