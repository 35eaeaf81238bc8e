"""push_client.py: the Python tests' TAP output, and SSE and WebSocket
test clients for the push sidecar tests.

Standard library only. The WebSocket client does its own framing so tests
can also send malformed frames; the browser tests drive Chromium with it.
"""
import base64
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

_n = int(os.environ.get("TAP_OFFSET", "0"))  # tests before ours
_fail = 0


def ok(cond, name, *more):
    """A TAP row; when cond fails, each of more is shown as diagnostics. A
    name with "# TODO" is a known open problem: its failure (TAP's XFAIL)
    does not make the program fail."""
    global _n, _fail
    _n += 1
    if cond:
        print("ok %d - %s" % (_n, name))
    else:
        if "# TODO" not in name:
            _fail += 1
        print("not ok %d - %s" % (_n, name))
        for d in more:
            for line in str(d).splitlines():
                print("#   " + line)
    sys.stdout.flush()
    return cond


def todo(cond, name, why):
    """ok(), for a known open problem: when cond fails, the row is a TAP
    TODO (why says what is open), shown as XFAIL, not a failure."""
    global _n
    _n += 1
    print("%sok %d - %s%s" % ("" if cond else "not ", _n, name,
                              "" if cond else " # TODO " + why))
    sys.stdout.flush()
    return cond


def is_(got, want, name):
    r = ok(got == want, name)
    if not r:
        print("#   got:  %r" % (got,))
        print("#   want: %r" % (want,))
    return r


def diag(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line)
    sys.stdout.flush()


def finish():
    """Prints the plan; returns the exit status (1 if a row failed)."""
    print("1..%d" % _n)
    sys.stdout.flush()
    return 1 if _fail else 0


def done():
    sys.exit(finish())


FIXTURES = os.environ.get("FIXTURES", "tests/fixtures/strapi5")
SECRET = os.environ.get("STRAPI_LIVE_WEBHOOK_SECRET",
                        "fixture-webhook-secret-123")


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return json.load(f)


def post_body(url, body):
    """POSTs a webhook body; returns the parsed JSON answer."""
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + SECRET})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def deliver(url, body, secret=None, timeout=30, headers=None):
    """POSTs a webhook body as Strapi does (no retry): (status, answer);
    status is the exception's name when no HTTP answer came. headers: more
    request headers."""
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "Authorization": "Bearer " + (secret or SECRET), **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {}
    except Exception as e:
        return type(e).__name__, {}


def post_fixture(url, name):
    return post_body(url, fixture(name)["raw_body"])


# The recorded headers a resent delivery leaves out (urllib sets them).
RICH_HOP = {"host", "connection", "content-length", "accept-encoding"}


def rich_recorded(name):
    """A recorded rich delivery of FIXTURES_RICH: (the file's JSON, the
    headers to send it with)."""
    with open(os.path.join(os.environ["FIXTURES_RICH"], name)) as f:
        d = json.load(f)
    return d, {k: v for k, v in d["headers"].items()
               if k.lower() not in RICH_HOP}


