#!/bin/sh
# t3050-client-svelte.sh: the client as an npm package in a Svelte 5 app.
# A Vite app (tests/browser/svelte-app, @sveltejs/vite-plugin-svelte) gets
# the packed client in node_modules, is built and served from another
# origin; Chromium runs it live against the server over WebSocket and SSE:
# components reading liveQuery stores ($articles) load, follow a webhook,
# report a refused query, and stop their live query when destroyed
# (tests/browser/react_app.py, which checks the three apps alike). Skips
# when Svelte and Vite cannot be had (browser_node_modules).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
browser_vite_app "$top_srcdir/tests/browser/svelte-app" svelte \
    @sveltejs/vite-plugin-svelte
APP=$APP APP_WHAT="Svelte, liveQuery store" TAP_OFFSET=1 \
    browser_run react_app.py
