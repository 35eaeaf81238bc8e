#!/bin/sh
# t2620-apache-fcgid-kill.sh: conf/apache-fcgid.conf on the installed tree
# (mod_fcgid spawns the workers), the sidecar under multiwatch. Under load,
# query.fcgi, webhook.fcgi and the sidecar are SIGKILLed
# (tests/kill_load.py): mod_fcgid starts new workers, the others carry on,
# nothing acknowledged is lost, /live/ answers through Apache within a
# second of the sidecar's return (retry=0), and a live subscriber through
# Apache's /live/ proxy sees every change.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
fcgid_deploy "FcgidMinProcessesPerClass 2" "FcgidMaxProcessesPerClass 8"
push_supervised_start || { deploy_logs; echo "Bail out! sidecar"; exit 1; }
base=http://127.0.0.1:$PORT
# mod_fcgid starts workers on demand: a few requests to have two of each.
pids=
for i in 1 2 3 4; do
	curl -s "$base/api/articles" >/dev/null &
	pids="$pids $!"
	curl -s -X POST "$base/strapi/webhook" >/dev/null &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
# The kill rows were TAP TODO until failchk counted a killed worker that
# mod_fcgid had not reaped yet as dead (docs/reliability.md).
deploy_kill_load ON_DEMAND=1
