#!/bin/sh
# t2611-lighttpd-multiwatch.sh: what conf/lighttpd.conf's pools promise on
# the installed tree. lighttpd spawns one multiwatch per program, whose
# workers share the one socket lighttpd opened; a worker killed with
# kill -9 is replaced (five times in a row too, each within multiwatch's
# 10 s: -r 1000), and lighttpd's stop (SIGTERM) leaves no multiwatch and no
# worker behind. A killed multiwatch: its workers keep serving the socket,
# and lighttpd starts no second pool beside them (it finds the socket
# answering); what lighttpd's stop then leaves is said in diagnostics
# (docs/deploy.md). t2610 kills workers under load.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v multiwatch >/dev/null 2>&1 || skip_all "multiwatch not installed"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
lighttpd_deploy_start ||
    { deploy_logs; echo "Bail out! lighttpd did not start"; exit 1; }
base=http://127.0.0.1:$PORT
LPID=$(cat "$SRV/run/lighttpd.pid")

# workers PROG: this test's PROG.fcgi processes (argv[0] is the installed
# path), one "pid ppid" a line; not the short-lived clean-up child a
# worker's open can fork (same name, a worker its parent).
workers() {
	ps -eo pid=,ppid=,args= | awk -v p="$I_CGI/$1" '$3 == p && NF == 3 {
		pp[$1] = $2 } END { for (k in pp) if (!(pp[k] in pp)) print k, pp[k] }'
}
# pool PROG: the multiwatch lighttpd spawned for PROG.fcgi (its pid).
pool() {
	ps -eo pid=,ppid=,args= | awk -v l="$LPID" -v p="$I_CGI/$1" \
	    '$2 == l && $NF == p && $3 ~ /multiwatch$/ { print $1 }'
}
# until_n N CMD...: CMD prints N lines within 5 s.
until_n() {
	local n=$1 i=0
	shift
	while [ $i -lt 50 ]; do
		[ "$("$@" | wc -l)" -eq "$n" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# status PATH: the status lighttpd answers for PATH.
status() {
	curl -s -o /dev/null -w '%{http_code}' "$base$1"
}

is "$(status /api/articles)" 200 "query.fcgi answers through lighttpd"
mq=$(pool query.fcgi)
mw=$(pool webhook.fcgi)
is "$( (pool webhook.fcgi; pool query.fcgi; pool events.fcgi) | wc -l)" 3 \
    "lighttpd spawned one multiwatch per program"
until_n 4 workers query.fcgi
ok $? "query.fcgi's multiwatch runs its 4 workers"
is "$(workers query.fcgi | awk '{ print $2 }' | sort -u)" "$mq" \
    "all four are children of that multiwatch"
# Every worker accepts on the socket lighttpd opened (its fd 0), one
# socket for the pool.
socks=$(workers query.fcgi | while read -r p _; do
	readlink "/proc/$p/fd/0"
done | sort -u)
case $socks in socket:*) n=$(echo "$socks" | wc -l) ;; *) n=0 ;; esac
is "$n" 1 "the four accept on one socket ($socks)"
is "$(find "$SRV/run" -name 'query.sock*' | wc -l)" 1 \
    "lighttpd made one socket file for the pool"

# A worker killed with kill -9 is replaced: the pool is back to four,
# under the same multiwatch, and queries are answered.
victim=$(workers query.fcgi | awk 'NR == 1 { print $1 }')
kill -9 "$victim"
sleep 0.2
until_n 4 workers query.fcgi
ok $? "a worker killed with kill -9 is replaced (4 workers again)"
workers query.fcgi | grep -q "^$victim " && victim=still
is "$(workers query.fcgi | awk -v v="$victim" '$1 != v { print $2 }' | sort -u)" \
    "$mq" "by the same multiwatch, the killed one gone"
# Five kills in a row of one worker slot, each within 10 s of the
# worker's start: multiwatch counts such a death as a failed start, and
# with its default -r 3 gives up on the slot after the fourth.
others=$(workers query.fcgi | awk 'NR > 1 { print $1 }' | sort -n)
for i in 1 2 3 4 5; do
	new=$(workers query.fcgi | awk '{ print $1 }' |
	    grep -vxF "$others" | head -1)
	[ -n "$new" ] && kill -9 "$new"
	sleep 0.1
	until_n 4 workers query.fcgi || break
done
until_n 4 workers query.fcgi
ok $? "five kills in a row within 10 s: the worker is replaced each time"
is "$(workers query.fcgi | awk '{ print $1 }' | grep -xF "$others" | sort -n)" \
    "$others" "and the three others kept running"
is "$(status /api/articles)" 200 "queries are answered"

# A killed multiwatch: its workers, now orphans, keep serving the socket,
# and lighttpd spawns no second pool beside them (it connects to the
# socket before spawning and finds it answering).
orphans=$(workers webhook.fcgi | awk '{ print $1 }')
for p in $orphans; do
	sl_track "$p"
done
[ -n "$mw" ] && [ "$(echo "$orphans" | wc -l)" = 2 ] &&
    [ "$(workers webhook.fcgi | awk '{ print $2 }' | sort -u)" = "$mw" ]
ok $? "webhook.fcgi's multiwatch runs its 2 workers"
[ -n "$mw" ] && kill -9 "$mw"
sleep 1.5
is "$(status /strapi/webhook)" 405 \
    "multiwatch killed: its workers still answer (GET: 405, from webhook.fcgi)"
is "$(workers webhook.fcgi | awk '{ print $1 }')" "$orphans" \
    "the same two workers, no more"
is "$(pool webhook.fcgi)" "" "lighttpd spawned no second multiwatch"
diag "lighttpd's log: $(grep -c 'child signalled: 9' "$SRV/log/lighttpd-error.log") 'child signalled: 9'"

# lighttpd's stop (SIGTERM, as an init system stops it): multiwatch passes
# SIGTERM on (-s TERM) and every worker leaves.
kill "$LPID"
i=0
while [ $i -lt 50 ] && kill -0 "$LPID" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
until_n 0 workers query.fcgi && until_n 0 workers events.fcgi
ok $? "lighttpd stopped: no query.fcgi or events.fcgi worker is left"
is "$(ps -eo args= | grep -c "^[^ ]*multiwatch .* $I_CGI/")" 0 \
    "and no multiwatch"
# The killed multiwatch's workers are no child of lighttpd's: its stop
# does not reach them (sl_cleanup ends them).
diag "webhook.fcgi workers left after the stop: $(workers webhook.fcgi | awk '{ print $1 }' | tr '\n' ' ')"
[ "$_tap_fail" = 0 ] || deploy_logs
done_testing
