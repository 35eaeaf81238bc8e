#!/bin/sh
# t3070-client-populate.sh: the browser client's populate, fields, filters
# and locale, in headless Chromium, on the recorded blog template model
# (tests/fixtures/strapi5-rich): get() sends them in Strapi's bracketed
# syntax (nested objects, arrays, strings) and answers what REST answers
# to the same query string; subscribe() with them, over WebSocket and
# SSE, has REST's answer as its result, and a new one when an entry it
# embeds changes (the author renamed: no article delivery); a single
# type's result (its entry, not a list) comes to onResult as the list of
# one a poll makes of REST's answer. The browser part is
# tests/browser/populate.py.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/browser/browser_lib.sh"

browser_setup
rich_env
browser_conf >"$T/extra.conf"
lighttpd_start <"$T/extra.conf" || skip_all "lighttpd did not start"
browser_run populate.py