def rich_post(url, raw, headers):
    """POSTs a delivery's raw body with headers: the HTTP status."""
    req = urllib.request.Request(url, data=raw.encode(), method="POST",
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def rich_deliver(host, port, name):
    """POSTs the recorded rich delivery name to /strapi/webhook on
    host:port, with its raw body and headers: the HTTP status."""
    d, hdrs = rich_recorded(name)
    return rich_post("http://%s:%d/strapi/webhook" % (host, port),
                     d["raw_body"], hdrs)


def rich_deliver_articles(host, port):
    """POSTs the recorded media, authors and categories, then the last
    state of each published article: the names delivered and their HTTP
    statuses."""
    fx = sorted(n for n in os.listdir(os.environ["FIXTURES_RICH"])
                if n[:2].isdigit() and n[2] == "-" and
                (int(n[:2]) <= 8 or int(n[:2]) in (33, 35, 38, 61, 83)))
    return fx, [rich_deliver(host, port, n) for n in fx]


def rich_articles_live(host, port):
    """Delivers rich_deliver_articles (one test: all 13 answered 200), then
    starts a sidecar: the Sidecar, and rest(q) answering GET
    /api/articles?q (q encoded by qs_enc) as rest_json does."""
    fx, sts = rich_deliver_articles(host, port)
    ok(len(fx) == 13 and set(sts) == {200}, "%d deliveries: 200" % len(fx))
    return (Sidecar(push_heartbeat=3600),
            lambda q: rest_json(host, port, "articles", qs_enc(q)))


def qs_enc(q):
    """A query string percent-encoded as a client sends it, = and & kept."""
    return urllib.parse.quote(q, safe="=&")


def rest_json(host, port, plural, query):
    """GET /api/<plural>?query: (status, parsed body)."""
    st, body, _ = http_get(host, port, "/api/%s?%s" % (plural, query))
    return st, json.loads(body)


def same_as_rest(res, host, port, plural, query, pagination=False):
    """A live result's data (and meta.pagination when asked) equal the
    REST answer to the same query."""
    st, want = rest_json(host, port, plural, query)
    return st == 200 and res.get("data") == want["data"] and \
        (not pagination or res.get("meta", {}).get("pagination") ==
         want["meta"].get("pagination"))


def rich_post_before(url, first):
    """POSTs, in order, the recorded rich deliveries whose file names sort
    before first ("15-"): their statuses."""
    d = os.environ["FIXTURES_RICH"]
    names = sorted(n for n in os.listdir(d)
                   if n[:2].isdigit() and n[2] == "-" and n < first)
    return [rich_post(url, *(lambda r: (r[0]["raw_body"], r[1]))(
        rich_recorded(n))) for n in names]


def article(doc, slug, category, title="t", updated="2026-01-01T00:00:00.000Z",
            published="2026-01-01T00:00:00.000Z", event="entry.publish"):
    """A Strapi 5 webhook body for one published article."""
    return json.dumps({"event": event, "createdAt": updated,
                       "model": "article", "uid": "api::article.article",
                       "entry": {"id": 1, "documentId": doc, "title": title,
                                 "slug": slug, "content": "c",
                                 "excerpt": "e", "category": category,
                                 "createdAt": "2026-01-01T00:00:00.000Z",
                                 "updatedAt": updated,
                                 "publishedAt": published}})


def big_article(doc, i, size=20000):
    """A publish of article doc, version time iso(i), with a size-byte title."""
    return json.dumps({"event": "entry.publish", "model": "article",
        "uid": "api::article.article", "createdAt": iso(i),
        "entry": {"id": i, "documentId": doc, "title": "y" * size,
                  "slug": doc, "category": "tech",
                  "createdAt": iso(i), "updatedAt": iso(i),
                  "publishedAt": iso(i)}})


def unpublish(doc, slug, category, updated="2026-01-01T00:00:00.000Z"):
    return article(doc, slug, category, updated=updated,
                   event="entry.unpublish")


def iso(i):
    """A distinct, increasing ISO time for version i."""
    return time.strftime("2026-02-01T%H:%M:%S", time.gmtime(i)) + \
        ".%03dZ" % (i % 1000)


def _some(get, n, timeout):
    """Up to n results of get(seconds left), within timeout in all; stops
    at the first None (timeout or close)."""
    out = []
    end = time.time() + timeout
    while len(out) < n:
        x = get(max(0.01, end - time.time()))
        if x is None:
            break
        out.append(x)
    return out


class SSE:
    """A streaming EventSource-like reader over a raw socket."""

    def __init__(self, host, port, path, headers=None, timeout=5,
                 version="1.1"):
        # version "1.0" through a proxy: no chunked framing, and the
        # stream's end closes the connection. A chunked body is decoded
        # (_dechunk): a chunk's boundary can fall inside an event.
        self.sock = socket.create_connection((host, port), timeout=timeout)
        h = "GET %s HTTP/%s\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n" \
            % (path, version, host, port)
        for k, v in (headers or {}).items():
            h += "%s: %s\r\n" % (k, v)
        self.sock.sendall((h + "\r\n").encode())
        self.buf = b""
        self.raw = b""  # chunked: what has not been decoded yet
        self.chunked = False
        self.status = None
        self.headers = {}
        self.closed = False
        self.comments = 0
        self.retry = None
        self._read_head()

    def _fill(self, timeout):
        self.sock.settimeout(timeout)
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            d = b""
        if not d:
            self.closed = True
            return False
        if self.chunked:
            self.raw += d
            self._dechunk()
        else:
            self.buf += d
        return True

    def _dechunk(self):
        """Moves the whole chunks of raw into buf; the last (0) closes."""
        while True:
            line, sep, rest = self.raw.partition(b"\r\n")
            if not sep:
                return
            n = int(line.split(b";")[0] or b"0", 16)
            if n == 0:
                self.closed = True
                self.raw = b""
                return
            if len(rest) < n + 2:
                return
            self.buf += rest[:n]
            self.raw = rest[n + 2:]

    def _read_head(self):
        while b"\r\n\r\n" not in self.buf:
            if not self._fill(5):
                raise IOError("no response head")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        for l in lines[1:]:
            k, _, v = l.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            self.chunked = True
            self.raw, self.buf = self.buf, b""
            self._dechunk()

    def body(self, timeout=2):
        """Reads a non-streaming body to the end (errors)."""
        end = time.time() + timeout
        n = int(self.headers.get("content-length", "-1"))
        while (n < 0 or len(self.buf) < n) and time.time() < end:
            if not self._fill(end - time.time()):
                break
        return self.buf.decode()

    def next(self, timeout=3):
        """Next event as dict(id, event, data), or None on timeout/close."""
        end = time.time() + timeout
        while True:
            while b"\n\n" not in self.buf:
                left = end - time.time()
                if left <= 0 or self.closed or not self._fill(left):
                    return None
            block, self.buf = self.buf.split(b"\n\n", 1)
            ev = {"id": None, "event": "message", "data": None}
            data = []
            for line in block.decode().split("\n"):
                if line.startswith(":"):
                    self.comments += 1
                    continue
                k, _, v = line.partition(":")
                v = v[1:] if v.startswith(" ") else v
                if k == "data":
                    data.append(v)
                elif k == "id":
                    ev["id"] = v
                elif k == "event":
                    ev["event"] = v
                elif k == "retry":
                    self.retry = int(v)
            if not data:
                continue
            ev["data"] = "\n".join(data)
            return ev

    def events(self, n, timeout=5):
        return _some(self.next, n, timeout)

    def close(self):
        self.sock.close()


def _mask(data, m):
    """data XOR the 4-byte mask m, repeated."""
    n = len(data)
    k = int.from_bytes((m * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(data, "big") ^ k).to_bytes(n, "big")


class WS:
    """A minimal WebSocket client (RFC 6455), with raw frame access."""

    def __init__(self, host, port, path="/live/ws", headers=None, timeout=5):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        h = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
             "Sec-WebSocket-Version: 13\r\n") % (path, host, port, key)
        for k, v in (headers or {}).items():
            h += "%s: %s\r\n" % (k, v)
        self.sock.sendall((h + "\r\n").encode())
        self.buf = b""
        self.closed = False
        self.close_code = None
        self.close_reason = None
        self.pings = 0
        while b"\r\n\r\n" not in self.buf:
            d = self.sock.recv(4096)
            if not d:
                raise IOError("handshake refused")
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split()[1])
        if self.status != 101:
            raise IOError("handshake status %d" % self.status)

    def frame(self, opcode, payload, fin=True, mask=True, rsv=0):
        b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
        else:
            hdr = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
        if mask:
            m = os.urandom(4)
            payload = _mask(payload, m)
            hdr += m
        return hdr + payload

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def send(self, obj):
        data = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
        if isinstance(data, str):
            data = data.encode()
        self.send_raw(self.frame(1, data))

    def _need(self, n, end):
        while len(self.buf) < n:
            left = end - time.time()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                d = b""
            if not d:
                self.closed = True
                return False
            self.buf += d
        return True

    def recv(self, timeout=3):
        """Next text message parsed as JSON, or None (timeout or close)."""
        msg = self.recv_bytes(timeout)
        return None if msg is None else json.loads(msg)

    def recv_bytes(self, timeout=3):
        """Next message as it came (bytes; fragments joined, pings
        answered), or None: on timeout, or on close (closed is then set)."""
        end = time.time() + timeout
        msg = b""
        while True:
            if not self._need(2, end):
                return None
            b0, b1 = self.buf[0], self.buf[1]
            n = b1 & 0x7f
            off = 2
            if n == 126:
                if not self._need(4, end):
                    return None
                n = struct.unpack("!H", self.buf[2:4])[0]
                off = 4
            elif n == 127:
                if not self._need(10, end):
                    return None
                n = struct.unpack("!Q", self.buf[2:10])[0]
                off = 10
            if not self._need(off + n, end):
                return None
            payload = self.buf[off:off + n]
            self.buf = self.buf[off + n:]
            op = b0 & 0x0f
            if op == 8:
                self.closed = True
                if len(payload) >= 2:
                    self.close_code = struct.unpack("!H", payload[:2])[0]
                    self.close_reason = payload[2:].decode(errors="replace")
                return None
            if op == 9:
                self.pings += 1
                self.send_raw(self.frame(10, payload))
                continue
            if op == 10:
                continue
            msg += payload
            if b0 & 0x80:
                return msg

    def msgs(self, n, timeout=5):
        return _some(self.recv, n, timeout)

    def close(self):
        self.sock.close()


