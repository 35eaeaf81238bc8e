# cdp.py: headless Chromium driven over the DevTools protocol (stdlib only)
#
# Starts Debian's /usr/bin/chromium with a fresh profile and
# --remote-debugging-port=0, reads the port from DevToolsActivePort, and talks
# to the browser endpoint over the tests' WebSocket client (push_client.WS:
# masked frames, fragmentation, ping/pong). Pages are attached with
# flatten=true, so one socket carries every page's session.

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from push_client import WS  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, extra_args=()):
        self.profile = tempfile.mkdtemp(prefix="sl-chromium.")
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions",
                "--mute-audio", "--window-size=1000,900",
                "--user-data-dir=" + self.profile,
                "--remote-debugging-port=0"] + list(extra_args) + \
            ["about:blank"]
        self.log = open(os.path.join(self.profile, "chromium.log"), "w")
        # Chromium makes its own temporary directories (its singleton's
        # socket) in TMPDIR and leaves them behind when it is stopped:
        # inside the profile, they go with it.
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     env=dict(os.environ,
                                              TMPDIR=self.profile))
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while True:
            if os.path.exists(port_file):
                lines = open(port_file).read().split("\n")
                if len(lines) >= 2 and lines[1]:
                    break
            if self.proc.poll() is not None or time.time() > deadline:
                self.close()
                raise CDPError("chromium did not start")
            time.sleep(0.05)
        try:
            self.ws = WS("127.0.0.1", int(lines[0]), lines[1], timeout=10)
        except OSError as e:
            raise CDPError("websocket handshake: %s" % e)
        self.next_id = 1
        self.events = []

    def call(self, method, params=None, session=None, timeout=15):
        mid = self.next_id
        self.next_id += 1
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise CDPError("%s: no answer in %ss" % (method, timeout))
            m = self.ws.recv_bytes(left)
            if m is None and self.ws.closed:
                raise CDPError("websocket closed by peer")
            if m is None:
                raise CDPError("%s: no answer in %ss" % (method, timeout))
            m = json.loads(m)
            if m.get("id") == mid:
                if "error" in m:
                    raise CDPError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)
                del self.events[:-2000]

    def new_page(self, url="about:blank"):
        tid = self.call("Target.createTarget", {"url": "about:blank"})[
            "targetId"]
        sid = self.call("Target.attachToTarget",
                        {"targetId": tid, "flatten": True})["sessionId"]
        page = Page(self, tid, sid)
        page.call("Page.enable")
        page.call("Runtime.enable")
        if url != "about:blank":
            page.goto(url)
        return page

    def close(self):
        try:
            if getattr(self, "ws", None):
                try:
                    self.call("Browser.close", timeout=3)
                except CDPError:
                    pass
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, target_id, session):
        self.b = browser
        self.target_id = target_id
        self.session = session

    def call(self, method, params=None, timeout=15):
        return self.b.call(method, params, self.session, timeout)

    def goto(self, url, timeout=15):
        self.call("Page.navigate", {"url": url})
        self.wait("document.readyState === 'complete'", timeout)

    def eval(self, expr, timeout=15):
        r = self.call("Runtime.evaluate", {
            "expression": expr, "returnByValue": True,
            "awaitPromise": True}, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError("evaluate %r: %s" % (
                expr[:80], d.get("exception", {}).get("description",
                                                      d.get("text"))))
        return r.get("result", {}).get("value")

    def wait(self, expr, timeout=10, interval=0.02):
        """Polls a JS expression until truthy; returns seconds waited."""
        t0 = time.time()
        while True:
            try:
                if self.eval(expr):
                    return time.time() - t0
            except CDPError:
                pass
            if time.time() - t0 > timeout:
                raise CDPError("timed out after %ss waiting for: %s" %
                               (timeout, expr))
            time.sleep(interval)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def console(self):
        """Console messages and exceptions of this page so far (text)."""
        out = []
        for e in self.b.events:
            if e.get("sessionId") != self.session:
                continue
            if e["method"] == "Runtime.consoleAPICalled":
                out.append("console.%s: %s" % (e["params"]["type"], " ".join(
                    str(a.get("value", a.get("description", "")))
                    for a in e["params"]["args"])))
            elif e["method"] == "Runtime.exceptionThrown":
                d = e["params"]["exceptionDetails"]
                out.append("exception: %s" % d.get("exception", {}).get(
                    "description", d.get("text")))
        return out

    def close(self):
        self.b.call("Target.closeTarget", {"targetId": self.target_id})
