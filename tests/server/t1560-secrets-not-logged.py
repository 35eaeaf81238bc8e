# t1560-secrets-not-logged.py: the checks of t1560-secrets-not-logged.sh
# (what they test: its header comment), run by it once its set-up is done.
import glob, hashlib, hmac, json, os, subprocess, urllib.request
import push_client
from push_client import *
# TAP numbering continues after the shell checks above.
push_client._n = int(os.environ["TAP_N"])
push_client._fail = int(os.environ["TAP_FAIL"])
H = "127.0.0.1"
T = os.environ["T"]
LP = int(os.environ["LIGHTTPD_PORT"])
r = os.environ["r"]
ok_ = dict(wh=os.environ["WHSEC"], sig=os.environ["SIGKEY"],
           sync=os.environ["SYNCSEC"], push=os.environ["PUSHTOK"],
           api=os.environ["APITOK"])
bad = dict(wh="whsec-%s-wrong" % r, sig="sigkey-%s-wrong" % r,
           sync="syncsec-%s-wrong" % r, push="pushtok-%s-wrong" % r,
           api="apitok-%s-wrong" % r)
answers = []


def req(method, path, body=None, headers=None, port=LP):
    rq = urllib.request.Request("http://%s:%d%s" % (H, port, path),
                                data=body, method=method,
                                headers=headers or {})
    try:
        with urllib.request.urlopen(rq, timeout=10) as f:
            st, b, hd = f.status, f.read().decode(), f.headers
    except urllib.error.HTTPError as e:
        st, b, hd = e.code, e.read().decode(), e.headers
    answers.append("%d\n%s\n%s" % (st, hd, b))
    return st


body = fixture("04-entry.publish.json")["raw_body"].encode()
def sig(key):
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
def hook(secret, key):
    return req("POST", "/strapi/webhook", body, {
        "Content-Type": "application/json",
        "Authorization": "Bearer " + secret,
        "X-Strapi-Signature-256": sig(key)})

is_(hook(bad["wh"], ok_["sig"]), 401, "webhook: wrong secret 401")
is_(hook(ok_["wh"], bad["sig"]), 401, "webhook: wrong signature 401")
is_(hook(bad["wh"], bad["sig"]), 401, "webhook: both wrong 401")
is_(hook(ok_["wh"], ok_["sig"]), 200, "webhook: right secret and signature")
is_(req("POST", "/strapi/webhook?secret=" + bad["wh"], b"{", {
    "Content-Type": "application/json", "x-webhook-secret": bad["wh"]}), 401,
    "webhook: secret in a query string and another header: 401")

is_(req("GET", "/api/articles?token=" + bad["push"]), 400,
    "query: unknown token parameter 400")
is_(req("GET", "/api/articles", None, {"Authorization": "Bearer " +
                                       bad["push"]}), 200,
    "query: an Authorization header is ignored")

ev = "/cgi-bin/events.fcgi?format=json&since=0"
is_(req("GET", ev + "&token=" + bad["push"]), 401, "events: wrong token 401")
is_(req("GET", ev, None, {"Authorization": "Bearer " + bad["push"]}), 401,
    "events: wrong bearer 401")
is_(req("GET", ev + "&token=" + ok_["push"]), 200, "events: right token")
is_(req("GET", ev, None, {"Authorization": "Bearer " + ok_["push"]}), 200,
    "events: right bearer")

sy = "/cgi-bin/sync.fcgi"
is_(req("POST", sy, b"", {"Authorization": "Bearer " + bad["sync"]}), 401,
    "sync.fcgi: wrong secret 401")
is_(req("POST", sy + "?token=" + bad["sync"], b""), 401,
    "sync.fcgi: no secret 401")
is_(req("POST", sy, b"", {"Authorization": "Bearer " + ok_["sync"]}), 200,
    "sync.fcgi: right secret runs a sync with the API token")

# The sidecar.
sc = Sidecar()
P = sc.port
is_(req("GET", "/live/events?token=" + bad["push"], port=P), 401,
    "sidecar SSE: wrong token 401")
is_(req("GET", "/live/query?collection=articles", None,
        {"Authorization": "Bearer " + bad["push"]}, port=P), 401,
    "sidecar query: wrong bearer 401")
