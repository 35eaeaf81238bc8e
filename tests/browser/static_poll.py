# static_poll.py: the browser client polling the static change head (TAP)
#
# Run by t3100-static-poll.sh: lighttpd serves www/, webhook.fcgi and the
# static answers of conf/lighttpd-static.conf (change pages of 4 changes,
# 3 kept), and no sidecar and no events.fcgi run. In the environment:
#   BASE, WEBHOOK, SECRET, UPLOADS, T, S (static_dir)

import importlib.machinery
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import cdp  # noqa: E402
import push_client  # noqa: E402
from push_client import ok, diag  # noqa: E402

blog_mod = importlib.machinery.SourceFileLoader(
    "demo_blog", os.path.join(HERE, "..", "..", "scripts", "demo-blog")
).load_module()

BASE = os.environ["BASE"]
S = os.environ["S"]
POLL_MS = 300  # the test page's pollInterval


def js(s):
    return json.dumps(s)


def head_seq():
    with open(os.path.join(S, "_live", "head", "index.json")) as f:
        return json.load(f)["seq"]


def wait_ok(page, what, expr, timeout, dump=None):
    try:
        dt = page.wait(expr, timeout)
        ok(True, "%s (%.2f s)" % (what, dt))
        return True
    except cdp.CDPError as e:
        ok(False, what, e, page.eval(dump) if dump else "")
        diag("\n".join(page.console()))
        return False


