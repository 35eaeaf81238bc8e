#!/usr/bin/env python3
"""fake_strapi.py: a stand-in for Strapi 5's REST API, for the sync tests.

Serves GET /api/<plural> with Strapi 5's exact list shape (from the recorded
responses in tests/fixtures/strapi5: flat entries, meta.pagination with page,
pageSize, pageCount, total; pageSize capped at 100; strictParams: unknown query
keys are a 400; a bad token is the recorded 401), on 127.0.0.1 and a port the
kernel picks (printed on stdout, and written to --port-file).
Filters: filters[field][$eq]=v and filters[field][$in][i]=v on an entry's
fields (a miss is 200 with data [], as recorded; an unknown field is the
recorded 400 "Invalid key"); other operators are refused with a 400 that
names the fake.

Data: the 6 published articles of rest-list-default-params.json, or
--generate N synthetic ones in the same shape.

--rich: the recorded blog app of tests/fixtures/strapi5-rich instead (only
its recorded Strapi data): /api/articles, /api/authors, /api/categories
(pages, locale, sort, filters[documentId]), the single types /api/global
and /api/about (404 when a locale has none), and /api/upload/files (a bare
array), one document (/api/<plural>/<documentId>[?locale=], Strapi's
findOne: {"data":{...},"meta":{}}, or the recorded 404 of
rest-article-by-documentId-deleted.json) and one file
(/api/upload/files/<id>, the bare object). No recording has exactly the populate a sync sends, so each entry
is served as the deepest recorded answer holds it, whatever populate asks
(populate keys are accepted, not applied): articles en from
rest-articles-populate-deep-everything.json, fr from
rest-articles-locale-fr.json (populate=*: their blocks hold no files),
authors and categories from their populate=* answers (categories fr
unpopulated), global from rest-global-populate-seo-shareImage.json, about
from rest-about-populate-blocks-star.json; "localizations", which a sync
does not ask for, is left out.

Control (no auth), for the tests:
  GET  /_control?name=value&...   set switches (integers):
       fail429=N      the next N API requests answer 429 (Retry-After: retry_after)
       retry_after=S  seconds in Retry-After (default 1; 0 sends none)
       fail500=N      the next N API requests answer 500
       fail_filter=N  the next N API requests with filters answer 500
       locales_status=403  /api/i18n/locales answers 403 (--rich; 200 as recorded)
       fail_from_page=P  every request for page >= P answers 500 (0: off)
       slow_ms=MS     delay every API answer
       malformed=N    the next N API answers are truncated JSON
       html=N         the next N API answers are an HTML error page (200)
       shape=N        the next N API answers are JSON of the wrong shape
       drift_from_page=P  pages >= P report total + 1 (0: off)
       delete_after_page=P  after serving page P, delete the last entry (0: off)
       shift_after_page=P  after serving page P, delete the first document
                      (documentId order) and create one that sorts after
                      all others: the total stays, later pages shift one
                      place earlier; both sent as webhooks (0: off)
  GET  /_stats                    {"requests","api_requests","connections","statuses",
                                   "paths": every API request's path and query}
  GET  /_entries[?plural=]        the published entries (upstream truth)
  POST /_entries  {"plural":"articles","upsert":[{...}],"remove":["docId"],
                   "lose":false}
       upsert: fields to set; a new documentId creates, an existing one is
       edited and republished (new id, updatedAt, publishedAt); --rich:
       the row of its "locale" ("" for a type without). remove:
       deletes the document (--rich: "documentId" every locale,
       "documentId@fr" one; the plural of a single type: that entry).
       Each change is POSTed to --webhook as Strapi
       would (entry.publish / entry.delete), unless "lose" is true.
"""
import argparse
import json
import math
import os
import random
import re
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "fixtures", "strapi5")
RICH = os.path.join(os.path.dirname(FIXTURES), "strapi5-rich")
ALLOWED_KEYS = {"pagination[page]", "pagination[pageSize]", "sort", "locale",
                "status"}
