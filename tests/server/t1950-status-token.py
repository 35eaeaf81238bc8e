# t1950-status-token.py: the checks of t1950-status-token.sh
# (what they test: its header comment), run by it once its set-up is done.
import json
from push_client import Sidecar, http_get, ok, is_, done

H = "127.0.0.1"
TOK = "status-%s" % "x9Qe4"

sc = Sidecar(status_token=TOK)
P = sc.port
st, body, _ = http_get(H, P, "/live/healthz", {"Authorization": None})
is_((st, json.loads(body)), (200, {"up": True}),
    "healthz without the token: 200 {\"up\":true} and nothing else")
st, body, _ = http_get(H, P, "/live/healthz",
                       {"Authorization": "Bearer " + TOK + "x"})
is_(json.loads(body), {"up": True}, "with a wrong token: the same")
st, body, _ = http_get(H, P, "/live/healthz?token=" + TOK,
                       {"Authorization": None})
is_(json.loads(body), {"up": True}, "the token in the URL does not count")
st, body, _ = http_get(H, P, "/live/healthz",
                       {"Authorization": "Bearer " + TOK})
h = json.loads(body)
ok(st == 200 and h.get("up") is True and "clients" in h and
   "lastSeq" in h, "with the token: the counters (%s)" % sorted(h))
st, body, _ = http_get(H, P, "/live/metrics", {"Authorization": None})
is_((st, json.loads(body)["error"]["status"]), (401, 401),
    "metrics without the token: 401, JSON error")
st, body, _ = http_get(H, P, "/live/metrics",
                       {"Authorization": "Bearer wrong"})
is_(st, 401, "metrics with a wrong token: 401")
st, body, _ = http_get(H, P, "/live/metrics",
                       {"Authorization": "Bearer " + TOK})
ok(st == 200 and "strapi_live_push_connections" in body,
   "metrics with the token: 200, Prometheus text")
sc.stop()

sc = Sidecar(status_token="")
P = sc.port
st, body, _ = http_get(H, P, "/live/healthz", {"Authorization": None})
is_(json.loads(body), {"up": True}, "status_token empty: healthz {\"up\"}")
st, body, _ = http_get(H, P, "/live/metrics",
                       {"Authorization": "Bearer "})
is_((st, "status_token" in json.loads(body)["error"]["message"]),
    (403, True), "and metrics are refused, 403 naming status_token")
sc.stop()
done()
