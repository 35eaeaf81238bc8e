# populate.py: the client's populate, fields, filters and locale in
# headless Chromium (TAP), run by t3070-client-populate.sh (the
# environment of live_blog.py, with the recorded blog template model).

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import live_blog as lb  # noqa: E402
from push_client import rich_post, rich_post_before, rich_recorded  # noqa

ok, diag, js = lb.ok, lb.diag, lb.js
BASE = os.environ["BASE"]
HOOK = os.environ["WEBHOOK"]

# Each client query, and the query string REST is asked with.
GETS = [
    ({"populate": {"author": {"populate": {"avatar": True}}, "cover": True}},
     "populate[author][populate][avatar]=true&populate[cover]=true"),
    ({"populate": ["author", "category"], "fields": ["title"]},
     "populate[0]=author&populate[1]=category&fields[0]=title"),
    ({"populate": "*", "locale": "en"}, "populate=*&locale=en"),
    ({"populate": {"blocks": {"on": {"shared.quote": True}}}},
     "populate[blocks][on][shared.quote]=true"),
    ({"filters": {"slug": {"$eq": "hello-rich-strapi"}},
      "populate": {"category": {"fields": ["name"]}}},
     "filters[slug][$eq]=hello-rich-strapi&"
     "populate[category][fields][0]=name"),
]
LIVE = {"populate": {"author": {"fields": ["name"]}}, "fields": ["title"]}
LIVE_QS = "populate[author][fields][0]=name&fields[0]=title"
SINGLE = {"populate": {"blocks": True}}
SINGLE_QS = "populate[blocks]=true"


def rest(page, qs):
    """REST's answer to /api/articles?qs, fetched by the page."""
    return page.eval("""(async () => {
        const r = await fetch(%s);
        return { status: r.status, body: await r.json() }; })()""" %
                     js(BASE + "/api/articles?" + qs))


def got(page, q):
    return page.eval("""(async () => {
        try { return await sl.get("articles", %s); }
        catch (e) { return { error: e.message }; } })()""" % js(q))


def result(page, t, n):
    """The n-th result (1 first) of transport t's subscription, once it
    came (within 5 s), or the last one there is."""
    try:
        page.wait("window.res[%s].length >= %d" % (js(t), n), 5)
    except cdp.CDPError:
        pass
    return page.eval("window.res[%s].at(-1)" % js(t))


def authors(data):
    return sorted({e["author"]["name"] for e in data if e.get("author")})


def main(ed, push, browser):
    st = rich_post_before(HOOK, "18-")
    ok(st == [200] * len(st), "the %d deliveries before the author's "
       "rename are taken" % len(st), st)
    page = browser.new_page(BASE + "/blank")
    try:
        page.eval("""(async () => {
            window.sl = await import(%s);
            return true; })()""" % js(BASE + "/strapi-live.js"))
        for q, qs in GETS:
            want = rest(page, qs)
            res = got(page, q)
            ok(want["status"] == 200 and res.get("data") == want["body"]["data"]
               and len(res["data"]) > 0,
               "get(%s) is REST's answer to ?%s" % (js(q), qs),
               "REST %r" % want, "get %r" % res)
        want = rest(page, LIVE_QS)["body"]["data"]
        page.eval("""(() => {
            window.res = {};
            window.cs = {};
            for (const t of ["ws", "sse"]) {
                window.res[t] = [];
                const c = window.cs[t] = new sl.Client({ transport: t });
                c.subscribe("articles", %s, (data) => window.res[t].push(data),
                    { onError: e => window.res[t].push({ error: e.message }) });
            }
            return true; })()""" % js(LIVE))
        for t in ("ws", "sse"):
            first = result(page, t, 1)
            ok(first == want and authors(first) == ["Ada Lovelace"],
               "%s: subscribe(%s) has REST's answer to ?%s" %
               (t, js(LIVE), LIVE_QS), "REST %r" % want, "live %r" % first)
        d, hdrs = rich_recorded("18-entry.update.author.json")
        ok(rich_post(HOOK, d["raw_body"], hdrs) == 200,
           "the author is renamed (no article delivery)")
        want = rest(page, LIVE_QS)["body"]["data"]
        ok(authors(want) == ["Ada King-Lovelace"], "REST shows the new name")
        for t in ("ws", "sse"):
            last = result(page, t, 2)
            ok(last == want, "%s: a new result with the new name, equal to "
               "REST's" % t, "live %r" % page.eval("window.res[%s]" % js(t)))
            ok(page.eval("window.cs[%s].status().transport" % js(t)) == t,
               "over " + t)
        # a single type: the server sends its entry, as REST's /api/about
        d, hdrs = rich_recorded("57-entry.update.about.json")
        ok(rich_post(HOOK, d["raw_body"], hdrs) == 200, "the about page")
        want = page.eval("""(async () => (await (await fetch(%s)).json())
            .data)()""" % js(BASE + "/api/about?" + SINGLE_QS))
        page.eval("""(() => {
            for (const t of ["ws", "sse"]) {
                window.res[t] = [];
                window.cs[t].subscribe("about", %s,
                    (data) => window.res[t].push(data),
                    { onError: e => window.res[t].push({ error: e.message }) });
            }
            return true; })()""" % js(SINGLE))
        for t in ("ws", "sse"):
            first = result(page, t, 1)
            ok(want and want.get("blocks") and first == [want],
               "%s: subscribe(\"about\") has REST's entry, as a list of one"
               % t, "REST %r" % want, "live %r" % first)
    finally:
        for line in page.console():
            diag(line)


if __name__ == "__main__":
    sys.exit(lb.run_tap(main))