def ws_from(src, host, port, path="/live/ws", headers=None):
    """A WS whose connection comes from the loopback address src."""
    orig = socket.create_connection
    socket.create_connection = lambda a, timeout=None: orig(a, timeout,
                                                            (src, 0))
    try:
        return WS(host, port, path, headers)
    finally:
        socket.create_connection = orig


def sse_from(src, host, port, path, hdrs=""):
    """A raw SSE request from the loopback address src, its status read:
    (socket, status), status None when the connection closed first."""
    s = socket.socket()
    s.settimeout(10)
    s.bind((src, 0))
    s.connect((host, port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream"
               "\r\n%s\r\n" % (path, hdrs)).encode())
    d = b""
    while b"\r\n" not in d:
        c = s.recv(4096)
        if not c:
            return s, None
        d += c
    return s, int(d.split()[1])
# The sidecars tests start (Sidecar, push_start, repl_cluster) have this
# status_token; http_get presents it for /live/healthz and /live/metrics
# unless the caller passes its own Authorization (or None to send none).
STATUS_TOKEN = "status-token-of-the-tests"


def http_get(host, port, path, headers=None):
    headers = dict(headers or {})
    if path.startswith(("/live/healthz", "/live/metrics")):
        headers.setdefault("Authorization", "Bearer " + STATUS_TOKEN)
    headers = {k: v for k, v in headers.items() if v is not None}
    req = urllib.request.Request("http://%s:%d%s" % (host, port, path),
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def metrics(host, port):
    """The sidecar's /live/metrics as a dict of name (with labels) to text."""
    st, body, _ = http_get(host, port, "/live/metrics")
    return dict(l.rsplit(" ", 1) for l in body.split("\n")
                if l and not l.startswith("#"))


def wait_for(pred, timeout=5, step=0.02):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def free_port():
    """A loopback port nothing listens on, below the kernel's ephemeral
    range: a port the kernel hands out (bind to 0) is one it may give any
    connection's own end next, and a test that picked it found it taken
    when its server came to bind it (EADDRINUSE)."""
    low = 32768
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    rnd = random.SystemRandom()
    for _ in range(1000):
        p = rnd.randint(10000, max(10000, low - 1))
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            s.close()
        return p
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def procs(argv0, ppid=None):
    """Pids whose argv[0] is argv0 (children of ppid when given)."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                cmd = f.read().split(b"\0")[0].decode()
            with open("/proc/%s/stat" % p) as f:
                pp = f.read().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if cmd == argv0 and (ppid is None or pp == str(ppid)):
            out.append(int(p))
    return sorted(out)


class Follower(threading.Thread):
    """A live page on the raw change stream: follows path, resuming with
    Last-Event-ID after every drop, until stop is set. seqs: the changes
    seen, in order, and events their (event, data) as sent; resets and
    reconnects are counted."""

    def twice(self):
        """The changes seen twice between two resets (a reset says that
        recovery lost changes the stream had carried, never acknowledged:
        their seqs then name others)."""
        out, cuts = [], [0] + self.reset_at + [len(self.seqs)]
        for a, b in zip(cuts, cuts[1:]):
            part = self.seqs[a:b]
            out += sorted(x for x in set(part) if part.count(x) > 1)
        return out

    def __init__(self, port, stop, path="/live/events", version="1.1"):
        super().__init__(daemon=True)
        self.port, self.stop, self.path, self.version = \
            port, stop, path, version
        self.seqs, self.resets, self.reconnects = [], 0, 0
        self.events = []
        self.reset_at = []  # len(seqs) at each reset

    def run(self):
        last = 0
        while not self.stop.is_set():
            try:
                s = SSE("127.0.0.1", self.port, self.path,
                        {"Last-Event-ID": str(last)}, timeout=2,
                        version=self.version)
                if s.status != 200:
                    raise IOError(s.status)
            except Exception:
                time.sleep(0.1)
                continue
            while not self.stop.is_set():
                e = s.next(0.5)
                if e is None:
                    if s.closed:
                        break
                    continue
                if e["event"] == "reset":
                    self.resets += 1
                    self.reset_at.append(len(self.seqs))
                if e["id"] is not None:
                    last = int(e["id"])
                    if e["event"] in ("upsert", "remove"):
                        self.seqs.append(last)
                        self.events.append((e["event"], e["data"]))
            s.close()
            self.reconnects += 1


class Sidecar:
    """Starts strapi-live-push on a free port and waits for /live/healthz."""

    def __init__(self, port=None, **env):
        import atexit
        import subprocess
        self.port = port or free_port()
        e = dict(os.environ)
        e["STRAPI_LIVE_PUSH_LISTEN"] = "127.0.0.1:%d" % self.port
        e.setdefault("STRAPI_LIVE_STATUS_TOKEN", STATUS_TOKEN)
        for k, v in env.items():
            e["STRAPI_LIVE_" + k.upper()] = str(v)
        log = open(os.path.join(os.environ.get("T", "/tmp"), "push.log"), "a")
        cmd = [os.environ["PUSH_BIN"]]
        if os.environ.get("TRACEME"):
            cmd = os.environ["TRACEME"].split() + cmd
        self.proc = subprocess.Popen(cmd, env=e, stdout=log, stderr=log)
        atexit.register(self.kill)
        if not wait_for(self.healthy, 10):
            raise IOError("sidecar did not start")

    def healthy(self):
        try:
            st, body, _ = http_get("127.0.0.1", self.port, "/live/healthz")
            return st == 200 and json.loads(body)
        except Exception:
            return None

    def health(self):
        return self.healthy() or {}

    def metric(self, name):
        """The sidecar's counter strapi_live_push_<name> (0 when absent)."""
        return int(metrics("127.0.0.1", self.port).get(
            "strapi_live_push_" + name, 0))

    def caught_up(self):
        """The sidecar has pushed everything the store holds."""
        h = self.health()
        return h.get("lastSeq") is not None and \
            h.get("lastSeq") == h.get("storeSeq")

    def stop(self, sig=None):
        import signal
        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGTERM)
        try:
            return self.proc.wait(10)
        except Exception:
            self.proc.kill()
            return self.proc.wait()

    def kill(self):
        # SIGTERM first, so sanitizer builds report leaks at exit.
        if self.proc.poll() is None:
            self.stop()