# filters[<field>][$eq] and filters[<field>][$in][<i>] (qs syntax)
FILTER_KEY = re.compile(r"^filters\[([^\]]+)\]\[(\$[A-Za-z]+)\](?:\[(\d+)\])?$")
# The fields of an article (rest-list-default-params.json) plus locale.
FIELDS = {"id", "documentId", "title", "slug", "content", "excerpt",
          "category", "createdAt", "updatedAt", "publishedAt", "locale"}


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return json.load(f)


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.token = args.token
        self.webhook = args.webhook
        self.webhook_secret = args.webhook_secret
        self.sw = {"fail429": 0, "retry_after": 1, "fail500": 0,
                   "fail_from_page": 0, "slow_ms": 0, "malformed": 0,
                   "html": 0, "shape": 0, "drift_from_page": 0,
                   "delete_after_page": 0, "shift_after_page": 0,
                   "fail_filter": 0, "locales_status": 200}
        self.requests = 0
        self.api_requests = 0
        self.paths = []
        self.connections = 0
        self.statuses = {}
        self.last_ms = 0
        self.rng = random.Random(args.seed)
        self.colls = {args.plural: {}}
        self.model = args.model
        self.next_id = 1
        self.singles = {}
        self.files = None
        self.locales = None
        if args.rich:
            self.load_rich()
        elif args.generate is None:
            body = fixture("rest-list-default-params.json")["body"]
            for e in body["data"]:
                self.colls[args.plural][e["documentId"]] = e
                self.next_id = max(self.next_id, e["id"] + 1)
        else:
            self.generate(args.plural, args.generate)

    def load_rich(self):
        def body(name):
            with open(os.path.join(RICH, name)) as f:
                return json.load(f)["body"]

        def put(plural, e):
            e = {k: v for k, v in e.items() if k != "localizations"}
            key = (e["documentId"], e.get("locale", ""))
            self.colls.setdefault(plural, {})[key] = e

        self.colls = {}
        for name, plural in (
                ("rest-articles-populate-deep-everything.json", "articles"),
                ("rest-articles-locale-fr.json", "articles"),
                ("rest-authors-populate-star.json", "authors"),
                ("rest-categories-populate-star.json", "categories"),
                ("rest-categories-locale-fr.json", "categories")):
            for e in body(name)["data"]:
                put(plural, e)
        self.singles = {
            "global": body("rest-global-populate-seo-shareImage.json")["data"],
            "about": body("rest-about-populate-blocks-star.json")["data"]}
        self.files = body("rest-upload-files.json")
        self.locales = body("rest-i18n-locales.json")

    def now_iso(self):
        ms = max(int(time.time() * 1000), self.last_ms + 1)
        self.last_ms = ms
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + \
            ".%03dZ" % (ms % 1000)

    def doc_id(self):
        return "".join(self.rng.choice(string.ascii_lowercase + string.digits)
                       for _ in range(24))

    def generate(self, plural, n):
        cats = ["tech", "design", "ops"]
        for i in range(n):
            t = self.now_iso()
            title = "Seed Article %05d" % i
            e = {"id": self.next_id, "documentId": self.doc_id(),
                 "title": title, "slug": "seed-article-%05d" % i,
                 "content": "# %s\n\nIntro paragraph with **bold**, _italic_ "
                            "and `code`.\n\n```c\nint main(void) { return 0; "
                            "}\n```\n\n1. first\n2. second\n" % title,
                 "excerpt": "Short summary of \"%s\"." % title,
                 "category": cats[i % 3], "createdAt": t, "updatedAt": t,
                 "publishedAt": t}
            self.next_id += 1
            self.colls[plural][e["documentId"]] = e

    def shift(self, plural):
        """Deletes the first document and creates one sorting last."""
        coll = self.colls[plural]
        if not coll:
            return []
        gone = coll.pop(min(coll))
        doc = "z" * 24
        while doc in coll:
            doc += "z"
        t = self.now_iso()
        e = {"id": self.next_id, "documentId": doc, "title": "Shifted",
             "slug": "shifted-" + doc, "content": "Body",
             "excerpt": "New.", "category": "tech", "createdAt": t,
             "updatedAt": t, "publishedAt": t}
        self.next_id += 1
        coll[doc] = e
        return [("entry.delete", dict(gone)), ("entry.publish", dict(e))]

    def send_webhook(self, event, entry):
        if not self.webhook:
            return
        body = json.dumps({"event": event, "createdAt": self.now_iso(),
                           "model": self.model,
                           "uid": "api::%s.%s" % (self.model, self.model),
                           "entry": entry}, separators=(",", ":")).encode()
        req = urllib.request.Request(self.webhook, data=body, method="POST",
                                     headers={
                                         "Authorization": "Bearer " +
                                         self.webhook_secret,
                                         "X-Strapi-Event": event,
                                         "Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=10).read()
        except urllib.error.HTTPError as e:
            print("fake_strapi: webhook %s: HTTP %d" % (event, e.code),
                  file=sys.stderr)
        except OSError as e:
            print("fake_strapi: webhook %s: %s" % (event, e), file=sys.stderr)


STATE = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Koa"
    sys_version = ""

    def setup(self):
        super().setup()
        with STATE.lock:
            STATE.connections += 1

    def log_message(self, fmt, *a):
        if os.environ.get("FAKE_STRAPI_LOG"):
            sys.stderr.write("fake_strapi: " + fmt % a + "\n")

    def send(self, status, body, ctype="application/json; charset=utf-8",
             extra=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":"))
        if isinstance(body, str):
            body = body.encode()
        with STATE.lock:
            STATE.statuses[str(status)] = STATE.statuses.get(str(status), 0) + 1
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Powered-By", "Strapi <strapi.io>")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, name, message):
        self.send(status, {"data": None, "error": {
            "status": status, "name": name, "message": message,
            "details": {}}})

    def do_GET(self):
        with STATE.lock:
            STATE.requests += 1
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        if u.path == "/_control":
            with STATE.lock:
                for k, v in q.items():
                    if k not in STATE.sw:
                        return self.error(400, "ValidationError",
                                          "unknown switch " + k)
                    STATE.sw[k] = int(v[0])
                sw = dict(STATE.sw)
            return self.send(200, sw)
        if u.path == "/_stats":
            with STATE.lock:
                return self.send(200, {"requests": STATE.requests,
                                       "api_requests": STATE.api_requests,
                                       "connections": STATE.connections,
                                       "statuses": STATE.statuses,
                                       "paths": STATE.paths})
        if u.path == "/_entries":
            plural = q.get("plural", [next(iter(STATE.colls))])[0]
            with STATE.lock:
                data = sorted(STATE.colls.get(plural, {}).values(),
                              key=lambda e: e["documentId"])
            return self.send(200, data)
        if u.path.startswith("/api/content-type-builder/"):
            return self.api_ctb(u.path)
        if u.path.startswith("/api/"):
            with STATE.lock:
                STATE.paths.append(self.path)
            return self.api_list(u.path[5:], q)
        self.send(404, fixture("rest-error-404-unknown-route.json")["body"])

    def do_POST(self):
        with STATE.lock:
            STATE.requests += 1
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        if self.path != "/_entries":
            return self.error(405, "MethodNotAllowedError", "fake: POST")
        req = json.loads(raw or b"{}")
        plural = req.get("plural", next(iter(STATE.colls)))
        hooks = []
        with STATE.lock:
            coll = STATE.colls.setdefault(plural, {})
            for up in req.get("upsert", []):
                doc = up.get("documentId") or STATE.doc_id()
                t = STATE.now_iso()
                key = doc
                if STATE.files is not None:  # --rich: (documentId, locale)
                    key = (doc, up.get("locale", ""))
                e = dict(coll.get(key, {}))
                if not e:
                    e = {"id": 0, "documentId": doc, "title": "New " + doc,
                         "slug": "new-" + doc, "content": "Body",
                         "excerpt": "New.", "category": "tech",
                         "createdAt": t}
                e.update(up)
                e["documentId"] = doc
                e["id"] = STATE.next_id
                STATE.next_id += 1
                e["updatedAt"] = up.get("updatedAt", t)
                e["publishedAt"] = up.get("publishedAt", t)
                coll[key] = e
                hooks.append(("entry.publish", dict(e)))
            for doc in req.get("remove", []):
                e = coll.pop(doc, None)
                if e is None and plural in STATE.singles:
                    e = STATE.singles.pop(plural)
                for key in [k for k in coll if isinstance(k, tuple) and
                            doc in (k[0], "%s@%s" % k)]:
                    e = coll.pop(key)  # --rich: "documentId[@locale]"
                if e is not None:
                    hooks.append(("entry.delete", dict(e)))
        if not req.get("lose"):
            for ev, e in hooks:
                STATE.send_webhook(ev, e)
        self.send(200, {"ok": True, "changes": len(hooks),
                        "documentIds": [e["documentId"] for _, e in hooks]})

    # The content-type-builder (strapi5-rich's recorded answers): the
    # content types and components for --token (the custom token with its
    # read actions), the recorded 403 for any other token.
    CTB = {"/api/content-type-builder/content-types":
           "schema-api-ctb-content-types-custom-token.json",
           "/api/content-type-builder/components":
           "schema-api-ctb-components-custom-token.json"}

    def api_ctb(self, path):
        rich = os.path.join(os.path.dirname(FIXTURES), "strapi5-rich")
        if path not in self.CTB:
            return self.send(404, fixture(
                "rest-error-404-unknown-route.json")["body"])
        if self.headers.get("Authorization") != "Bearer " + STATE.token:
            name = "schema-api-ctb-content-types-readonly-token.json"
        else:
            name = self.CTB[path]
        with open(os.path.join(rich, name)) as f:
            rec = json.load(f)
        return self.send(rec["status"], rec["body"])

    def find_one(self, plural, doc, q):
        """--rich: Strapi's findOne of one document in one locale."""
        loc = q.get("locale", ["en"])[0]
        with STATE.lock:
            if STATE.sw["fail500"] > 0:
                STATE.sw["fail500"] -= 1
                return self.error(500, "InternalServerError",
                                  "Internal Server Error")
            for (d, l), e in STATE.colls.get(plural, {}).items():
                if d == doc and l in (loc, ""):
                    return self.send(200, {"data": e, "meta": {}})
        with open(os.path.join(RICH, "rest-article-by-documentId-deleted."
                               "json")) as f:
            rec = json.load(f)
        return self.send(rec["status"], rec["body"])

    def api_list(self, plural, q):
        with STATE.lock:
            STATE.api_requests += 1
            sw = STATE.sw
            slow = sw["slow_ms"]
        if slow:
            time.sleep(slow / 1000.0)
        auth = self.headers.get("Authorization")
        if STATE.token:
            if auth is None:
                return self.send(403, fixture(
                    "rest-error-403-public-create.json")["body"])
            if auth != "Bearer " + STATE.token:
                return self.send(401, fixture(
                    "rest-error-401-bad-token.json")["body"])
        if STATE.files is not None and plural == "i18n/locales":
            # locales_status 403: a token without the i18n plugin's find.
            if sw["locales_status"] == 403:
                return self.send(403, fixture(
                    "rest-error-403-public-create.json")["body"])
            return self.send(200, STATE.locales)
        if STATE.files is not None and plural == "upload/files":
            return self.send(200, STATE.files)
        if STATE.files is not None and plural.startswith("upload/files/"):
            for f in STATE.files:
                if str(f["id"]) == plural[13:]:
                    return self.send(200, f)
            return self.error(404, "NotFoundError", "Not Found")
        if STATE.files is not None and plural.count("/") == 1:
            return self.find_one(*plural.split("/"), q)
        if plural in ("global", "about") and STATE.files is not None and \
                plural not in STATE.singles:
            return self.error(404, "NotFoundError", "Not Found")
        if plural in STATE.singles:
            e = STATE.singles[plural]
            loc = q.get("locale", [""])[0]
            if "locale" in e and loc and e["locale"] != loc:
                return self.error(404, "NotFoundError", "Not Found")
            return self.send(200, {"data": e, "meta": {}})
        if plural not in STATE.colls:
            return self.send(404, fixture(
                "rest-error-404-unknown-route.json")["body"])
        filters = {}
        for k in q:
            m = FILTER_KEY.match(k)
            if m is None:
                if STATE.files is not None and k.startswith("populate["):
                    continue
                if k not in ALLOWED_KEYS:
                    return self.error(400, "ValidationError",
                                      "Invalid key " + k)
                continue
            field, op, idx = m.groups()
            if field not in FIELDS:
                return self.send(400, {"data": None, "error": {
                    "status": 400, "name": "ValidationError",
                    "message": "Invalid key " + field,
                    "details": {"key": field, "path": None,
                                "source": "query", "param": "filters"}}})
            if (op, idx is None) not in (("$eq", True), ("$in", False)):
                return self.error(400, "ValidationError",
                                  "fake_strapi: unsupported filter " + k)
            filters.setdefault(field, set()).update(q[k])
        try:
            page = int(q.get("pagination[page]", ["1"])[0])
            size = int(q.get("pagination[pageSize]", ["25"])[0])
        except ValueError:
            return self.error(400, "ValidationError", "Invalid pagination")
        size = max(1, min(size, 100))
        page = max(1, page)
        with STATE.lock:
            if sw["fail429"] > 0:
                sw["fail429"] -= 1
                extra = {"Retry-After": str(sw["retry_after"])} \
                    if sw["retry_after"] else {}
                fail = (429, extra)
            elif sw["fail500"] > 0 or (sw["fail_from_page"] and
                                       page >= sw["fail_from_page"]):
                if sw["fail500"] > 0:
                    sw["fail500"] -= 1
                fail = (500, {})
            elif filters and sw["fail_filter"] > 0:
                sw["fail_filter"] -= 1
                fail = (500, {})
            else:
                fail = None
            odd = None
            for k in ("malformed", "html", "shape"):
                if fail is None and odd is None and sw[k] > 0:
                    sw[k] -= 1
                    odd = k
            entries = list(STATE.colls[plural].values())
        if fail is not None:
            if fail[0] == 429:
                return self.send(429, "Too Many Requests", "text/plain",
                                 fail[1])
            return self.error(500, "InternalServerError",
                              "Internal Server Error")
        if odd == "html":
            return self.send(200, "<html><body>502 Bad Gateway</body></html>",
                             "text/html")
        if odd == "shape":
            return self.send(200, {"results": [], "pagination": {}})
        loc = q.get("locale", [None])[0]
        if loc is None and STATE.files is not None:
            loc = "en"  # the recorded app's default locale
        if loc is not None:
            entries = [e for e in entries if e.get("locale", loc) == loc]
        for field, values in filters.items():
            entries = [e for e in entries if field in e and
                       str(e[field]) in values]
        sort = q.get("sort", ["id:asc"])[0]
        field, _, order = sort.partition(":")
        entries.sort(key=lambda e: (e.get(field) is None, e.get(field)),
                     reverse=(order == "desc"))
        total = len(entries)
        chunk = entries[(page - 1) * size:page * size]
        if sw["drift_from_page"] and page >= sw["drift_from_page"]:
            total += 1
        body = {"data": chunk, "meta": {"pagination": {
            "page": page, "pageSize": size,
            "pageCount": int(math.ceil(total / size)), "total": total}}}
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        if odd == "malformed":
            text = text[:len(text) // 2]
        self.send(200, text)
        hooks = []
        with STATE.lock:
            if sw["delete_after_page"] and page == sw["delete_after_page"]:
                sw["delete_after_page"] = 0
                coll = STATE.colls[plural]
                if coll:
                    coll.pop(sorted(coll)[-1])
            if sw["shift_after_page"] and page == sw["shift_after_page"] \
                    and not filters:
                sw["shift_after_page"] = 0
                hooks = STATE.shift(plural)
        for ev, e in hooks:
            STATE.send_webhook(ev, e)


def main():
    global STATE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file")
    ap.add_argument("--token", default="")
    ap.add_argument("--generate", type=int)
    ap.add_argument("--rich", action="store_true")
    ap.add_argument("--plural", default="articles")
    ap.add_argument("--model", default="article")
    ap.add_argument("--webhook", default="")
    ap.add_argument("--webhook-secret", default="fixture-webhook-secret-123")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    STATE = State(args)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
