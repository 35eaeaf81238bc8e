#!/bin/sh
# t3040-client-pages.sh: live pages beyond the first, in headless Chromium,
# over WebSocket and SSE: subscribers of page 2 (pagination[page]) and of
# start/limit see an entry that a change moves across the page boundary,
# with data and meta.pagination equal to a fresh REST answer of the same
# page after each change. The browser part is tests/browser/pages.py.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
browser_conf >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
browser_run pages.py
