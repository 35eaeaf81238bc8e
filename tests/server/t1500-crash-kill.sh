#!/bin/sh
# t1500-crash-kill.sh: webhook.fcgi workers SIGKILLed at random points
# under concurrent webhook load (KILLS times, default 25; tests/soak/crash.sh
# runs hundreds). Every 2xx delivery is in the store afterwards, the store
# opens without manual recovery and verifies, nothing hangs on a lock.
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
export KILLS=${KILLS:-25}

lighttpd_start "$(fcgi_entry /hook "$WEBHOOK_FCGI" 4)" ||
    skip_all "lighttpd did not start"
export LIGHTTPD_PORT LIGHTTPD_PID T WEBHOOK_FCGI
python3 "$top_srcdir/tests/crash.py" >"$T/summary" 2>"$T/crash.err"
ok $? "load with $KILLS random SIGKILLs ran"
diag "$(cat "$T/summary")"
[ -s "$T/crash.err" ] && sed 's/^/# /' "$T/crash.err" | tail -5
is "$(json "$T/summary" 'd["kills"]')" "$KILLS" "$KILLS workers killed mid-load"
ok "$(json "$T/summary" '0 if d["acked"] > 0 else 1')" "deliveries were acknowledged meanwhile"
ok "$(json "$T/summary" '0 if d["slowest_s"] < 30 else 1')" \
    "no request hung on a lock held by a dead worker (slowest $(json "$T/summary" 'd["slowest_s"]') s)"
if [ "$(json "$T/summary" 'd["slowest_s"]')" != "${_never:-x}" ]; then
	diag "processes of the store, wait channel:"
	for p in $(pgrep -P "$LIGHTTPD_PID"); do diag "  $p $(cat /proc/$p/wchan)"; done
fi
# The store opens as it is: no recovery command, no manual step.
t0=$(date +%s%N)
timeout 60 "$STRAPI_LIVE" dump >"$T/dump" 2>"$T/dump.err"
ok $? "the store opens and dumps without manual recovery"
diag "strapi-live dump after the kills took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
python3 -c 'import json,sys; [print(json.loads(l)["documentId"]) for l in open(sys.argv[1])]' \
    "$T/dump" | sort >"$T/present"
sort -u "$T/acked" | sed '/^$/d' >"$T/acked.s"
missing=$(comm -23 "$T/acked.s" "$T/present" | wc -l)
is "$missing" 0 "every one of $(wc -l <"$T/acked.s") acknowledged deliveries is in the store"
timeout 60 "$STRAPI_LIVE" verify >"$T/verify" 2>&1
ok $? "strapi-live verify is clean (indexes, change log without gaps)"
# lighttpd 1.4.69 may have stopped respawning its workers after hundreds
# of deaths ("all handlers ... are down"): a graceful restart brings them
# back (crash.py does the same during the run).
if [ -z "$(pgrep -P "$LIGHTTPD_PID")" ]; then
	kill -USR1 "$LIGHTTPD_PID"
	i=0
	while [ -z "$(pgrep -P "$LIGHTTPD_PID")" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
fi
python3 "$top_srcdir/tests/gen_delivery.py" entry.publish after-crash 1 ops >"$T/kb"
is "$(curl -s -m 30 -o /dev/null -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" \
    --data-binary @"$T/kb" "http://127.0.0.1:$LIGHTTPD_PORT/hook")" 200 \
    "the webhook answers 200 afterwards"
done_testing
