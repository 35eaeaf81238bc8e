#!/bin/sh
# t1570-recycle-load.sh: FastCGI process recycling under load. lighttpd
# (which has no per-process request limit) with max_requests = 50: the
# programs replace themselves every 50 requests; Apache mod_fcgid with
# FcgidMaxRequestsPerProcess 50. Under wrk on the list query plus
# concurrent webhook posters, no request fails (no non-2xx, no socket
# error), every acknowledged delivery is in the store, and the recycled
# processes keep their pids and descriptors (nothing leaks across exec).
. "${top_srcdir:-.}/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v wrk >/dev/null 2>&1 || skip_all "wrk not installed"
: "${LOAD_SECS:=4}"
POST_LOAD="$top_srcdir/tests/post_load.py"

# wrk_check OUT NAME: no non-2xx answer and no socket error in wrk's output.
wrk_check() {
	local out=$1 name=$2 n
	n=$(sed -n 's/.* \([0-9]*\) requests in .*/\1/p' "$out")
	check "$name: wrk ran (${n:-0} requests)" test "${n:-0}" -gt 0
	! grep -q -e 'Non-2xx' -e 'Socket errors' "$out"
	ok $? "$name: no non-2xx answer and no socket error"
	grep -e 'Non-2xx' -e 'Socket errors' -e 'Requests/sec' "$out" |
	    sed 's/^/# /'
}

# acked_check ACKED-FILE SUMMARY NAME: every acknowledged delivery stored.
acked_check() {
	local acked=$1 sum=$2 name=$3
	diag "$name: posters $(cat "$sum")"
	is "$(json "$sum" 'd["failed"]')" 0 "$name: no webhook delivery failed"
	"$STRAPI_LIVE" dump | json - 'd["documentId"]' 2>/dev/null >/dev/null
	"$STRAPI_LIVE" dump | python3 -c '
import json, sys
have = {json.loads(l)["documentId"] for l in sys.stdin if l.strip()}
want = [l.strip() for l in open(sys.argv[1]) if l.strip()]
miss = [d for d in want if d not in have]
print(len(want), len(miss))
sys.exit(1 if miss or not want else 0)' "$acked" >"$T/acked.out"
	ok $? "$name: every acknowledged delivery is in the store ($(cat "$T/acked.out"))"
}

fd_counts() { # fd_counts PID...: "pid:nfds" per process
	local p
	for p in "$@"; do
		printf '%s:%s ' "$p" "$(ls /proc/"$p"/fd 2>/dev/null | wc -l)"
	done
}

# --- lighttpd: max_requests ---------------------------------------------------
"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null ||
    { echo "Bail out! import failed"; exit 1; }
export STRAPI_LIVE_CONFIG="$T/strapi-live.conf"
echo "max_requests = 50" >"$STRAPI_LIVE_CONFIG"
chmod 600 "$STRAPI_LIVE_CONFIG"
{
	fcgi_entry /api/ "$QUERY_FCGI" 2
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2
} >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" || { echo "Bail out! lighttpd"; exit 1; }
base="http://127.0.0.1:$LIGHTTPD_PORT"
curl -sf "$base/api/articles" >/dev/null
curl -sf -X POST "$base/strapi/webhook" >/dev/null
pids=$(pgrep -P "$LIGHTTPD_PID" | sort | tr '\n' ' ')
before=$(fd_counts $pids)
python3 "$POST_LOAD" "$base/strapi/webhook" "$SECRET" 4 "$LOAD_SECS" \
    "$T/acked1" >"$T/sum1" &
ppid=$!
wrk -t2 -c8 -d"${LOAD_SECS}s" --timeout 10s "$base/api/articles" >"$T/wrk1" 2>&1
wait $ppid
wrk_check "$T/wrk1" "lighttpd"
acked_check "$T/acked1" "$T/sum1" "lighttpd"
n=$(cat "$T/log/lighttpd.out" "$T/log/lighttpd-error.log" | grep -c 'recycling: max_requests')
check "lighttpd: the programs recycled themselves ($n times)" test "$n" -ge 20
is "$(pgrep -P "$LIGHTTPD_PID" | sort | tr '\n' ' ')" "$pids" \
    "lighttpd: same processes (recycled in place, none respawned)"
# Each process recycled ~20 times: one descriptor kept per exec would add
# 20; what a process holds varies by a few (the log file, the notify
# socket) with the last request it served.
after=$(fd_counts $pids)
max_fds() { echo "$1" | tr ' ' '\n' | cut -d: -f2 | sort -n | tail -1; }
check "lighttpd: no descriptor leaked across recycling ($before-> $after)" \
    test "$(max_fds "$after")" -le $(($(max_fds "$before") + 4))
! grep -q -e 'child exited' -e 'response not received' "$T/log/lighttpd-error.log"
ok $? "lighttpd: no backend died or dropped a request"
kill "$LIGHTTPD_PID"
wait "$LIGHTTPD_PID" 2>/dev/null

# --- Apache mod_fcgid: FcgidMaxRequestsPerProcess -----------------------------
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
unset STRAPI_LIVE_CONFIG
if ! command -v apache2 >/dev/null 2>&1 ||
    [ ! -f "$APACHE_MODS/mod_fcgid.so" ]; then
	ok 0 "# SKIP apache2 or mod_fcgid not installed"
	done_testing
	exit $?
fi
deploy_install || { echo "Bail out! make install failed"; exit 1; }
ex=$(deploy_example apache-fcgid.conf)
cat >>"$ex" <<CONF
FcgidIPCDir "$SRV/run/fcgid"
FcgidProcessTableFile "$SRV/run/fcgid/shm"
FcgidMaxRequestsPerProcess 50
FcgidMaxProcessesPerClass 8
CONF
mkdir -p "$SRV/run/fcgid"
apache_start "$ex" fcgid proxy proxy_http proxy_wstunnel alias env headers ||
    { deploy_logs; echo "Bail out! apache2 did not start"; exit 1; }
base=http://127.0.0.1:$PORT
"$I_BIN/strapi-live" dump >/dev/null 2>&1
curl -s "$base/api/articles" >/dev/null
python3 "$POST_LOAD" "$base/strapi/webhook" "$SECRET" 4 "$LOAD_SECS" \
    "$T/acked2" >"$T/sum2" &
ppid=$!
wrk -t2 -c8 -d"${LOAD_SECS}s" --timeout 10s "$base/api/articles" >"$T/wrk2" 2>&1
wait $ppid
wrk_check "$T/wrk2" "mod_fcgid"
STRAPI_LIVE_CONFIG=$SL_CONF acked_check "$T/acked2" "$T/sum2" "mod_fcgid"
n=$(sed -n 's/.* \([0-9]*\) requests in .*/\1/p' "$T/wrk2")
diag "mod_fcgid recycled about $((n / 50)) query processes"
if [ "$_tap_fail" != 0 ]; then
	# Everything but the request lines, which the tails below are full of.
	grep -hv 'info req=' "$SRV/log/apache-error.log" 2>/dev/null | tail -40 |
	    sed 's/^/# /'
	deploy_logs
fi
done_testing
