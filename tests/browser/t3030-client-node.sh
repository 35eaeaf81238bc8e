#!/bin/sh
# t3030-client-node.sh: the browser client imported in Node (a server-side
# render): subscribe() and changes() fail at once with a clear error
# instead of reporting "live" and looping; get() needs an absolute URL.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

command -v node >/dev/null 2>&1 || skip_all "no node"
node -e 'process.exit(typeof WebSocket === "undefined" && typeof EventSource === "undefined" ? 0 : 1)' ||
    skip_all "this Node has WebSocket or EventSource"

cat >"$T/ssr.mjs" <<EOF2
import * as sl from "$top_srcdir/www/strapi-live.js";
const out = {};
try {
	sl.subscribe("articles", null, () => {});
	out.subscribe = "no error";
} catch (e) {
	out.subscribe = [e instanceof sl.StrapiLiveError, e.errorName, e.message];
}
try {
	sl.changes("articles", () => {});
	out.changes = "no error";
} catch (e) {
	out.changes = e.errorName;
}
out.status = sl.client().status().state;
try {
	await sl.get("articles");
	out.get = "no error";
} catch (e) {
	out.get = e.errorName;
}
console.log(JSON.stringify(out));
EOF2
out=$(cd "$T" && timeout 10 node ssr.mjs 2>"$T/node.err")
[ -s "$T/node.err" ] && sed "s/^/# /" "$T/node.err"
diag "$out"
is "$(printf '%s' "$out" | json - 'd["subscribe"][1]')" UnsupportedEnvironment \
    "subscribe() in Node throws UnsupportedEnvironment"
printf '%s' "$out" | json - 'd["subscribe"][2]' | grep -q 'get()'
ok $? "the message says to fetch with get() on the server"
is "$(printf '%s' "$out" | json - 'd["subscribe"][0]')" true "it is a StrapiLiveError"
is "$(printf '%s' "$out" | json - 'd["changes"]')" UnsupportedEnvironment "changes() too"
is "$(printf '%s' "$out" | json - 'd["status"]')" idle "the status stays idle (never live)"
is "$(printf '%s' "$out" | json - 'd["get"]')" ConfigurationError \
    "get() without an absolute api URL says so"
done_testing
