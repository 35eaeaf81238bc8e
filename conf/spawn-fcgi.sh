#!/bin/sh
# spawn-fcgi.sh: start strapi-live's FastCGI programs with spawn-fcgi, for
# nginx (nginx.conf) or Apache mod_proxy_fcgi (apache-proxy-fcgi.conf).
# Tested by tests/deploy/t2210-apache-proxy-fcgi.sh and t2300-nginx.sh.
#
#   sh spawn-fcgi.sh          start (as root: the programs run as www-data)
#   sh spawn-fcgi.sh stop     stop them
#
# Each program listens on a loopback port with several processes, all
# running as the user that owns the store and the config file (the same
# user as strapi-live-push). multiwatch keeps that many running: it starts
# a new one when one dies (kill -9, a crash). Their log lines (stderr) go
# to $LOG/<program>.log. Under systemd, use strapi-live-fcgi@.service (one
# unit per program, restarted when it stops, logging to the journal).
set -e
CGIBIN=/usr/local/libexec/strapi-live/cgi-bin
RUN=/run/strapi-live
LOG=/var/log/strapi-live
USER=www-data
export STRAPI_LIVE_CONFIG=/usr/local/etc/strapi-live.conf

stop() {
	for p in webhook query events; do
		[ -f "$RUN/$p.pid" ] || continue
		xargs kill <"$RUN/$p.pid" 2>/dev/null || true
		rm -f "$RUN/$p.pid"
	done
}
if [ "${1:-}" = stop ]; then
	stop
	exit 0
fi
mkdir -p "$RUN" "$LOG"
[ "$(id -u)" = 0 ] && chown "$USER" "$LOG"
spawn() { # spawn NAME PORT PROCESSES
	as=
	[ "$(id -u)" = 0 ] && as="-u $USER -g $(id -gn "$USER")"
	# shellcheck disable=SC2016,SC2086
	spawn-fcgi -a 127.0.0.1 -p "$2" -P "$RUN/$1.pid" $as -- /bin/sh -c \
	    'exec multiwatch -f "$1" -r 1000 -s TERM -- "$2" 2>>"$0"' \
	    "$LOG/$1.log" "$3" "$CGIBIN/$1.fcgi"
}
spawn webhook 9101 2
spawn query 9102 4
# events.fcgi holds a process for each open stream (events_duration).
spawn events 9103 8
