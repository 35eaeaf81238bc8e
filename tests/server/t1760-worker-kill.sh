#!/bin/sh
# t1760-worker-kill.sh: kill -9 of one query.fcgi or webhook.fcgi worker at
# a time under load (queries and deliveries in flight; KILLS of each). A
# death costs the others nothing: every surviving worker keeps its pid (it
# used to exit when it saw the dead one, leaving nobody under spawn-fcgi),
# at most the one request inside the killed process fails, every
# acknowledged delivery is stored, and everything answers 200 afterwards.
. "${top_srcdir:-.}/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
: "${KILLS:=4}"
"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null ||
    { echo "Bail out! import failed"; exit 1; }
{
	fcgi_entry /api/ "$QUERY_FCGI" 3
	fcgi_entry /hook "$WEBHOOK_FCGI" 3
} >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" || { echo "Bail out! lighttpd"; exit 1; }
export LIGHTTPD_PORT LIGHTTPD_PID KILLS QUERY_FCGI WEBHOOK_FCGI STRAPI_LIVE T
curl -sf "http://127.0.0.1:$LIGHTTPD_PORT/api/articles" >/dev/null
PYTHONPATH="$top_srcdir/tests" python3 -u - <<'PY'
import json, os, random, signal, subprocess, threading, time
import http.client
from push_client import *

PORT = int(os.environ["LIGHTTPD_PORT"])
PARENT = os.environ["LIGHTTPD_PID"]
KILLS = int(os.environ["KILLS"])
stop = threading.Event()
lock = threading.Lock()
codes, acked, fails = {}, [], []


def workers(prog):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            cmd = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")[0]
            ppid = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if cmd.decode() == prog and ppid == PARENT:
            out.append(int(p))
    return sorted(out)


def count(kind, st):
    with lock:
        codes[(kind, st)] = codes.get((kind, st), 0) + 1
        if st != 200:
            fails.append((time.time(), kind, st))


def reader():
    while not stop.is_set():
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            c.request("GET", "/api/articles?pagination[pageSize]=5")
            r = c.getresponse()
            r.read()
            st = r.status
            c.close()
        except Exception as e:
            st = type(e).__name__
        count("query", st)


def poster(t):
    i = 0
    while not stop.is_set():
        i += 1
        doc = "kill%d-%d" % (t, i)
        st, ans = deliver("http://127.0.0.1:%d/hook" % PORT,
                          article(doc, "s-" + doc, "tech", updated=iso(i)).encode())
        count("webhook", st)
        if st == 200:
            with lock:
                acked.append(doc)


ts = [threading.Thread(target=reader) for _ in range(3)] + \
     [threading.Thread(target=poster, args=(t,)) for t in range(3)]
for t in ts:
    t.start()
time.sleep(1)
q0, w0 = workers(os.environ["QUERY_FCGI"]), workers(os.environ["WEBHOOK_FCGI"])
is_((len(q0), len(w0)), (3, 3), "three query and three webhook workers serve the load")
# Two of each are never killed: they must ride through every death.
spared = q0[:2] + w0[:2]
killed, kill_times = [], []
for k in range(KILLS):
    for prog in (os.environ["QUERY_FCGI"], os.environ["WEBHOOK_FCGI"]):
        live = [p for p in workers(prog) if p not in killed + spared]
        if not live:
            time.sleep(0.5)  # the server is still starting a new one
            live = [p for p in workers(prog) if p not in killed + spared]
        victim = random.choice(live)
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        kill_times.append(time.time())
        time.sleep(1.0)
time.sleep(3)  # idle checks every 2 s: each survivor has looked twice
n_after = len(codes)
stop.set()
for t in ts:
    t.join()
survivors = spared
gone = [p for p in survivors if not os.path.exists("/proc/%d" % p)]
is_(gone, [], "every worker that was not killed is still running (%d)" % len(survivors))
diag("answers: %s" % {"%s %s" % k: v for k, v in codes.items()})
ok(len(fails) <= len(killed),
   "at most the request inside each killed worker failed (%d failed, %d kills)"
   % (len(fails), len(killed)))
late = [f for f in fails if all(f[0] - k > 1.0 for k in kill_times)]
is_(late, [], "no request failed later than 1 s after a kill")
dump = subprocess.run([os.environ["STRAPI_LIVE"], "dump"], capture_output=True,
                      text=True, timeout=60).stdout
have = {json.loads(l)["documentId"] for l in dump.splitlines() if l.strip()}
missing = [d for d in acked if d not in have]
is_(len(missing), 0, "every acknowledged delivery is stored (%d)" % len(acked))
st, _ = deliver("http://127.0.0.1:%d/hook" % PORT,
                article("after", "after", "tech", updated=iso(99999)).encode())
is_(st, 200, "a delivery afterwards is answered 200")
st, body, _ = http_get("127.0.0.1", PORT, "/api/articles/after")
is_(st, 200, "a query afterwards is answered 200")
done()
PY
