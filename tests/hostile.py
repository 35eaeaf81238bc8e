#!/usr/bin/env python3
# hostile.py: table-driven malformed and hostile requests against every
# endpoint (webhook.fcgi, query.fcgi, events.fcgi, sync.fcgi as CGI and
# through lighttpd; the sidecar's HTTP and WebSocket), run by
# tests/server/t1530-hostile-input.sh. Each row names the answer it must
# get: an HTTP status with a Strapi-shaped JSON error, a WebSocket close
# code, or a WebSocket error message. TAP on stdout.
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from push_client import WS, ok, is_, diag, done  # noqa: E402

SECRET = os.environ["STRAPI_LIVE_WEBHOOK_SECRET"]
SYNC_SECRET = os.environ["STRAPI_LIVE_SYNC_SECRET"]
HOOK = os.environ["WEBHOOK_FCGI"]
QUERY = os.environ["QUERY_FCGI"]
EVENTS = os.environ["EVENTS_FCGI"]
SYNC = os.environ.get("SYNC_FCGI", "")
WEBPORT = int(os.environ["LIGHTTPD_PORT"])
PUSHPORT = int(os.environ["PUSH_PORT"])
LOGS = open(os.path.join(os.environ["T"], "hostile-stderr.log"), "ab")


def article(**over):
    e = {"id": 1, "documentId": "hostile0doc0000000000001", "title": "t",
         "slug": "s", "content": "c", "excerpt": "e", "category": "tech",
         "createdAt": "2026-01-01T00:00:00.000Z",
         "updatedAt": "2026-01-01T00:00:00.000Z",
         "publishedAt": "2026-01-01T00:00:00.000Z"}
    for k, v in over.items():
        if v is KeyError:
            e.pop(k, None)
        else:
            e[k] = v
    return json.dumps({"event": "entry.publish", "model": "article",
                       "uid": "api::article.article",
                       "createdAt": "2026-01-01T00:00:00.000Z",
                       "entry": e}).encode()


def top(**over):
    d = json.loads(article())
    for k, v in over.items():
        d[k] = v
    return json.dumps(d).encode()