try:
    WS(H, P, "/live/ws?token=" + bad["push"])
    ok(False, "sidecar WS: wrong token refused")
except IOError as e:
    answers.append(str(e))
    ok(True, "sidecar WS: wrong token refused")
s = SSE(H, P, "/live/events?lastEventId=0&token=" + ok_["push"])
e = s.next(3)
ok(s.status == 200 and e is not None, "sidecar SSE: right token streams")
answers.append(json.dumps(e))
w = WS(H, P, "/live/ws", {"Authorization": "Bearer " + ok_["push"]})
w.send({"type": "changes", "since": 0})
m = w.recv(3)
ok(m is not None, "sidecar WS: right bearer")
answers.append(json.dumps(m))
answers.append(json.dumps(sc.health()))
req("GET", "/live/metrics", port=P)
sc.stop()

# As CGI, the same programs with the secrets in the request.
def cgi(prog, method, env, inp=b""):
    e = dict(os.environ, REQUEST_METHOD=method, GATEWAY_INTERFACE="CGI/1.1",
             CONTENT_LENGTH=str(len(inp)), CONTENT_TYPE="application/json")
    e.update(env)
    p = subprocess.run([prog], input=inp, env=e, capture_output=True,
                       timeout=60)
    open(os.path.join(T, "out", "cgi-%d.err" % len(answers)), "wb").write(
        p.stderr)
    answers.append(p.stdout.decode(errors="replace"))
    return p.stdout.decode(errors="replace").split("\r\n")[0]

ok("401" in cgi(os.environ["WEBHOOK_FCGI"], "POST",
                {"HTTP_AUTHORIZATION": "Bearer " + bad["wh"],
                 "HTTP_X_STRAPI_SIGNATURE_256": sig(bad["sig"])}, body),
   "webhook CGI: wrong secret 401")
ok("200" in cgi(os.environ["WEBHOOK_FCGI"], "POST",
                {"HTTP_AUTHORIZATION": "Bearer " + ok_["wh"],
                 "HTTP_X_STRAPI_SIGNATURE_256": sig(ok_["sig"])}, body),
   "webhook CGI: right secret")
ok("401" in cgi(os.environ["SYNC_FCGI"], "POST",
                {"HTTP_AUTHORIZATION": "Bearer " + bad["sync"]}),
   "sync CGI: wrong secret 401")
ok("401" in cgi(os.environ["EVENTS_FCGI"], "GET",
                {"QUERY_STRING": "format=json&token=" + bad["push"]}),
   "events CGI: wrong token 401")
cgi(os.environ["QUERY_FCGI"], "GET",
    {"QUERY_STRING": "token=" + bad["push"], "PATH_INFO": "/api/articles"})

# The CLI, with debug logging: sync with the wrong and the right token.
def cli(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([os.environ["STRAPI_LIVE"]] + list(args), env=e,
                       capture_output=True, text=True, timeout=120)
    open(os.path.join(T, "out", "cli-%d.err" % len(answers)), "w").write(
        p.stderr)
    answers.append(p.stdout)
    return p.returncode

ok(cli("sync", env={"STRAPI_API_TOKEN": bad["api"]}) != 0,
   "CLI sync: wrong Strapi API token fails")
is_(cli("sync"), 0, "CLI sync: right token")
for a in (["--dump-config"], ["dump"], ["events"], ["stats"], ["verify"]):
    cli(*a)

# Every log and every answer, for every value.
logs = {}
for f in glob.glob(os.path.join(T, "log", "*")) + \
        glob.glob(os.path.join(T, "out", "*")) + \
        [os.path.join(T, "push.log")]:
    if os.path.exists(f):
        logs[f] = open(f, errors="replace").read()
ok(sum(len(v) for v in logs.values()) > 0 and
   any("401" in v for v in logs.values()),
   "the logs hold the requests (%d files)" % len(logs))
for name, vals in (("right", ok_), ("wrong", bad)):
    for k, v in vals.items():
        inlogs = [f for f, t in logs.items() if v in t]
        inans = [a[:120] for a in answers if v in a]
        is_(inlogs + inans, [], "%s %s secret in no log and no answer"
            % (name, k))
done()