def main():
    blog = blog_mod.Blog(os.environ["WEBHOOK"], os.environ["SECRET"],
                         os.environ["UPLOADS"])
    browser = None
    try:
        blog.sample()
        browser = cdp.Browser()

        # 1. The demo, transport auto: no sidecar, so it polls the head.
        demo = browser.new_page(BASE + "/demo/")
        wait_ok(demo, "the demo goes live and lists the 3 articles",
                "document.querySelector('#status').dataset.state === "
                "'live' && document.querySelectorAll('#list li.article')"
                ".length === 3", 15)
        ok(demo.eval("document.querySelector('#status').dataset"
                     ".transport") == "poll",
           "auto chose polling the change head (no sidecar answers)")
        ok(demo.eval("document.querySelector('#status').textContent") ==
           "live · polling", "the demo says so")
        blog.article("Polled: live without a daemon", "polled", "Static.",
                     "cover-sea.png", "Grace Hopper", "design", "Now.")
        # The demo's default interval (2 s), the rendering, and slack.
        wait_ok(demo, "a new article shows in the demo without reload",
                "[...document.querySelectorAll('#list li.article')]"
                ".some(li => li.dataset.slug === 'polled')", 8)
        blog.edit("polled", title="Polled: edited")
        wait_ok(demo, "an edit shows in the demo",
                "[...document.querySelectorAll('#list li.article .title')]"
                ".some(e => e.textContent === 'Polled: edited')", 8)

        # 2. A page using the client in polling mode sees every change.
        pg = browser.new_page(BASE + "/demo/")
        since = pg.eval("""(async () => {
            const m = await import('/strapi-live.js');
            const c = new m.Client({ transport: 'poll',
                pollInterval: %d });
            const first = await c.get('articles', { pageSize: 1 });
            window.__seen = [];
            window.__results = [];
            window.__resets = [];
            c.changes('articles', ch => window.__seen.push(ch),
                { since: first.meta.seq });
            c.subscribe('articles', { slug: 'polled' },
                (list, info) => window.__results.push(
                    { titles: list.map(a => a.title), seq: info.seq,
                      transport: info.transport }));
            window.__c = c;
            return first.meta.seq;
        })()""" % POLL_MS)
        wait_ok(pg, "the live query's first result comes (polling)",
                "window.__results.length === 1 && window.__results[0]"
                ".titles[0] === 'Polled: edited'", 5,
                "JSON.stringify(window.__results)")
        titles = ["Polled v%d" % i for i in range(1, 10)]
        for i, t in enumerate(titles):
            blog.edit("polled", title=t)
            if i % 3 == 2:
                time.sleep(POLL_MS / 1000.0 * 2)
        last = head_seq()
        wait_ok(pg, "every change delivered: %d edits" % len(titles),
                "window.__seen.length >= %d" % len(titles), 10,
                "JSON.stringify(window.__seen.map(c => c.seq))")
        seen = pg.eval("window.__seen.map(c => [c.seq, c.op, c.collection,"
                       " c.entry && c.entry.title])")
        ok([s[3] for s in seen] == titles,
           "each edit's change, in order, none twice", "got %r" % seen)
        ok([s[0] for s in seen] == list(range(since + 1, last + 1)),
           "their seqs are consecutive, from the resume point to the "
           "head's (%d..%d)" % (since + 1, last), "got %r" %
           [s[0] for s in seen])
        ok(all(s[1] == "upsert" and s[2] == "articles" for s in seen),
           "as upserts of articles, the SSE stream's records")
        # The records are the change pages' bytes, parsed.
        pages = {}
        for d in os.listdir(os.path.join(S, "_live", "changes")):
            with open(os.path.join(S, "_live", "changes", d,
                                   "index.json")) as f:
                for rec in json.load(f)["data"]:
                    pages[rec["seq"]] = rec
        recs = pg.eval("JSON.stringify(window.__seen)")
        ok(json.loads(recs) == [pages[s[0]] for s in seen],
           "each delivered change is its record in the change pages")
        wait_ok(pg, "the live query follows to the last edit",
                "window.__results.at(-1).titles[0] === %s && "
                "window.__results.at(-1).seq === %d" % (js(titles[-1]),
                                                        last), 5,
                "JSON.stringify(window.__results)")
        ok(pg.eval("window.__results.every(r => r.transport === 'poll')"),
           "results say transport poll")
        ok(pg.eval("window.__c.status().seq") == last,
           "status().seq is the head's seq")

        # 3. A resume point older than the kept pages: a reset.
        pg.eval("""(async () => {
            const m = await import('/strapi-live.js');
            const c = new m.Client({ transport: 'poll',
                pollInterval: %d });
            window.__old = [];
            c.changes('articles', ch => window.__old.push(ch),
                { since: 1, onReset: (r) => window.__old.push(
                    { reset: r.seq }) });
            window.__c2 = c;
        })()""" % POLL_MS)
        wait_ok(pg, "a resume point whose page was removed: onReset at "
                "the head's seq", "window.__old.length > 0 && "
                "window.__old[0].reset === %d" % last, 5,
                "JSON.stringify(window.__old)")

        # 4. What the web server did: 304s for the head, no daemon.
        with open(os.path.join(os.environ["T"], "log", "access.log")) as f:
            log = f.read()
        n304 = len(re.findall(r'"GET /api/_live/head HTTP/1.1" 304', log))
        ok(n304 > 0, "the head polled with If-None-Match: 304 from the "
           "web server (%d)" % n304)
        ok(re.search(r'"GET /api/_live/changes/\d+ HTTP/1.1" 200', log)
           is not None, "change pages fetched")
        try:
            urllib.request.urlopen(BASE + "/api/_live/changes/0")
            code = 200
        except urllib.error.HTTPError as e:
            code = e.code
        ok(code == 404 and not os.path.exists(
            os.path.join(S, "_live", "changes", "0")),
           "the removed page is gone and answers 404 (%d)" % code)
        ok(not re.search(r'"GET /live/[^"]*" 200', log),
           "nothing from a sidecar")
        pg.eval("window.__c.close(); window.__c2.close()")
    except Exception as e:  # noqa: BLE001
        ok(False, "test aborted: %s" % e)
    finally:
        if browser is not None:
            browser.close()
    return push_client.finish()


if __name__ == "__main__":
    sys.exit(main())
