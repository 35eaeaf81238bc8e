#!/bin/sh
# t3020-client-react.sh: the client as an npm package in a React app.
# scripts/pack-client makes the tarball `make dist` makes; a Vite app
# (tests/browser/react-app) gets it in node_modules, is built with Vite
# and served from another origin; Chromium runs it live against the
# server: useLiveQuery loads, follows a webhook, reports a refused query,
# and unsubscribes on unmount. Skips when React and Vite cannot be had
# (browser_node_modules).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
browser_vite_app "$top_srcdir/tests/browser/react-app" react react-dom
APP=$APP TAP_OFFSET=1 browser_run react_app.py
