# react_app.py: the React test app (tests/browser/react-app, built by
# t3020-client-react.sh) in headless Chromium, live against the server
# (TAP, numbering from TAP_FIRST). APP is the app's URL (another origin).

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import live_blog as lb  # noqa: E402

ok = lb.ok
lb.n = int(os.environ.get("TAP_FIRST", "1")) - 1
APP = os.environ["APP"]


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
    page = browser.new_page(APP + "?base=" + os.environ["BASE"])
    check(page, "useLiveQuery: the component shows the live result",
          "%s.join() === 'First light'" % titles("tech"))
    check(page, "useLiveQuery: status is live",
          "document.getElementById('list-tech').dataset.state === 'live'")
    ed.publish("Breaking", "breaking", "tech", "x", "x")
    check(page, "useLiveQuery: a webhook re-renders the component",
          "%s.join() === 'Breaking,First light'" % titles("tech"))
    check(page, "useLiveQuery: a refused query gives error "
          "(400 ValidationError), not loading for ever",
          "document.getElementById('missing')?.textContent === "
          "'400 ValidationError'")
    check(page, "useLiveQuery: the other component is unaffected",
          "%s.join() === 'Ops diary'" % titles("ops"))
    page.eval("document.getElementById('toggle').click()")
    ed.publish("Ops again", "ops-again", "ops", "x", "x")
    check(page, "after an unmount the remaining query stays live",
          "%s.join() === 'Ops again,Ops diary'" % titles("ops") +
          " && !document.getElementById('list-tech')")


if __name__ == "__main__":
    sys.exit(lb.run_tap(main))
