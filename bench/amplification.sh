#!/bin/sh
# amplification.sh: the work one change costs the sidecar under the live-
# query amplification patterns, counted through /live/metrics (entry
# renders, queries examined), with the restrictions and without them.
#
#   bench/amplification.sh [CHANGES]
#
# "open": push_page_sizes lists every size 1..100 and the query caps are
# lifted, as before the limits; "default": the shipped defaults. Pattern
# A: two clients subscribe page sizes 1..100 (50 each). Pattern B: one
# client opens ten WebSockets and subscribes 64 distinct categories on
# each. Each change edits an entry shown by every list and by category
# b-0-0. Prints one JSON line per run and the ratios open/default;
# "subscribe_s" is the time to make every subscription.
set -u
CHANGES=${1:-20}
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
PUSH_BIN=$top_builddir/src/strapi-live-push
WEBHOOK_FCGI=$top_builddir/cgi-bin/webhook.fcgi
FIXTURES=$top_srcdir/tests/fixtures/strapi5
. "$top_srcdir/tests/lib.sh"
export STRAPI_LIVE_DURABLE=no PUSH_BIN FIXTURES T CHANGES
fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2 >"$T/lh.extra"
lighttpd_start <"$T/lh.extra" || { echo "lighttpd failed" >&2; exit 1; }
WEBHOOK_URL="http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"
export WEBHOOK_URL
PYTHONPATH="$top_srcdir/tests" python3 - <<'PY'
import json, os, socket, time
from push_client import *
H = "127.0.0.1"
W = os.environ["WEBHOOK_URL"]
N = int(os.environ["CHANGES"])
OPEN = dict(push_page_sizes=",".join(str(i) for i in range(1, 101)),
            push_max_queries=1000000, push_max_subs_per_addr=1000000,
            push_render_budget=10000000)

def m(port, name):
    return int(metrics(H, port).get("strapi_live_push_" + name, 0))

def subscribe(ws, subs):
    for sid, q in subs:
        ws.send({"type": "subscribe", "id": sid, "collection": "articles",
                 "query": q})
    for _ in subs:
        if ws.recv(10) is None:
            break

for i in range(1, 121):
    post_body(W, article("doc%d" % i, "doc%d" % i, "cat-%d" % (i % 7),
                         updated=iso(i), published=iso(i)))
version = [1000]

def run(name, env, pattern):
    sc = Sidecar(push_heartbeat=3600, **env)
    P = sc.port
    clients = []
    s0 = time.time()
    if pattern == "A":
        for k, src in enumerate(("127.0.0.2", "127.0.0.3")):
            w = ws_from(src, H, P)
            subscribe(w, [("p%d" % n, {"pageSize": n})
                          for n in range(1 + 50 * k, 51 + 50 * k)])
            clients.append(w)
    else:
        for k in range(10):
            w = ws_from("127.0.0.2", H, P)
            subscribe(w, [("c%d" % j, {"category": "b-%d-%d" % (k, j)})
                          for j in range(64)])
            clients.append(w)
    subscribe_s = round(time.time() - s0, 2)
    q = sc.health().get("queries")
    r0, c0, t0 = m(P, "renders_total"), m(P, "query_checks_total"), time.time()
    for i in range(N):
        version[0] += 1
        post_body(W, article("doc120", "doc120", "b-0-0", title="v%d" % i,
                             updated=iso(version[0]), published=iso(120)))
        wait_for(lambda: m(P, "last_seq") >= 0 and
                 m(P, "changes_total") >= i + 1, 10, 0.005)
    wait_for(lambda: sc.health().get("lastSeq") == sc.health().get("storeSeq"), 10)
    res = {"run": name, "pattern": pattern, "queries": q, "changes": N,
           "renders_per_change": (m(P, "renders_total") - r0) / N,
           "checks_per_change": (m(P, "query_checks_total") - c0) / N,
           "subscribe_s": subscribe_s,
           "lag_max_ms": m(P, "lag_max_ms")}
    print(json.dumps(res))
    for w in clients:
        w.close()
    sc.stop()
    return res

for pat in ("A", "B"):
    a = run("open", OPEN, pat)
    b = run("default", {}, pat)
    print(json.dumps({"pattern": pat, "ratio_renders_open_over_default":
        round(a["renders_per_change"] / max(b["renders_per_change"], 1), 1),
        "ratio_queries_open_over_default":
        round(a["queries"] / max(b["queries"], 1), 1)}))
PY
