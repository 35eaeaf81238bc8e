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
# user as strapi-live-push). Under systemd, run one spawn-fcgi per program
# with -n in a unit instead.
set -e
CGIBIN=/usr/local/libexec/strapi-live/cgi-bin
RUN=/run/strapi-live
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
mkdir -p "$RUN"
spawn() { # spawn NAME PORT PROCESSES
	as=
	[ "$(id -u)" = 0 ] && as="-u $USER -g $(id -gn "$USER")"
	# shellcheck disable=SC2086
	spawn-fcgi -a 127.0.0.1 -p "$2" -F "$3" -P "$RUN/$1.pid" $as \
	    -- "$CGIBIN/$1.fcgi"
}
spawn webhook 9101 2
spawn query 9102 4
# events.fcgi holds a process for each open stream (events_duration).
spawn events 9103 8
