#!/bin/sh
# repl.sh: replication benchmark, three sites on loopback, each
# with its own store, sidecar and lighttpd (tests/repl_cluster.py).
#  1. Replication lag: a webhook acknowledged by the master (200 received)
#     -> the change pushed over SSE by a replica's sidecar; p50/p99 at 10
#     and 100 webhooks/s. Ceiling in the same run: the same measure on the
#     master's own sidecar (no replication hop).
#  2. Query throughput (wrk, /api/articles) of the three sites together
#     versus one site alone, as a ratio. All sites share this machine's
#     cores, so the ratio shows what a shared box gives, not three hosts.
#
# usage: bench/repl.sh                (from a built tree)
# env:   BENCH_DURATION=5 (s per rate)  BENCH_WRK=4 (s)  BENCH_CONNS=16
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 1; }
command -v lighttpd >/dev/null || { echo "lighttpd not installed" >&2; exit 1; }
. "$top_srcdir/tests/lib.sh"
set +u
: "${PUSH_BIN:=$top_builddir/src/strapi-live-push}"
export PUSH_BIN T top_builddir FIXTURES WEBHOOK_FCGI QUERY_FCGI STRAPI_LIVE
export BENCH_DURATION="${BENCH_DURATION:-5}" BENCH_WRK="${BENCH_WRK:-4}"
export BENCH_CONNS="${BENCH_CONNS:-16}" STRAPI_LIVE_LOG_LEVEL=warn
unset STRAPI_LIVE_STORE_DIR
PYTHONPATH="$top_srcdir/tests" python3 -u - <<'PY'
import os, re, subprocess, threading, time
from push_client import SSE, article
from repl_cluster import Cluster

dur = float(os.environ["BENCH_DURATION"])
c = Cluster(os.path.join(os.environ["T"], "cluster"))
c.start()
m, r2, r3 = c.sites


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")


def run(rate, tag):
    """Posts rate/s to the master for dur s; returns lag lists (ms)."""
    streams = {s: SSE("127.0.0.1", s.push_port, "/live/events",
                      {"Last-Event-ID": str(m.health()["storeSeq"])})
               for s in (m, r2)}
    seen = {s: {} for s in streams}

    def reader(s):
        while not stop.is_set():
            e = streams[s].next(0.2)
            if e is not None:
                seen[s][e["id"]] = time.time()
    stop = threading.Event()
    ts = [threading.Thread(target=reader, args=(s,), daemon=True)
          for s in streams]
    for t in ts:
        t.start()
    acked = {}
    refused = {}
    lock = threading.Lock()
    n = int(rate * dur)
    t0 = time.time() + 0.2

    def poster(k, nthreads):
        for i in range(k, n, nthreads):
            d = t0 + i / rate - time.time()
            if d > 0:
                time.sleep(d)
            doc = "%s%d" % (tag, i)
            st, body = m.post(article(doc, doc, "news"))
            with lock:
                if st == 200:
                    acked[str(body["seq"])] = time.time()
                else:
                    refused[st] = refused.get(st, 0) + 1
    nth = 1 if rate <= 20 else 8
    ps = [threading.Thread(target=poster, args=(k, nth)) for k in range(nth)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    end = time.time() + 5
    while time.time() < end and any(len(seen[s]) < len(acked) for s in seen):
        time.sleep(0.05)
    stop.set()
    for t in ts:
        t.join()
    out = {}
    for s in streams:
        out[s] = [max(0.0, (seen[s][k] - acked[k]) * 1000)
                  for k in acked if k in seen[s]]
        streams[s].close()
    if refused:
        print("# refused at %d/s: %s" % (rate, refused))
    return len(acked), n, out[m], out[r2]


print("# replication lag: webhook acknowledged on the master -> pushed by "
      "a sidecar (ms)")
print("%-8s %8s %9s %9s %9s %9s" % ("rate/s", "acked", "rep p50", "rep p99",
                                    "local p50", "local p99"))
for rate in (10, 100):
    a, n, local, rep = run(rate, "r%d_" % rate)
    print("%-8d %4d/%-4d %9.1f %9.1f %9.1f %9.1f" % (
        rate, a, n, pct(rep, 50), pct(rep, 99), pct(local, 50),
        pct(local, 99)))


def wrk(site, secs):
    out = subprocess.run(
        ["wrk", "-t1", "-c" + os.environ["BENCH_CONNS"], "-d%ss" % secs,
         "http://127.0.0.1:%d/api/articles?pagination%%5BpageSize%%5D=25"
         % site.web_port], capture_output=True, text=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        print("# site %d: %s answers were errors; not a throughput" %
              (site.n, bad.group(1)))
        return float("nan")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


secs = os.environ["BENCH_WRK"]
one = wrk(m, secs)
res = [0.0] * 3
ths = [threading.Thread(target=lambda i=i: res.__setitem__(
    i, wrk(c.sites[i], secs))) for i in range(3)]
for t in ths:
    t.start()
for t in ths:
    t.join()
print("# query throughput, /api/articles (25 entries), wrk -c%s %ss" %
      (os.environ["BENCH_CONNS"], secs))
print("one site:        %8.0f req/s" % one)
print("three together:  %8.0f req/s (%s)" %
      (sum(res), " + ".join("%.0f" % x for x in res)))
print("ratio 3 sites / 1 site: %.2f  (cores on this machine: %d)" %
      (sum(res) / one, os.cpu_count()))
c.stop()
PY
