# pages.py: live pages beyond page 1 in headless Chromium (TAP), run by
# t3040-client-pages.sh (the environment of live_blog.py). Seven entries
# of one category, newest first (sort=publishedAt:desc, asked of REST
# and of the live query alike: Strapi's default order is the row id),
# five a page: page 2 holds the two oldest. A new entry
# pushes page 1's last onto page 2; removing it brings it back. After
# each change, the live results of page 2 (page/pageSize and start/limit)
# must equal what REST answers for the same page, meta.pagination too.

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import live_blog as lb  # noqa: E402

ok, diag, js = lb.ok, lb.diag, lb.js
BASE = os.environ["BASE"]
QUERIES = {
    "page": {"category": "pg", "page": 2, "pageSize": 5,
             "sort": "publishedAt:desc"},
    "offset": {"category": "pg", "start": 5, "limit": 5,
               "sort": "publishedAt:desc"},
}


def rest(page, q):
    """REST's answer for a query: {data, pagination} (as the page sees it)."""
    return page.eval("""(async () => {
        const r = await sl.get("articles", %s);
        return { data: r.data, pagination: r.meta.pagination };
    })()""" % js(q))


def live_equals(page, key, want, timeout=5):
    """Waits until the latest live result of key equals want."""
    page.eval("window.want = %s; true" % js(want))
    try:
        page.wait("(() => { const l = window.res[%s].at(-1); return l && "
                  "JSON.stringify(l.data) === JSON.stringify(want.data) && "
                  "JSON.stringify(l.pagination) === "
                  "JSON.stringify(want.pagination); })()" % js(key),
                  timeout, 0.05)
        return True
    except cdp.CDPError:
        return False


def titles(d):
    return [e["title"] for e in d["data"]]


def round_trip(ed, page, transport):
    how = " (%s)" % transport
    page.eval("""(() => {
        const c = window.c = new sl.Client({ transport: %s });
        window.res = {};
        for (const [k, q] of Object.entries(%s)) {
            window.res[k] = [];
            c.subscribe("articles", q, (data, info) => window.res[k].push(
                { data, pagination: info.pagination }),
                { onError: e => window.res[k].push({ error: e.message }) });
        }
        return true; })()""" % (js(transport), js(QUERIES)))
    for key, q in QUERIES.items():
        want = rest(page, q)
        ok(live_equals(page, key, want), "%s: the live page 2 equals REST's "
           "page 2, meta.pagination too%s" % (key, how),
           "REST %r" % want, "live %r" % page.eval("window.res[%s]" %
                                                   js(key)))
    p1 = rest(page, {"category": "pg", "pageSize": 5,
                     "sort": "publishedAt:desc"})
    before = {k: rest(page, q) for k, q in QUERIES.items()}
    n = {k: page.eval("window.res[%s].length" % js(k)) for k in QUERIES}

    # A new entry on page 1 pushes page 1's last entry onto page 2.
    moved = p1["data"][-1]["title"]
    new = ed.publish("New on page 1 " + transport, "pg-new-" + transport,
                     "pg", "x", "x")
    for key, q in QUERIES.items():
        want = rest(page, q)
        ok(want["data"][0]["title"] == moved and
           want["pagination"]["total"] == before[key]["pagination"]["total"]
           + 1, "%s: REST's page 2 starts with page 1's old last entry" %
           key, "REST %r" % titles(want))
        ok(live_equals(page, key, want), "%s: a new entry on page 1: page 2's "
           "subscribers get the entry that moved (%s), equal to REST, "
           "meta.pagination.total %d%s" % (key, moved,
                                          want["pagination"]["total"], how),
           "REST %r" % titles(want), "live %r" % page.eval(
               "window.res[%s].map(r => r.data && r.data.map(e => e.title))"
               % js(key)))
    ok(all(page.eval("window.res[%s].length" % js(k)) == n[k] + 1
           for k in QUERIES), "one result per change, no more" + how,
       page.eval("JSON.stringify(Object.values(window.res).map(r => "
                 "r.length))"))

    # Removing it brings the entry back to page 1.
    ed.unpublish(new["documentId"])
    for key, q in QUERIES.items():
        want = rest(page, q)
        ok(want == before[key], "%s: REST's page 2 is as before" % key,
           "REST %r" % titles(want))
        ok(live_equals(page, key, want), "%s: an entry leaves page 1: page "
           "2's first goes back, and the live page equals REST%s" %
           (key, how), "live %r" % page.eval(
               "window.res[%s].map(r => r.data && r.data.map(e => e.title))"
               % js(key)))
    ok(page.eval("c.status().transport") == transport, "over " + transport)
    page.eval("c.close()")


def main(ed, push, browser):
    for i in range(7):
        ed.publish("Paged entry %d" % i, "paged-entry-%d" % i, "pg", "x", "x")
    ed.publish("Elsewhere", "elsewhere", "tech", "x", "x")
    page = browser.new_page(BASE + "/blank")
    try:
        page.eval("""(async () => {
            window.sl = await import(%s);
            return true; })()""" % js(BASE + "/strapi-live.js"))
        for transport in ("ws", "sse"):
            try:
                round_trip(ed, page, transport)
            except cdp.CDPError as e:
                ok(False, "%s: aborted" % transport, e)
    finally:
        for line in page.console():
            diag(line)


if __name__ == "__main__":
    sys.exit(lb.run_tap(main))
