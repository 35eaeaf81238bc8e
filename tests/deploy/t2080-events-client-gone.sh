#!/bin/sh
# t2080-events-client-gone.sh: what Apache's access log says about an
# /events client that leaves before its stream ends (docs/operations.md,
# "Log files"). Through mod_proxy_fcgi (apache-proxy-fcgi.conf) it is a
# 200. Through mod_fcgid (apache-fcgid.conf) mod_fcgid 2.3.9 turns its own
# failed write to the gone client into a 500, with its warning
# "ap_pass_brigade failed"; events.fcgi's line for the request says 200
# and "client gone", which is how to tell it from a real failure.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
apache_requires fcgid proxy proxy_fcgi proxy_http proxy_wstunnel alias env headers
deploy_install || { echo "Bail out! make install failed"; exit 1; }

leave_early() { # leave_early BASE: a client that leaves after 1 s of 3
	curl -s --max-time 1 "$1/events" >/dev/null
	sleep 3
}

# mod_proxy_fcgi and spawn-fcgi.
fcgi_spawn || { deploy_logs; echo "Bail out! spawn-fcgi failed"; exit 1; }
# shellcheck disable=SC2046
ex=$(deploy_example apache-proxy-fcgi.conf $(fcgi_ports_sub))
echo "CustomLog \"$SRV/log/access-proxy.log\" \"%r %>s\"" >>"$ex"
apache_start "$ex" proxy proxy_fcgi proxy_http proxy_wstunnel alias env headers ||
    { deploy_logs; echo "Bail out! apache2 did not start"; exit 1; }
apache_pid=$!
leave_early "http://127.0.0.1:$PORT"
is "$(cat "$SRV/log/access-proxy.log")" "GET /events HTTP/1.1 200" \
    "mod_proxy_fcgi: a client that left early is logged 200"
kill "$apache_pid"
wait "$apache_pid" 2>/dev/null

# mod_fcgid.
PORT=$(free_port)
ex=$(deploy_example apache-fcgid.conf)
mkdir -p "$SRV/run/fcgid"
cat >>"$ex" <<CONF
FcgidIPCDir "$SRV/run/fcgid"
FcgidProcessTableFile "$SRV/run/fcgid/shm"
CustomLog "$SRV/log/access-fcgid.log" "%r %>s"
CONF
apache_start "$ex" fcgid proxy proxy_http proxy_wstunnel alias env headers ||
    { deploy_logs; echo "Bail out! apache2 did not start"; exit 1; }
leave_early "http://127.0.0.1:$PORT"
grep -q 'events.fcgi\[[0-9]*\]: info req=[0-9]* GET /events 200 .*(client gone)' \
    "$SRV/log/apache-error.log"
ok $? "mod_fcgid: events.fcgi logs the request as 200, client gone"
if grep -q "GET /events HTTP/1.1 500" "$SRV/log/access-fcgid.log"; then
	grep -q "mod_fcgid: ap_pass_brigade failed" "$SRV/log/apache-error.log"
	ok $? "mod_fcgid's 500 comes with its own ap_pass_brigade warning"
else
	ok 0 "mod_fcgid logged no 500 (a mod_fcgid that no longer does)"
fi
[ "$_tap_fail" = 0 ] || deploy_logs
done_testing
