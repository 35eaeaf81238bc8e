#!/bin/sh
# t2651-shared-hosting-fault.sh: conf/shared-hosting.htaccess under Apache
# with plain CGI, and requests whose process dies of a fault inside a
# library without being killed, as libdb does now and then in a process
# that joins the store while another recovers it. The fault is injected by
# tests/fault/fault_once.so (preloaded): SIGSEGV in db_create, the store's
# environment already joined, or in json-c's parser, the delivery's body
# read. Asserted: the request is answered as if nothing had happened (a
# new process answers it again), a delivery read before the fault is
# stored, a request whose process faults every time is answered 503 in
# Strapi's error envelope rather than Apache's bare 500, the error log
# says why with the signal, a process stuck opening the store is
# replaced after 20 s, a process that cannot open the store while it
# recovers (every database open answers DB_RUNRECOVERY) leaves for a new
# one that answers, and the store verifies.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
shared_hosting_deploy
base=http://127.0.0.1:$PORT
ELOG=$SRV/log/apache-error.log

is "$(post_fixture "$FIXTURES/04-entry.publish.json" "$base/strapi/webhook" | sed -n 1p)" \
    200 "a delivery before any fault: 200"

# The fault library and its markers, readable and removable by the account.
cp "$top_builddir/tests/fault/fault_once.so" "$SRV/fault_once.so"
mkdir -p "$SRV/faults"
[ "$RUNUSER" != "$(id -un)" ] &&
    chown "$RUNUSER:$RUNGROUP" "$SRV/fault_once.so" "$SRV/faults"
cat >>"$SRV/htdocs/.htaccess" <<CONF
SetEnv LD_PRELOAD $SRV/fault_once.so
SetEnv FAULT_DB_CREATE $SRV/faults/db
SetEnv FAULT_JSON $SRV/faults/json
SetEnv FAULT_QUERY sl-fault-always
SetEnv FAULT_OPEN_HANG $SRV/faults/hang
SetEnv FAULT_RECOVER $SRV/faults/recover
SetEnv ASAN_OPTIONS handle_segv=0:verify_asan_link_order=0:detect_leaks=0
CONF

# A process stuck opening the store (it never returns from db_env_create)
# is replaced after 20 s. (First: no process has died in the store yet,
# so nothing else joins it in a child of its own.)
as_runuser touch "$SRV/faults/hang"
t0=$(date +%s)
curl -s --max-time 90 -o "$T/slow.json" -w '%{http_code}' "$base/api/articles" \
    >"$T/slow.code" &
cpid=$!
# While its child is stuck, the request's parent sleeps: the CPU it used
# in 2 s, in clock ticks (-1: no parent with a query child was found).
sleep 3
spin=$(python3 - "FAULT_OPEN_HANG=$SRV/faults/hang" <<'PY'
import os, sys, time
def ours(p):
    # this test's processes: other tests run query programs too
    try:
        env = open("/proc/%d/environ" % p, "rb").read().split(b"\0")
    except OSError:
        return False
    return sys.argv[1].encode() in env
def procs():
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            s = open("/proc/%s/stat" % p).read()
        except OSError:
            continue
        f = s[s.rindex(")") + 2:].split()
        out[int(p)] = (s[s.index("(") + 1:s.rindex(")")], int(f[1]),
                       int(f[11]) + int(f[12]))
    return out
a = procs()
ps = [p for p, (n, _, _) in a.items() if n.startswith("query.") and
      ours(p) and
      any(pp == p and n2.startswith("query.") for n2, pp, _ in a.values())]
time.sleep(2)
b = procs()
print(max([b[p][2] - a[p][2] for p in ps if p in b] or [-1]))
PY
)
wait $cpid
code=$(cat "$T/slow.code")
took=$(($(date +%s) - t0))
[ "$spin" -ge 0 ] && [ "$spin" -le 20 ]
ok $? "meanwhile the request's parent process sleeps ($spin clock ticks of CPU in 2 s)"
[ -e "$SRV/faults/hang" ]
ok $((1 - $?)) "a query's process got stuck opening the store (its marker is gone)"
is "$code" 200 "that query is answered 200 by the next process"
[ "$took" -ge 19 ] && [ "$took" -le 60 ]
ok $? "after the 20 s an open may take (took $took s)"
grep -q 'was stuck opening the store for 20 s (waiting in system call [0-9][0-9]*, [^)]*); answering again (2 of 3)' "$ELOG"
ok $? "the error log says the process was stuck opening the store, and where it waited"
grep 'was stuck opening the store' "$ELOG" | sed 's/^/# /'

