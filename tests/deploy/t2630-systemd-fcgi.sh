#!/bin/sh
# t2630-systemd-fcgi.sh: conf/strapi-live-fcgi@.service: systemd accepts the
# template for the installed programs, and the pool it starts (its ExecStart
# with the instance "query", as User=) listens on its port and replaces a
# worker killed with SIGKILL while the others keep running.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
command -v spawn-fcgi >/dev/null 2>&1 || skip_all "spawn-fcgi not installed"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
unit=$(deploy_example strapi-live-fcgi@.service)
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/unit"
	cp "$unit" "$T/unit/strapi-live-fcgi@.service"
	cp "$unit" "$T/unit/strapi-live-fcgi@query.service"
	SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	    "$T/unit/strapi-live-fcgi@query.service" >"$T/verify.out" 2>&1
	rc=$?
	grep -v 'Failed to\|Cannot add dependency\|No such file or directory' \
	    "$T/verify.out" | sed 's/^/# /'
	ok $rc "systemd-analyze verify accepts the unit"
	! grep -q 'Unknown key\|Unknown section\|assignment\|Invalid' "$T/verify.out"
	ok $? "no unknown or bad settings"
else
	ok 0 "# SKIP systemd-analyze not installed"
	ok 0 "# SKIP systemd-analyze not installed"
fi
key() { sed -n "s/^$1=//p" "$unit"; }
is "$(key Restart)" always "Restart=always"
# What systemd would run: ExecStart's continuation lines joined, $$ -> $,
# %i -> query, with Environment= and PORT/PROCS as a drop-in sets them.
cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$unit" | sed 's/^ExecStart=//; s/\\$//' |
    tr '\n' ' ' | sed 's/\$\$/$/g; s/%i/query/g')
QPORT=$(free_port)
# shellcheck disable=SC2086
env $(key Environment) PORT=$QPORT PROCS=3 setpriv --reuid="$RUNUSER" \
    --regid="$RUNGROUP" --init-groups sh -c "exec $cmd" \
    >"$SRV/log/query-unit.log" 2>&1 &
sl_track $!
wait_port "$QPORT"
ok $? "the unit's command starts the query pool on its port"
sleep 0.5
# The pool's workers: query.fcgi processes whose parent is multiwatch (a
# worker's open can fork a short-lived clean-up child of the same name).
workers() {
	for p in $(pgrep -f "^$I_CGI/query.fcgi"); do
		[ "$(ps -o comm= -p "$(ps -o ppid= -p "$p" | tr -d ' ')" 2>/dev/null)" = multiwatch ] &&
		    echo "$p"
	done
}
pids=$(workers | sort | tr '\n' ' ')
is "$(echo $pids | wc -w)" 3 "three query.fcgi processes"
victim=$(echo $pids | cut -d' ' -f1)
kill -9 "$victim"
i=0
while [ $i -lt 50 ] && [ "$(workers | wc -l)" -lt 3 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(workers | wc -l)" 3 "multiwatch replaced the killed worker"
alive=0
for p in $(echo $pids | cut -d' ' -f2-); do
	kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
done
is "$alive" 2 "the other workers kept running"
[ "$_tap_fail" = 0 ] || deploy_logs
done_testing
