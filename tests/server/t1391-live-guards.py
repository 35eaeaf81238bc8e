# t1391-live-guards.py: the checks of t1391-live-guards.sh
# (what they test: its header comment), run by it once its set-up is done.
import os, urllib.parse
from push_client import *
from live_ql import ql, seed

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
rnd, ppl, its = seed(LP, 1391)
sc = Sidecar(push_heartbeat=3600)
P = sc.port
FRAGS = ["a", "p", "e", "l", "i", "m", "r", "g", "APP", "pie", "\u00c9",
         "x", "o", "zz", "A", "P", "E", "L", "I", "M"]


def m(name):
    return sc.metric(name)


def seen_all():
    return sc.caught_up()


def pairs(i):
    return [("filters[title][$containsi]", FRAGS[i]),
            ("filters[slug][$startsWith]", "item-1")]


def update(e, **kw):
    e = dict(e, **kw)
    e["updatedAt"] = ql.iso(ql.ms_of(e["updatedAt"]) + 1000)
    is_(ql.post(LP, "item", e), 200, "item %s (%s) updated: %r"
        % (e["id"], e["slug"], kw))
    return e


def latest(ws, got, timeout):
    for x in ws.msgs(1000, timeout):
        if x.get("type") == "result":
            got[x["id"]] = x
    return got


def all_rest(got, what):
    bad = [i for i in range(len(FRAGS)) if not same_as_rest(
        got.get("g%d" % i, {}), H, LP, "items",
        urllib.parse.urlencode(pairs(i)), pagination=True)]
    is_(bad, [], what + ": every live result is REST's answer")


ws = WS(H, P)
for i in range(len(FRAGS)):
    ws.send({"type": "subscribe", "id": "g%d" % i, "collection": "items",
             "query": dict(pairs(i))})
got = latest(ws, {}, 5)
is_(len(got), len(FRAGS), "%d queries subscribed" % len(FRAGS))
all_rest(got, "first results")
ok(sum(1 for x in got.values() if x["data"]) >= 5,
   "several of them match entries")

# a row the shared condition rejects: one test, no run, nothing pushed
other = [e for e in its if not e["slug"].startswith("item-1")][0]
ok(wait_for(seen_all, 5), "the sidecar has seen every change")
e0, r0 = m("filter_evals_total"), m("query_runs_total")
other = update(other, title="apple pie")
ok(wait_for(seen_all, 5), "the sidecar has seen it")
is_(m("filter_evals_total") - e0, 1, "its row is tested once against the "
    "condition the %d queries share, not against each" % len(FRAGS))
is_(m("query_runs_total") - r0, 0, "no query runs")
ok(ws.recv(0.5) is None, "and nothing is pushed")

# a row that meets it: each filter is evaluated, the results are REST's
one = [e for e in its if e["slug"].startswith("item-1")][0]
e0 = m("filter_evals_total")
one = update(one, title="Apple Pie zz")
ok(wait_for(seen_all, 5), "the sidecar has seen it")
is_(m("filter_evals_total") - e0, 1 + len(FRAGS), "a row meeting the shared "
    "condition is tested against each query's filter too")
got = latest(ws, got, 2)
all_rest(got, "after the change")

# the shared condition goes with its last query
for i in range(1, len(FRAGS)):
    ws.send({"type": "unsubscribe", "id": "g%d" % i})
ws.msgs(len(FRAGS) - 1, 3)
ok(wait_for(lambda: sc.health().get("queries") == 1, 5),
   "19 unsubscribed: one query left")
e0 = m("filter_evals_total")
one = update(one, title="zz top")
ok(wait_for(seen_all, 5), "the sidecar has seen it")
is_(m("filter_evals_total") - e0, 2, "the last query's row: its shared "
    "condition and its filter")
ws.send({"type": "unsubscribe", "id": "g0"})
ws.msgs(2, 2)
ok(wait_for(lambda: sc.health().get("queries") == 0, 5), "none left")
e0 = m("filter_evals_total")
one = update(one, title="Apple")
ok(wait_for(seen_all, 5), "the sidecar has seen it")
is_(m("filter_evals_total") - e0, 0, "no query: nothing is tested")
ws.close()
sc.stop()
done()
