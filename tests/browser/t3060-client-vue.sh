#!/bin/sh
# t3060-client-vue.sh: the client as an npm package in a Vue 3 app. A
# Vite app (tests/browser/vue-app, @vitejs/plugin-vue, single-file
# components) gets the packed client in node_modules, is built and served
# from another origin; Chromium runs it live against the server over
# WebSocket and SSE: components reading liveQuery through a composable
# (a shallow ref) load, follow a webhook, report a refused query, and stop
# their live query when unmounted (tests/browser/react_app.py, which
# checks the three apps alike). Skips when Vue and Vite cannot be had
# (browser_node_modules).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
browser_vite_app "$top_srcdir/tests/browser/vue-app" vue @vitejs/plugin-vue
APP=$APP APP_WHAT="Vue, liveQuery in a ref" TAP_OFFSET=1 \
    browser_run react_app.py
