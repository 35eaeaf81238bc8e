# react_app.py: the React test app (tests/browser/react-app, built by
# t3020-client-react.sh) in headless Chromium, live against the server
# (TAP, numbering on from TAP_OFFSET). APP is the app's URL (another origin).
# The Svelte and Vue apps (t3050, t3060) render the same elements and are
# checked the same way; APP_WHAT names what is tested (default useLiveQuery).

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import live_blog as lb  # noqa: E402

ok = lb.ok
APP = os.environ["APP"]
WHAT = os.environ.get("APP_WHAT", "useLiveQuery")


def check(page, name, expr, timeout=8):
    try:
        page.wait(expr, timeout)
        return ok(True, name)
    except cdp.CDPError as e:
        return ok(False, name, e, page.eval(
            "document.getElementById('root').innerHTML"),
            "\n".join(page.console()))


def titles(cat):
    return ("[...document.querySelectorAll('#list-%s li')]"
            ".map(e => e.textContent)" % cat)


def main(ed, push, browser):
    ed.publish("First light", "first-light", "tech", "x", "x")
    ed.publish("Ops diary", "ops-diary", "ops", "x", "x")
    tech, ops = ["First light"], ["Ops diary"]
    for transport in ("ws", "sse"):
        page = browser.new_page(APP + "?base=" + os.environ["BASE"] +
                                "&transport=" + transport)
        how = " (%s)" % transport
        check(page, WHAT + ": the component shows the live result" +
              how, "%s.join() === %s" % (titles("tech"), lb.js(",".join(tech))))
        check(page, WHAT + ": status is live" + how,
              "document.getElementById('list-tech').dataset.state === "
              "'live'")
        tech.insert(0, "Breaking " + transport)
        ed.publish(tech[0], "breaking-" + transport, "tech", "x", "x")
        check(page, WHAT + ": a webhook re-renders the component" + how,
              "%s.join() === %s" % (titles("tech"), lb.js(",".join(tech))))
        check(page, WHAT + ": a refused query gives error "
              "(400 ValidationError), not loading for ever" + how,
              "document.getElementById('missing')?.textContent === "
              "'400 ValidationError'")
        check(page, WHAT + ": the other component is unaffected" + how,
              "%s.join() === %s" % (titles("ops"), lb.js(",".join(ops))))
        subs = page.eval("window.__sl ? window.__sl.subs.size : null")
        page.eval("document.getElementById('toggle').click()")
        if subs is not None:  # the app shows its client as window.__sl
            check(page, WHAT + ": an unmounted component's live query "
                  "stops" + how, "window.__sl.subs.size === %d" % (subs - 1))
        ops.insert(0, "Ops again " + transport)
        ed.publish(ops[0], "ops-again-" + transport, "ops", "x", "x")
        check(page, "after an unmount the remaining query stays live" + how,
              "%s.join() === %s" % (titles("ops"), lb.js(",".join(ops))) +
              " && !document.getElementById('list-tech')")
        page.close()


if __name__ == "__main__":
    sys.exit(lb.run_tap(main))
