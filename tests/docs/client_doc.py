# client_doc.py: docs/client.md's snippets, written out as a frontend
# developer would paste them (TAP helper of t2960-client-doc.sh).
#
#   client_doc.py split DOC OUT BASE   writes OUT/pages/N.html (html
#       blocks), OUT/app/<path> or OUT/app/blocks/N.jsx|js (jsx and js
#       blocks; a first line "// <path>" names the file), OUT/node/N.mjs
#       (js node blocks), and OUT/app/main.jsx: a harness that renders
#       every jsx block no other block imports (an async one, a server
#       component, is awaited first, as a server would) in its own
#       div.block and imports the js blocks. http://127.0.0.1:8080 becomes
#       BASE.
#   client_doc.py browser OUT          (run by browser_run) opens every
#       page and the built app in Chromium: each must show the tech
#       articles, then an article published by webhook, live.

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def split(doc, out, base):
    text = open(doc).read().replace("http://127.0.0.1:8080", base)
    blocks = re.findall(r"^```([a-z ]+)\n(.*?)^```$", text, re.M | re.S)
    app = os.path.join(out, "app")
    for d in ("pages", "node", "app/blocks"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    jsx, js = [], []
    for i, (info, body) in enumerate(blocks):
        info = info.strip()
        m = re.match(r"// ([\w./-]+\.jsx?)\n", body)
        if info == "html":
            path = os.path.join(out, "pages", "%d.html" % i)
        elif info == "js node":
            path = os.path.join(out, "node", "%d.mjs" % i)
        elif info in ("jsx", "js"):
            rel = m.group(1) if m else "blocks/%d.%s" % (i, info)
            path = os.path.join(app, rel)
            (jsx if info == "jsx" else js).append((rel, body))
        else:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(body)
    imported = set()
    for _, body in jsx + js:
        for spec in re.findall(r'from "\./([\w./-]+)"', body):
            imported.add(spec)
    entries = [rel for rel, _ in jsx
               if os.path.basename(rel) not in imported]
    lines = ['import React from "react";',
             'import { createRoot } from "react-dom/client";']
    for rel, _ in js:
        lines.append('import "./%s";' % rel)
    for k, rel in enumerate(entries):
        lines.append('import B%d from "./%s";' % (k, rel))
    lines.append("const entries = [%s];" % ", ".join(
        '["%s", B%d]' % (rel, k) for k, rel in enumerate(entries)))
    lines.append("""for (const [name, C] of entries) {
	const el = document.createElement("div");
	el.className = "block";
	el.dataset.name = name;
	document.body.append(el);
	const node = C.constructor.name === "AsyncFunction" ?
	    await C({}) : React.createElement(C);
	createRoot(el).render(node);
}
window.__harness = entries.length;""")
    with open(os.path.join(app, "main.jsx"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(app, "index.html"), "w") as f:
        f.write('<!doctype html><meta charset="utf-8"><title>client.md'
                '</title><script type="module" src="./main.jsx"></script>\n')
    with open(os.path.join(app, "vite.config.js"), "w") as f:
        f.write('export default { base: "./", logLevel: "warn", esbuild: '
                '{ jsx: "automatic" }, build: { target: "es2022" } };\n')
    print("%d blocks: %d html, %d jsx (%d rendered), %d js, %d js node" % (
        len(blocks), len(os.listdir(os.path.join(out, "pages"))), len(jsx),
        len(entries), len(js), len(os.listdir(os.path.join(out, "node")))))


def browser(out):
    sys.path.insert(0, os.path.join(HERE, "..", "browser"))
    import cdp
    import live_blog as lb
    base = os.environ["BASE"]
    pages = sorted(os.listdir(os.path.join(out, "pages")))

    def body(ed, push, b):
        ed.publish("Docs first", "docs-first", "tech", "x", "x")
        ed.publish("Docs ops", "docs-ops", "ops", "x", "x")
        opened = []
        for p in pages:
            opened.append(("docs/client.md html block %s" % p,
                           b.new_page(base + "/doc-pages/" + p),
                           "[...document.querySelectorAll('li')]"))
        app = b.new_page(base + "/doc-app/index.html")
        try:
            app.wait("window.__harness !== undefined", 10)
        except cdp.CDPError as e:
            lb.ok(False, "the jsx and js blocks render", e,
                  "\n".join(app.console()))
            return
        for k in range(app.eval("window.__harness")):
            name = app.eval("document.querySelectorAll('.block')[%d]"
                            ".dataset.name" % k)
            opened.append(("docs/client.md jsx block %s" % name, app,
                           "[...document.querySelectorAll('.block')[%d]"
                           ".querySelectorAll('li')]" % k))
        opened.append(("docs/client.md js block (the store)", app,
                       "[...document.querySelectorAll('body > ul li')]"))
        for name, page, lis in opened:
            expr = "%s.map(e => e.textContent).join() === 'Docs first'" % lis
            try:
                page.wait(expr, 10)
                lb.ok(True, name + " shows the tech articles")
            except cdp.CDPError as e:
                lb.ok(False, name + " shows the tech articles", e,
                      page.eval("document.body.innerHTML")[:2000],
                      "\n".join(page.console()))
        ed.publish("Docs live", "docs-live", "tech", "x", "x")
        for name, page, lis in opened:
            expr = ("%s.map(e => e.textContent).join() === "
                    "'Docs live,Docs first'" % lis)
            try:
                page.wait(expr, 5)
                lb.ok(True, name + " follows a webhook live")
            except cdp.CDPError as e:
                lb.ok(False, name + " follows a webhook live", e)

    return lb.run_tap(body)


if __name__ == "__main__":
    if sys.argv[1] == "split":
        split(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(browser(sys.argv[2]))
