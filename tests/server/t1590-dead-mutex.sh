#!/bin/sh
# t1590-dead-mutex.sh: a process killed inside the store while it held a
# Berkeley DB mutex that every open takes (tests/fault/die_in_store). The
# next open used to wait on it for ever, and everything else behind that
# open (tests/soak/crash.sh, after ~100 kills). Now: the CLI opens within a
# bound, idle FastCGI workers notice and hand themselves over to fresh
# images of themselves (the max_requests re-exec: same pid, the listening
# socket kept), nothing acknowledged is lost, and service goes on.
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
DIE="$top_builddir/tests/fault/die_in_store"
[ -x "$DIE" ] || skip_all "tests/fault/die_in_store not built"

lighttpd_hook_api 2

post() { post_gen "$1" "$base/hook"; } # post DOC: prints the status
docs() {
	timeout 60 "$STRAPI_LIVE" dump 2>>"$T/cli.err" |
	    python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["documentId"] for l in sys.stdin)))'
}

for d in a1 a2 a3; do post "$d" >>"$T/codes"; echo >>"$T/codes"; done
is "$(sort -u "$T/codes")" 200 "deliveries are stored (the workers then sit idle)"
is "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/articles")" 200 "queries are served"

# 1. Killed holding the buffer pool's mutex; the CLI is the next opener.
"$DIE" "$T/store" 2>>"$T/die.err"
is $? 137 "a process was killed inside the store holding the buffer pool mutex"
t0=$(date +%s)
got=$(docs)
is "$got" "a1 a2 a3" "the CLI opens the store (no hang) and every delivery is there"
diag "the CLI open took $(($(date +%s) - t0)) s (bound: 60 s; it used to be for ever)"
check "the CLI said it ran full recovery" grep -q "running full recovery" "$T/cli.err"
HANDOVER='handing this process over to a fresh one'
ok "$(wait_log "webhook.fcgi.*$HANDOVER" 2 && echo 0 || echo 1)" \
    "both idle webhook workers noticed the recovery and left for fresh images"
ok "$(wait_log "query.fcgi.*$HANDOVER" 2 && echo 0 || echo 1)" \
    "both idle query workers noticed it and left"
is "$(post b1)" 200 "a delivery after the recovery is acknowledged"
is "$(curl -s -m 30 "$base/api/articles?filters%5Bslug%5D%5B%24eq%5D=slug-b1" | json - 'len(d["data"])')" 1 \
    "and a query worker serves it"
check "verify is clean" timeout 60 "$STRAPI_LIVE" verify

# 2. The same with no CLI: the idle workers find the dead process alone.
n=$(grep -c "$HANDOVER" "$LOG")
"$DIE" "$T/store" 2>>"$T/die.err"
is $? 137 "killed inside the store again, with only idle workers left"
ok "$(wait_log "$HANDOVER" $((n + 2)) && echo 0 || echo 1)" \
    "the idle workers notice the dead process and leave (a fresh one recovers)"
is "$(post b2)" 200 "the next delivery is acknowledged"
is "$(docs)" "a1 a2 a3 b1 b2" "the CLI opens at once and every delivery is there"

is "$(grep -c 'child exited' "$T/log/lighttpd-error.log")" 0 \
    "no worker exited: each re-executed itself in place"

# 3. Idle workers SIGKILLed (outside any call): nothing to wait for.
for p in $(pgrep -P "$LIGHTTPD_PID"); do kill -9 "$p"; done
is "$(docs)" "a1 a2 a3 b1 b2" "after SIGKILL of every idle worker the CLI opens"
is "$(post b3)" 200 "the restarted workers serve deliveries"
check "verify is clean at the end" timeout 60 "$STRAPI_LIVE" verify
done_testing
