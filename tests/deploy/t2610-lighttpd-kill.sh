#!/bin/sh
# t2610-lighttpd-kill.sh: conf/lighttpd.conf on the installed tree (each
# pool spawned by lighttpd as one multiwatch, its workers on one socket),
# the sidecar under multiwatch (docs/deploy.md).
# Under load, query.fcgi, webhook.fcgi and the sidecar are SIGKILLed
# (tests/kill_load.py): the others carry on, nothing acknowledged is lost,
# and /live/ answers through lighttpd about 2 s after the sidecar's return
# at most; a live subscriber through lighttpd's /live/ sees every change.
# (It once seemed not to catch up: the tests' reader did not decode the
# chunked framing lighttpd adds, and a chunk boundary inside an event hid
# it.)
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
[ -x "$I_BIN/strapi-live-push" ] || skip_all "sidecar not built (--disable-push)"
lighttpd_deploy_start ||
    { deploy_logs; echo "Bail out! lighttpd did not start"; exit 1; }
push_supervised_start || { deploy_logs; echo "Bail out! sidecar"; exit 1; }
curl -s "http://127.0.0.1:$PORT/api/articles" >/dev/null
curl -s -X POST "http://127.0.0.1:$PORT/strapi/webhook" >/dev/null
# lighttpd re-enables a failed proxy backend at its once-a-second tick
# ("disable-time" => 0 makes that the next tick): up to about 2 s.
# Every row is hard: a request that waits for a worker waits in the
# pool's one socket queue, where a living worker takes it, so a kill costs
# only the request inside the killed worker. (With "max-procs" => N
# lighttpd gave each worker a socket of its own and queued on a busy one:
# a kill also reset the requests queued there, two or three under ASan.)
deploy_kill_load LIVE_LAG=2.5
