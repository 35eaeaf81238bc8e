# t1390-populate-filters.py: the checks of t1390-populate-filters.sh
# (what they test: its header comment), run by it once its set-up is done.
import json, os, urllib.parse
from push_client import *
from live_ql import ql, seed, person_body

H = "127.0.0.1"
LP = int(os.environ["LIGHTTPD_PORT"])
rnd, ppl, its = seed(LP, 1390)
named = [p for p in ppl if p["name"] not in (None, ql.ABSENT)]
who = named[0]["name"]


def enc(s):
    return urllib.parse.quote(s, safe="=&")


def rest(plural, q):
    return rest_json(H, LP, plural, enc(q))


# --- to-one: null when the related entry does not match -----------------------
QI = "fields[0]=title&populate[owner][fields][0]=name&pagination[pageSize]=100"
QIF = QI + "&populate[owner][filters][name][$eq]=" + who
st, plain = rest("items", QI)
st2, filt = rest("items", QIF)
want = [dict(e, owner=e["owner"] if e.get("owner") and
             e["owner"].get("name") == who else None)
        for e in plain["data"]]
is_((st, st2), (200, 200), "REST: populate with and without filters")
ok(filt["data"] == want and any(e["owner"] for e in want),
   "to-one: the owner is shown when its name is %r, else null" % who)
ok(any(e["owner"] for e in plain["data"] if e["owner"] and
       e["owner"]["name"] != who), "(some owners are left out)")

# --- to-many: the matching entries only ---------------------------------------
QP = "fields[0]=name&populate[items][fields][0]=kind"
QPF = QP + "&populate[items][filters][kind][$eq]=beta"
st, plain = rest("people", QP)
st2, filt = rest("people", QPF)
want = [dict(p, items=[x for x in p["items"] if x.get("kind") == "beta"])
        for p in plain["data"]]
ok(st == st2 == 200 and filt["data"] == want,
   "to-many: each person's items are those of kind beta, in order")
ok(sum(len(p["items"]) for p in plain["data"]) >
   sum(len(p["items"]) for p in want) > 0, "(some items are left out)")

# --- errors -----------------------------------------------------------------
for q, msg in (("populate[owner][filters][nope][$eq]=1", "Invalid key nope"),
               ("populate[owner][filters][name][$nope]=1",
                "Invalid key $nope at name")):
    st, b = rest("items", q)
    is_((st, (b.get("error") or {}).get("message")), (400, msg),
        "REST: %s is 400 %s" % (q, msg))

# --- live: the same answers, following the related entries -------------------
sc = Sidecar(push_heartbeat=3600)
P = sc.port
si = SSE(H, P, "/live/query?collection=items&" + enc(QIF))
sp = SSE(H, P, "/live/query?collection=people&" + enc(QPF))


def first(s):
    e = s.next(5)
    return json.loads(e["data"]) if e else {}


ok(same_as_rest(first(si), H, LP, "items", enc(QIF), pagination=True),
   "live: the to-one filter's result is REST's")
ok(same_as_rest(first(sp), H, LP, "people", enc(QPF), pagination=True),
   "live: the to-many filter's result is REST's")
beta = [e for e in its if e.get("kind") == "beta" and e.get("owner")][0]
e = dict(beta, kind="alpha",
         updatedAt=ql.iso(ql.ms_of(beta["updatedAt"]) + 1000))
is_(ql.post(LP, "item", e), 200, "an owned beta item turns alpha")
r = first(sp)
ok(r and same_as_rest(r, H, LP, "people", enc(QPF), pagination=True),
   "live: its owner's filtered items follow, as REST")
other = [p for p in ppl if p["name"] != who and
         any(x.get("owner", {}) and x["owner"]["documentId"] ==
             p["documentId"] for x in its[:100])][0]
other["name"] = who
is_(ql.post(LP, "person", person_body(other, 5000)), 200,
    "another owner is renamed %r" % who)
r = first(si)
ok(r and same_as_rest(r, H, LP, "items", enc(QIF), pagination=True),
   "live: the items it owns now show it, as REST")
ws = WS(H, P)
ws.send({"type": "subscribe", "id": "x", "collection": "items",
         "query": {"populate": {"owner": {"filters": {"nope": {"$eq": 1}}}}}})
m = ws.recv(5) or {}
is_((m.get("status"), m.get("message")), (400, "Invalid key nope"),
    "WS: REST's 400 and message")
ws.close()
si.close()
sp.close()
sc.stop()
done()