def cgi(prog, method="GET", path="", query="", body=None, headers=None,
        ctype=None, clen=None):
    env = {"PATH": os.environ["PATH"], "GATEWAY_INTERFACE": "CGI/1.1",
           "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
           "QUERY_STRING": query, "REMOTE_ADDR": "127.0.0.1",
           "SERVER_PROTOCOL": "HTTP/1.1"}
    for k in ("STRAPI_LIVE_STORE_DIR", "STRAPI_LIVE_WEBHOOK_SECRET",
              "STRAPI_LIVE_SYNC_SECRET", "STRAPI_URL", "STRAPI_API_TOKEN",
              "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    if ctype is not None:
        env["CONTENT_TYPE"] = ctype
    if body is not None:
        env["CONTENT_LENGTH"] = str(len(body) if clen is None else clen)
    for k, v in (headers or {}).items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    p = subprocess.run([prog], env=env, input=body or b"",
                       stdout=subprocess.PIPE, stderr=LOGS, timeout=60)
    out = p.stdout
    head, _, rbody = out.partition(b"\r\n\r\n")
    status = 200
    hdrs = {}
    for line in head.split(b"\r\n"):
        k, _, v = line.decode("latin-1").partition(":")
        if k.lower() == "status":
            status = int(v.split()[0])
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    return status, hdrs, rbody, p.returncode


def raw_http(port, data, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
            if b"\r\n\r\n" in out:
                head, _, body = out.partition(b"\r\n\r\n")
                cl = [ln for ln in head.split(b"\r\n")
                      if ln.lower().startswith(b"content-length:")]
                if cl and len(body) >= int(cl[0].split(b":")[1]):
                    break
    except socket.timeout:
        pass
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0] else 0
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.decode("latin-1").partition(":")
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    return status, hdrs, body


def http(port, method, target, headers=None, body=b""):
    h = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (
        method, target)
    for k, v in (headers or {}).items():
        h += "%s: %s\r\n" % (k, v)
    if body:
        h += "Content-Length: %d\r\n" % len(body)
    return raw_http(port, h.encode("latin-1") + b"\r\n" + body)


def json_error(body, status):
    try:
        d = json.loads(body)
    except ValueError:
        return False
    e = d.get("error") if isinstance(d, dict) else None
    return (d.get("data", 1) is None and isinstance(e, dict) and
            e.get("status") == status and isinstance(e.get("name"), str) and
            isinstance(e.get("message"), str) and
            isinstance(e.get("details"), dict))


def check_http(name, want, got):
    status, hdrs, body = got[0], got[1], got[2]
    good = status == want and json_error(body, want)
    injected = any(k in hdrs for k in ("set-cookie", "x-injected"))
    ok(good and not injected, "%s -> %d JSON error" % (name, want))
    if not good or injected:
        diag("got %d %r %r" % (status, body[:200], sorted(hdrs)))
    if len(got) > 3 and got[3] not in (0, None):
        diag("exit status %d" % got[3])


AUTH = {"Authorization": "Bearer " + SECRET}
JSON = "application/json"


def hook(body, ctype=JSON, headers=AUTH, method="POST", clen=None):
    return cgi(HOOK, method=method, body=body, ctype=ctype, headers=headers,
               clen=clen)


def q(path, query="", method="GET", headers=None):
    return cgi(QUERY, method=method, path=path, query=query,
               headers=headers)


def ev(query="", headers=None, method="GET"):
    return cgi(EVENTS, method=method, query=query, headers=headers)


deep = b'{"event":"entry.publish","model":"article","entry":' + \
    b'{"documentId":"d","x":' + b"[" * 5000 + b"]" * 5000 + b"}}"

# -- webhook.fcgi --------------------------------------------------------------
ROWS = [
    ("webhook: truncated JSON", 400, lambda: hook(article()[:-20])),
    ("webhook: empty body", 400, lambda: hook(b"")),
    ("webhook: body shorter than Content-Length", 400,
     lambda: hook(article()[:40], clen=len(article()))),
    ("webhook: oversize body (2 MiB)", 413,
     lambda: hook(b'{"event":"' + b"x" * (2 << 20) + b'"}')),
    ("webhook: nesting 5000 deep", 400, lambda: hook(deep)),
    ("webhook: not UTF-8 (0xff in a string)", 400,
     lambda: hook(article(title="A").replace(b'"A"', b'"\xff\xfe"'))),
    ("webhook: overlong UTF-8 encoding of '/'", 400,
     lambda: hook(article(title="A").replace(b'"A"', b'"\xc0\xaf"'))),
    ("webhook: raw NUL byte", 400,
     lambda: hook(article(title="A").replace(b'"A"', b'"a\x00b"'))),
    ("webhook: \\u0000 in documentId", 422,
     lambda: hook(article(documentId="ab\u0000cd"))),
    ("webhook: trailing garbage after JSON", 400,
     lambda: hook(article() + b"}{")),
    ("webhook: JSON array body", 400, lambda: hook(b"[1,2,3]")),
    ("webhook: duplicate key (publishedAt twice)", 400,
     lambda: hook(article().replace(
         b'"publishedAt": "2026-01-01T00:00:00.000Z"',
         b'"publishedAt": "2026-01-01T00:00:00.000Z", "publishedAt": null'))),
    ("webhook: duplicate top-level event key", 400,
     lambda: hook(article().replace(b'{"event": "entry.publish"',
                                    b'{"event": "entry.publish", '
                                    b'"event": "entry.delete"'))),
    ("webhook: event is a number", 422, lambda: hook(top(event=7))),
    ("webhook: model is an array", 422, lambda: hook(top(model=[]))),
    ("webhook: uid is an object", 422, lambda: hook(top(uid={}))),
    ("webhook: entry is a string", 422, lambda: hook(top(entry="x"))),
    ("webhook: entry missing", 422, lambda: hook(top(entry=None))),
    ("webhook: documentId is a number", 422,
     lambda: hook(article(documentId=5))),
    ("webhook: documentId empty", 422, lambda: hook(article(documentId=""))),
    ("webhook: documentId 1000 bytes", 422,
     lambda: hook(article(documentId="a" * 1000))),
    ("webhook: documentId path traversal ../../etc", 422,
     lambda: hook(article(documentId="../../etc/passwd"))),
    ("webhook: updatedAt is true", 422, lambda: hook(article(updatedAt=True))),
    ("webhook: updatedAt missing", 422,
     lambda: hook(article(updatedAt=KeyError))),
    ("webhook: publishedAt not a date", 422,
     lambda: hook(article(publishedAt="yesterday"))),
    ("webhook: publishedAt month 13", 422,
     lambda: hook(article(publishedAt="2026-13-01T00:00:00.000Z"))),
    ("webhook: createdAt is a number", 422,
     lambda: hook(article(createdAt=12))),
    ("webhook: slug is a number", 422, lambda: hook(article(slug=123))),
    ("webhook: slug with CR LF header injection", 422,
     lambda: hook(article(slug="a\r\nSet-Cookie: x=1"))),
    ("webhook: category is an object", 422,
     lambda: hook(article(category={}))),
    ("webhook: category with CR LF header injection", 422,
     lambda: hook(article(category="tech\r\nX-Injected: 1"))),
    ("webhook: slug 600 bytes", 422, lambda: hook(article(slug="s" * 600))),
    ("webhook: locale is a number", 422, lambda: hook(article(locale=5))),
    ("webhook: publish with publishedAt null", 422,
     lambda: hook(article(publishedAt=None))),
    ("webhook: Content-Type text/plain", 415,
     lambda: hook(article(), ctype="text/plain")),
    ("webhook: no credentials", 401, lambda: hook(article(), headers={})),
    ("webhook: secret prefix only", 401,
     lambda: hook(article(), headers={"Authorization": "Bearer " +
                                      SECRET[:-1]})),
    ("webhook: secret plus a suffix", 401,
     lambda: hook(article(), headers={"Authorization": "Bearer " + SECRET +
                                      "x"})),
    ("webhook: Basic instead of Bearer", 401,
     lambda: hook(article(), headers={"Authorization": "Basic " + SECRET})),
    ("webhook: GET", 405, lambda: hook(None, method="GET", ctype=None)),
    # -- query.fcgi ------------------------------------------------------------
    ("query: 100 KB query string", 400,
     lambda: q("/api/articles", "foo=" + "a" * 100000)),
    ("query: pagination[page]=0x10", 400,
     lambda: q("/api/articles", "pagination[page]=0x10")),
    ("query: pagination[pageSize]=abc", 400,
     lambda: q("/api/articles", "pagination[pageSize]=abc")),
    ("query: page beyond 2^64", 400,
     lambda: q("/api/articles", "pagination[page]=99999999999999999999999")),
    ("query: %00 in a slug filter", 400,
     lambda: q("/api/articles", "filters[slug][$eq]=a%00b")),
    ("query: %ff (not UTF-8) in a slug filter", 400,
     lambda: q("/api/articles", "filters[slug][$eq]=%ff%fe")),
    ("query: bad percent escape", 400,
     lambda: q("/api/articles", "filters[slug][$eq]=%zz")),
    ("query: sort in an unknown direction", 400,
     lambda: q("/api/articles", "sort=publishedAt:sideways")),
    ("query: duplicate pagination[page]", 400,
     lambda: q("/api/articles", "pagination[page]=1&pagination[page]=2")),
    ("query: brackets nested 200 deep", 400,
     lambda: q("/api/articles", "filters" + "[a]" * 200 + "=1")),
    ("query: garbage cursor", 400,
     lambda: q("/api/articles", "cursor=%00%01garbage")),
    ("query: fields[0] not UTF-8", 400,
     lambda: q("/api/articles", "fields[0]=%c3")),
    ("query: populate (unserved)", 400,
     lambda: q("/api/articles", "populate=*")),
    ("query: path traversal /api/../../etc/passwd", 404,
     lambda: q("/api/../../etc/passwd")),
    ("query: encoded traversal in a documentId", 404,
     lambda: q("/api/articles/..%2f..%2fetc%2fpasswd")),
    ("query: CR LF in a slug path", 404,
     lambda: q("/api/articles/slug/a\r\nSet-Cookie: x=1")),
    ("query: POST", 405, lambda: q("/api/articles", method="POST")),
    # -- events.fcgi -----------------------------------------------------------
    ("events: Last-Event-ID not a number", 400,
     lambda: ev(headers={"Last-Event-ID": "abc"})),
    ("events: since=-1", 400, lambda: ev("since=-1")),
    ("events: since beyond 2^64", 400,
     lambda: ev("since=99999999999999999999999")),
    ("events: collection ../../etc", 400,
     lambda: ev("collection=../../etc")),
    ("events: limit=0 as JSON", 400, lambda: ev("format=json&limit=0")),
    ("events: POST", 405, lambda: ev(method="POST")),
]
if SYNC and os.path.exists(SYNC):
    ROWS += [
        ("sync: no credentials", 401,
         lambda: cgi(SYNC, method="POST", body=b"")),
        ("sync: webhook secret instead of the sync secret", 401,
         lambda: cgi(SYNC, method="POST", body=b"", headers=AUTH)),
        ("sync: %00 in collection", 400,
         lambda: cgi(SYNC, method="POST", query="collection=a%00b", body=b"",
                     headers={"Authorization": "Bearer " + SYNC_SECRET})),
        ("sync: unknown collection", 400,
         lambda: cgi(SYNC, method="POST", query="collection=../../etc",
                     body=b"",
                     headers={"Authorization": "Bearer " + SYNC_SECRET})),
        ("sync: GET", 405, lambda: cgi(SYNC, method="GET")),
    ]

for name, want, run in ROWS:
    check_http(name + " (CGI)", want, run())

# -- the same programs through lighttpd: what reaches them over HTTP ---------
W = WEBPORT
check_http("lighttpd webhook: header injection in X-Strapi-Event is refused",
           401, http(W, "POST", "/strapi/webhook",
                     {"Content-Type": JSON, "X-Strapi-Event": "a%0d%0aX: 1"},
                     article()))
check_http("lighttpd webhook: duplicate Authorization headers", 401,
           raw_http(W, b"POST /strapi/webhook HTTP/1.1\r\nHost: x\r\n"
                    b"Connection: close\r\nContent-Type: application/json\r\n"
                    b"Authorization: Bearer wrong\r\n"
                    b"Authorization: Bearer " + SECRET.encode() + b"\r\n"
                    b"Content-Length: 2\r\n\r\n{}"))
# lighttpd normalises ".." and refuses control characters in paths
# itself: these never reach a program, and nothing is injected.
for name, target in [
        ("traversal /api/articles/%2e%2e/%2e%2e/etc/passwd",
         "/api/articles/%2e%2e/%2e%2e/%2e%2e/etc/passwd"),
        ("slug with encoded CR LF", "/api/articles/slug/a%0d%0aSet-Cookie:"
         "%20x=1")]:
    st, hd, body = http(W, "GET", target)
    ok(st in (400, 404) and "set-cookie" not in hd and b"root:" not in body,
       "lighttpd query: %s refused by the server (%d)" % (name, st))
check_http("lighttpd query: 6 KB query string", 400,
           http(W, "GET", "/api/articles?x=" + "a" * 6000))
st, _, _ = http(W, "GET", "/api/articles?x=" + "a" * 100000)
ok(st in (400, 414, 431), "lighttpd query: 100 KB query string refused by "
   "the server itself (%d)" % st)

# -- the sidecar over HTTP -----------------------------------------------------
P = PUSHPORT
check_http("push: SSE Last-Event-ID not a number", 400,
           http(P, "GET", "/live/events", {"Last-Event-ID": "x1"}))
check_http("push: SSE lastEventId=-5", 400,
           http(P, "GET", "/live/events?lastEventId=-5"))
check_http("push: unknown path with traversal", 404,
           http(P, "GET", "/live/../../etc/passwd"))
check_http("push: reactive query with an unknown key", 400,
           http(P, "GET", "/live/query?collection=articles&title=x"))
check_http("push: POST to the event stream", 405,
           http(P, "POST", "/live/events", {"Content-Type": JSON}, b"{}"))

# -- WebSocket frames and messages --------------------------------------------


def ws_close(name, want_codes, build, todo=None):
    w = WS("127.0.0.1", P)
    w.send_raw(build(w))
    for _ in range(5):
        if w.recv(3) is None:
            break
    code = w.close_code
    ok(w.closed and code in want_codes,
       "ws: %s closes with %s%s" % (name, "/".join(map(str, want_codes)),
                                    " # TODO " + todo if todo else ""))
    if not (w.closed and code in want_codes):
        diag("closed=%r code=%r reason=%r" % (w.closed, code, w.close_reason))
    w.close()


def ws_error(name, payload):
    w = WS("127.0.0.1", P)
    w.send_raw(w.frame(1, payload))
    r = w.recv(3)
    ok(isinstance(r, dict) and r.get("type") == "error" and
       isinstance(r.get("message"), str) and not w.closed,
       "ws: %s answered with a JSON error, connection kept" % name)
    if not (isinstance(r, dict) and r.get("type") == "error"):
        diag("got %r" % (r,))
    w.close()


big = json.dumps({"type": "subscribe", "id": "a", "collection": "articles",
                  "pad": "x" * 70000}).encode()
ws_close("oversize message (70 KB)", (1009,), lambda w: w.frame(1, big))
ws_close("unmasked client frame", (1002,),
         lambda w: w.frame(1, b'{"type":"changes"}', mask=False),
         todo="libwebsockets 4.1 accepts unmasked client frames")
ws_close("continuation without a start", (1002,),
         lambda w: w.frame(0, b'{"type":"changes"}'))
ws_close("text frame inside a fragmented message", (1002,),
         lambda w: w.frame(1, b'{"type":', fin=False) +
         w.frame(1, b'"changes"}'))
ws_close("invalid UTF-8 text", (1007,),
         lambda w: w.frame(1, b'{"type":"\xc0\xaf"}'))
ws_close("unknown opcode 3", (1002,), lambda w: w.frame(3, b"{}"))
ws_close("unknown control opcode 11", (1002,), lambda w: w.frame(11, b""))
ws_close("binary frame", (1003,), lambda w: w.frame(2, b"\x00\x01"))
# lws drops the TCP connection without a close frame for some protocol
# errors ("fail the WebSocket connection", RFC 6455 7.1.7): None.
ws_close("ping longer than 125 bytes", (1002, None),
         lambda w: w.frame(9, b"p" * 200))
ws_close("fragmented ping", (1002, None),
         lambda w: w.frame(9, b"p", fin=False))
ws_close("reserved bits set", (1002,), lambda w: w.frame(1, b"{}", rsv=2))
ws_error("not JSON", b"subscribe me")
ws_error("nested 5000 deep", b"[" * 5000 + b"]" * 5000)
ws_error("duplicate keys", b'{"type":"subscribe","id":"a","id":"b",'
         b'"collection":"articles"}')
ws_error("escaped NUL in the id", b'{"type":"subscribe","id":"a\\u0000b",'
         b'"collection":"articles"}')
ws_error("id of 200 bytes", json.dumps(
    {"type": "subscribe", "id": "i" * 200, "collection": "articles"}).encode())
ws_error("type is a number", b'{"type":5}')
ws_error("query is a list", b'{"type":"subscribe","id":"a",'
         b'"collection":"articles","query":[1]}')
ws_error("pageSize is a string of digits beyond 2^64", b'{"type":"subscribe",'
         b'"id":"a","collection":"articles","query":{"pageSize":'
         b'"99999999999999999999999"}}')
ws_error("since is negative", b'{"type":"changes","since":-1}')
ws_error("since is a float", b'{"type":"changes","since":1.5}')
ws_error("collection with traversal", b'{"type":"subscribe","id":"a",'
         b'"collection":"../../etc"}')
done()
