# next_app.py: the Next.js app of t3090-client-next.sh (tests/browser/next-app,
# docs/client.md's server and client components) against the server (TAP,
# numbering on from TAP_OFFSET). NEXT_APP is `next start`'s URL.
#
# The page is fetched without JavaScript (its server render must hold the
# articles, read with get()); then Chromium is given that very render, kept
# while an article was published after it (a proxy in front of `next start`
# answers / with it), and must show that article too, then follow a webhook
# live over WebSocket, with no console error.

import http.server
import json
import os
import re
import sys
import threading
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import live_blog as lb  # noqa: E402

ok = lb.ok
NEXT_APP = os.environ["NEXT_APP"]
TITLES = "[...document.querySelectorAll('ul li')].map(e => e.textContent)"


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers, r.read()


def kept_render(html):
    """A server on a free port: / is html (a server render kept from
    before), everything else is `next start`'s (its scripts)."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/":
                status, ctype, body = 200, "text/html; charset=utf-8", html
            else:
                try:
                    status, headers, body = fetch(NEXT_APP.rstrip("/") +
                                                  self.path)
                except urllib.error.HTTPError as e:
                    status, headers, body = e.code, e.headers, e.read()
                ctype = headers.get("Content-Type", "text/plain")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def check(page, name, expr, timeout=8):
    try:
        page.wait(expr, timeout)
        return ok(True, name)
    except cdp.CDPError as e:
        return ok(False, name, e, page.eval("document.body.innerHTML"),
                  "\n".join(page.console()))


def main(ed, push, browser):
    ed.publish("First light", "first-light", "tech", "x", "x")
    ed.publish("Ops diary", "ops-diary", "ops", "x", "x")
    status, _, html = fetch(NEXT_APP)
    text = html.decode()
    ok(status == 200 and "<li>First light</li>" in text and
       "Ops diary" not in text,
       "next start's HTML (no JavaScript) holds the tech articles: the "
       "server component read them with get()", text[-3000:])
    seq = re.search(r'\\"seq\\":(\d+)', text)
    _, _, answer = fetch(os.environ["BASE"] +
                         "/api/articles?filters[category][$eq]=tech")
    now = json.loads(answer)["meta"]["seq"]
    ok(seq and int(seq.group(1)) == now,
       "the render hands the client component the answer's meta.seq (%s)"
       % now, seq and seq.group(0))
    # A change after that render, before the browser loads the page.
    ed.publish("After the render", "after-the-render", "tech", "x", "x")
    _, _, fresh = fetch(NEXT_APP)
    ok("<li>After the render</li>" in fresh.decode(),
       "each request renders anew (the page is dynamic, not the build's)")
    srv = kept_render(html)
    try:
        page = browser.new_page()
        page.call("Network.enable")
        page.goto("http://127.0.0.1:%d/" % srv.server_address[1])
        want = ["After the render", "First light"]
        check(page, "Chromium, given the earlier server render, shows the "
              "article published after it: the client component "
              "subscribed from the render's meta.seq",
              "%s.join() === %s" % (TITLES, lb.js(",".join(want))))
        want.insert(0, "Breaking live")
        ed.publish(want[0], "breaking-live", "tech", "x", "x")
        check(page, "a webhook's new tech article shows live",
              "%s.join() === %s" % (TITLES, lb.js(",".join(want))))
        ws = [e["params"]["url"] for e in browser.events
              if e.get("sessionId") == page.session and
              e["method"] == "Network.webSocketCreated"]
        ok(any("/live/ws" in u for u in ws),
           "the page went live over WebSocket", ws)
        errors = [m for m in page.console()
                  if m.startswith(("console.error", "exception"))]
        ok(not errors, "no console error in the page", "\n".join(errors))
        page.close()
    finally:
        srv.shutdown()


if __name__ == "__main__":
    sys.exit(lb.run_tap(main))
