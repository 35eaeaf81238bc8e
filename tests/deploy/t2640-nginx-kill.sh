#!/bin/sh
# t2640-nginx-kill.sh: conf/nginx.conf on the installed tree in front of
# the programs started by conf/spawn-fcgi.sh (each pool under multiwatch),
# the sidecar under multiwatch (docs/deploy.md, hosts without systemd).
# Under load (queries, deliveries, a live SSE subscriber following
# /live/events through nginx's proxy_pass) one query.fcgi, one
# webhook.fcgi and the sidecar are SIGKILLed, twice each
# (tests/kill_load.py): the pools are back to full size, the other workers
# keep running, at most the request inside each killed worker fails (nginx
# has already sent it to that worker: fastcgi_next_upstream does not resend
# a POST, and a worker killed mid-answer leaves nginx nothing to resend; a
# request arriving after the kill goes to a live worker, since nginx
# reaches the pool through the one listening socket multiwatch's workers
# share), every acknowledged delivery is stored, the workers' log lines
# reach the log directory, the subscriber resumes with Last-Event-ID and
# sees every change once, and /live/ answers through nginx within 1 s of
# the sidecar's return.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
nginx_deploy
push_supervised_start || { deploy_logs; echo "Bail out! sidecar"; exit 1; }
deploy_kill_load WORKER_LOG="$SRV/log/webhook.log"