as_runuser touch "$SRV/faults/db"
code=$(curl -s -o "$T/list.json" -w '%{http_code}' "$base/api/articles")
[ -e "$SRV/faults/db" ]
ok $((1 - $?)) "a query's process took the fault (its marker is gone)"
is "$code" 200 "that query is answered 200 all the same"
is "$(json "$T/list.json" '[e["title"] for e in d["data"]]' 2>/dev/null)" \
    '["Hello Strapi Five (edited)"]' "with the stored entry"
grep -q 'died of signal 11 (Segmentation fault) before answering; answering again' "$ELOG"
ok $? "the error log says the process died of SIGSEGV and the request is answered again"

# A delivery whose process cannot open the store (it needs recovery every
# time that process looks): before, the program gave up and Apache's
# client got 500; now a new process answers it.
as_runuser touch "$SRV/faults/recover"
is "$(post_fixture "$FIXTURES/08-entry.update.json" "$base/strapi/webhook" | sed -n 1p)" \
    200 "a delivery whose process cannot open the store: 200"
[ -e "$SRV/faults/recover" ]
ok $((1 - $?)) "its process met the store needing recovery (its marker is gone)"
grep -q 'left for a fresh one (its own line says why: .*) before answering; answering again' "$ELOG"
ok $? "the error log says a new process answered it"

as_runuser touch "$SRV/faults/json"
is "$(post_fixture "$FIXTURES/09-entry.publish.json" "$base/strapi/webhook" | sed -n 1p)" \
    200 "a delivery whose process faults after reading the body: 200"
[ -e "$SRV/faults/json" ]
ok $((1 - $?)) "the webhook's process took the fault (its marker is gone)"
is "$(curl -s "$base/api/articles/slug/hello-strapi-five" | json - 'd["data"]["title"]' 2>/dev/null)" \
    "Hello Strapi Five v3" "the delivery's body, read once, was stored by the process that answered"

code=$(curl -s -D "$T/h" -o "$T/fail.json" -w '%{http_code}' \
    "$base/api/articles?sl-fault-always=1")
is "$code" 503 "a request whose process faults every time: 503"
is "$(json "$T/fail.json" 'd["error"]["name"]' 2>/dev/null)" ServiceUnavailableError \
    "in Strapi's error envelope"
grep -qi '^content-type: application/json' "$T/h"
ok $? "as JSON"
grep -q 'died of signal 11 (Segmentation fault) before answering; try again: answered 503' "$ELOG"
ok $? "the error log says it was answered 503, and why"

# The same for a delivery, its process faulting before it read the body:
# the body is read and dropped before the answer (mod_cgid read a reset
# when a CGI program exited with its body unread, and the client got no
# answer at all).
# 600 KB, more than the socket takes: unread, Apache's write of it fails.
python3 -c 'import json; print(json.dumps({"event": "entry.update", "model": "article", "entry": {"id": 1, "documentId": "x", "pad": "p" * 600000}}))' >"$T/big.json"
is "$(curl -s -o "$T/big.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $SECRET" --data-binary @"$T/big.json" \
    "$base/strapi/webhook?sl-fault-always=1")" \
    503 "a delivery whose process faults every time, before reading its body: 503"

n=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/articles")" = 200 ] &&
	    n=$((n + 1))
done
is "$n" 10 "the 10 requests after the faults are answered 200"
as_runuser env STRAPI_LIVE_CONFIG="$SRV/strapi-live.conf" "$I_BIN/strapi-live" verify >"$T/verify.out" 2>&1
ok $? "the store verifies after the faults"
[ "$_tap_fail" = 0 ] || { deploy_logs; cat "$T/verify.out"; }
done_testing
