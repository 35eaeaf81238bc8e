#!/bin/sh
# t2600-spawn-fcgi-kill.sh: conf/spawn-fcgi.sh behind Apache mod_proxy_fcgi
# (conf/apache-proxy-fcgi.conf), the sidecar under multiwatch as
# docs/deploy.md shows for hosts without systemd. Under load (queries,
# deliveries, a live SSE subscriber) one query.fcgi, one webhook.fcgi and
# the sidecar are killed with SIGKILL, twice each: the pools are back to
# full size (multiwatch), the other workers keep running, at most the
# request inside a killed worker fails, every acknowledged delivery is
# stored, the workers' log lines reach the log directory, and the
# subscriber resumes and sees every change.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
proxy_fcgi_deploy
push_supervised_start || { deploy_logs; echo "Bail out! sidecar"; exit 1; }
deploy_kill_load WORKER_LOG="$SRV/log/webhook.log"
