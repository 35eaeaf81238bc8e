# lib.sh: helpers for the shell tests: TAP, temp dirs, ports, lighttpd, curl
#
# Source it from a test:   . "$top_srcdir/tests/lib.sh"
# Every test gets its own directory ($T), store and ports; everything it
# starts is killed by pid on exit.
#
# A test is tests/<kind>/tNNNN-name.sh, its number its own (t2980 checks),
# listed in Makefile.am. When its checks are Python, they are the
# tNNNN-name.py beside it (listed in PY_PARTS), run with run_py once the
# shell part has set up; Python's TAP and SSE/WebSocket clients are
# tests/push_client.py, the push tests' servers tests/push_lib.sh.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${FIXTURES:=$top_srcdir/tests/fixtures/strapi5}"
: "${WEBHOOK_FCGI:=$top_builddir/cgi-bin/webhook.fcgi}"
: "${STRAPI_LIVE:=$top_builddir/src/strapi-live}"
: "${QUERY_FCGI:=$top_builddir/cgi-bin/query.fcgi}"

SECRET=fixture-webhook-secret-123
_tap_n=0
_tap_fail=0
_pids=""

T=$(mktemp -d "${TMPDIR:-/tmp}/sl-test.XXXXXX")
export STRAPI_LIVE_STORE_DIR="$T/store"
export STRAPI_LIVE_WEBHOOK_SECRET="$SECRET"
unset STRAPI_LIVE_CONFIG

sl_cleanup() {
	local p
	for p in $_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $_pids; do
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP_TMP:-}" = "" ]; then
		rm -rf "$T"
	else
		echo "# kept $T"
	fi
}
trap sl_cleanup EXIT

# Remember a pid to kill at exit.
sl_track() {
	_pids="$_pids $1"
}

plan() {
	echo "1..$1"
}

ok() { # ok CONDITION-STATUS NAME
	local rc=$1
	shift
	_tap_n=$((_tap_n + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		_tap_fail=$((_tap_fail + 1))
		echo "not ok $_tap_n - $*"
	fi
}

check() { # check NAME COMMAND...: passes when COMMAND exits 0
	local name=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$name"
}

is() { # is GOT WANT NAME
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$*"
	else
		ok 1 "$*"
		echo "#   got:  '$got'"
		echo "#   want: '$want'"
	fi
}

tap_skip() { # tap_skip REASON: a row not run
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $*"
}

# tap_todo CONDITION-STATUS NAME WHY: ok, for a known open problem: when
# the condition fails the row is a TAP TODO (XFAIL; WHY says what is
# open), not a failure. (As push_client.todo.)
tap_todo() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2 # TODO $3"
	fi
}

# tap_include FILE: the rows of another program's TAP output (FILE, which
# numbers on from TAP_OFFSET=$_tap_n) as this test's; its plan is left out.
tap_include() {
	grep -v '^1\.\.' "$1"
	_tap_n=$((_tap_n + $(grep -c '^\(not \)\?ok ' "$1")))
	_tap_fail=$((_tap_fail + $(grep '^not ok ' "$1" | grep -vc '# TODO')))
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

diag() {
	echo "# $*"
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
}

# run_py FILE [ARG...]: a test's Python part (the tNNNN-name.py beside it),
# with tests/ on the module path (push_client, repl_cluster); its TAP goes
# to stdout.
run_py() {
	PYTHONPATH="$top_srcdir/tests" python3 -u "$@"
}

# push_need: skip unless lighttpd and the sidecar ($PUSH_BIN) are there.
push_need() {
	: "${PUSH_BIN:=$top_builddir/src/strapi-live-push}"
	command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
	[ -x "$PUSH_BIN" ] || skip_all "sidecar not built (--disable-push)"
}

# live_proxy PORT: the lighttpd lines of conf/lighttpd.conf that proxy
# /live/ (SSE and WebSocket) to the sidecar, here on 127.0.0.1:PORT.
live_proxy() {
	cat <<EOF
\$HTTP["url"] =~ "^/live/" {
	proxy.server = ( "" => (( "host" => "127.0.0.1", "port" => $1 )) )
	proxy.header = ( "upgrade" => "enable" )
}
EOF
}

# push_start [NAME=VALUE...]: the sidecar ($PUSH_BIN) with those settings
# on a free port (PUSH_PORT, PUSH_PID), its log in $T/push.log; returns 0
# once /live/healthz answers (after 5 s: 1).
push_start() {
	PUSH_PORT=$(free_port)
	env STRAPI_LIVE_PUSH_LISTEN="127.0.0.1:$PUSH_PORT" \
	    STRAPI_LIVE_STATUS_TOKEN="${STRAPI_LIVE_STATUS_TOKEN:-status-token-of-the-tests}" \
	    "$@" "$PUSH_BIN" \
	    2>"$T/push.log" &
	PUSH_PID=$!
	sl_track $PUSH_PID
	for _i in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$PUSH_PORT/live/healthz" >/dev/null &&
		    return 0
		sleep 0.05
	done
	return 1
}

# repl_cluster_env: what the three-site replication tests need
# (tests/repl_cluster.py): lighttpd and the sidecar (else the test skips),
# and the paths the Python side reads from the environment.
repl_cluster_env() {
	push_need
	export PUSH_BIN T top_builddir FIXTURES WEBHOOK_FCGI QUERY_FCGI \
	    STRAPI_LIVE
	unset STRAPI_LIVE_STORE_DIR
}

# repl_netns_env: what the replication tests in network namespaces need
# (Cluster(netns=True) in tests/repl_cluster.py): repl_cluster_env, curl,
# ip and root, else the test skips; SL_NETNS_TAG, the tag in the names of
# this run's namespaces and veths; and a trap so that whatever happens to
# the test program no namespace, veth or process of this run survives it.
repl_netns_env() {
	repl_cluster_env
	command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
	command -v ip >/dev/null 2>&1 ||
		skip_all "iproute2 (ip) not installed"
	[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
	SL_NETNS_TAG="$$$(od -An -N1 -tx1 /dev/urandom | tr -d ' \n')"
	ip netns add "sl-$SL_NETNS_TAG-0" 2>/dev/null ||
		skip_all "ip netns add failed (no CAP_NET_ADMIN?)"
	ip netns del "sl-$SL_NETNS_TAG-0"
	export SL_NETNS_TAG
	trap repl_netns_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

repl_netns_cleanup() {
	PYTHONPATH="$top_srcdir/tests" python3 -c 'import os, repl_cluster
repl_cluster.netns_cleanup(os.environ["SL_NETNS_TAG"])'
	sl_cleanup
}

# A free loopback port below the kernel's ephemeral range
# (tests/push_client.py, free_port, says why).
free_port() {
	PYTHONPATH="$top_srcdir/tests" python3 -c 'import push_client; print(push_client.free_port())'
}

# fault_hold PROG ARG...: starts a fault program of tests/fault/ in the
# background (its output in $T/hold) and waits up to 10 s for it to say
# "holding". Sets HOLD_PID; returns 1 when it never did.
fault_hold() {
	"$@" >"$T/hold" 2>&1 &
	HOLD_PID=$!
	sl_track $HOLD_PID
	for _i in $(seq 1 100); do
		grep -q holding "$T/hold" && return 0
		sleep 0.1
	done
	return 1
}

# Wait until something accepts connections on 127.0.0.1:PORT (max ~10 s).
wait_port() {
	local port=$1 i
	for i in $(seq 1 200); do
		if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# json FILE-OR-- EXPR: evaluate a Python expression on parsed JSON (as d).
json() {
	local src=$1 expr=$2
	if [ "$src" = "-" ]; then
		python3 -c "import json,sys; d=json.load(sys.stdin); r=($expr); print(json.dumps(r) if not isinstance(r,str) else r)"
	else
		python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=($expr); print(json.dumps(r) if not isinstance(r,str) else r)" "$src"
	fi
}

# Write a fixture's exact raw body to FILE.
fixture_body() {
	python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["raw_body"])' "$1" >"$2"
}

# Run a FastCGI program as plain CGI: cgi_run PROG METHOD BODYFILE [VAR=VAL...]
# Prints the raw response (status line, headers, body).
cgi_run() {
	local prog=$1 method=$2 body=$3
	shift 3
	if [ -n "$body" ] && [ -f "$body" ]; then
		env REQUEST_METHOD="$method" CONTENT_LENGTH="$(wc -c <"$body")" \
		    GATEWAY_INTERFACE=CGI/1.1 "$@" "$prog" <"$body"
	else
		env REQUEST_METHOD="$method" GATEWAY_INTERFACE=CGI/1.1 "$@" "$prog" </dev/null
	fi
}

# cgi_get URI: one GET to query.fcgi as plain CGI. Sets STATUS; the body
# in $T/body.
cgi_get() {
	local uri=$1 qs=""
	case $uri in *\?*) qs=${uri#*\?} ;; esac
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI="$uri" \
	    QUERY_STRING="$qs" SCRIPT_NAME="" PATH_INFO="${uri%%\?*}" \
	    "$QUERY_FCGI" </dev/null >"$T/resp" 2>>"$T/stderr"
	STATUS=$(cgi_status <"$T/resp")
	cgi_body <"$T/resp" >"$T/body"
}

# Status code from a CGI response on stdin.
cgi_status() {
	sed -n '1s/^Status: \([0-9]*\).*/\1/p'
}

# Body from a CGI response on stdin.
cgi_body() {
	sed '1,/^\r*$/d'
}

# Start lighttpd on a free port: lighttpd_start "EXTRA CONFIG LINES", or
# with no argument the lines come from stdin (a redirection, never a
# pipeline: it sets LIGHTTPD_PORT and LIGHTTPD_PID for the caller). The
# docroot is $T/www.
lighttpd_start() {
	local conf="$T/lighttpd.conf" extra="$*" try
	command -v lighttpd >/dev/null 2>&1 || return 1
	[ $# -eq 0 ] && extra=$(cat)
	mkdir -p "$T/www" "$T/log"
	# A port free_port chose can be taken before lighttpd binds it (other
	# tests' connections use the same ephemeral range): lighttpd then
	# exits at once, and another port is tried.
	for try in 1 2 3 4 5; do
	LIGHTTPD_PORT=$(free_port)
	cat >"$conf" <<EOF
server.document-root = "$T/www"
server.port = $LIGHTTPD_PORT
server.bind = "127.0.0.1"
server.errorlog = "$T/log/lighttpd-error.log"
server.pid-file = "$T/lighttpd.pid"
server.max-request-size = 4096
server.modules += ("mod_fastcgi", "mod_proxy", "mod_setenv")
mimetype.assign = (".html" => "text/html", ".js" => "text/javascript", ".json" => "application/json", ".css" => "text/css")
$extra
EOF
	lighttpd -D -f "$conf" >"$T/log/lighttpd.out" 2>&1 &
	LIGHTTPD_PID=$!
	if wait_port "$LIGHTTPD_PORT" && sleep 0.2 &&
	    kill -0 "$LIGHTTPD_PID" 2>/dev/null; then
		sl_track "$LIGHTTPD_PID"
		return 0
	fi
	kill "$LIGHTTPD_PID" 2>/dev/null
	wait "$LIGHTTPD_PID" 2>/dev/null
	done
	return 1
}

# nginx_conf OUT MAIN-LINES HTTP-LINES: a private nginx's configuration
# under $T (pid, error log $T/nginx-error.log, temporary paths in
# $T/nginx/), with MAIN-LINES in the main context and HTTP-LINES in http {}.
# NGINX_CONNS: worker_connections (256).
nginx_conf() {
	mkdir -p "$T/nginx"
	cat >"$1" <<CONF
$2
pid $T/nginx.pid;
error_log $T/nginx-error.log;
worker_processes 1;
events { worker_connections ${NGINX_CONNS:-256}; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fastcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	$3
}
CONF
}

# A fastcgi.server block entry for a program: fcgi_entry URL-PREFIX BIN
# [PROCS [multiwatch]]. The environment of lighttpd is passed to the
# programs (bin-copy-environment). With multiwatch, lighttpd spawns one
# multiwatch that runs the PROCS workers on one socket (conf/lighttpd.conf);
# without, lighttpd spawns PROCS workers, each on a socket of its own.
fcgi_entry() {
	local prefix=$1 bin=$2 procs=${3:-2} pool=${4:-} name
	name=$(basename "$bin" | tr '.-' '__')
	bin="${TRACEME:+$TRACEME }$bin"
	if [ "$pool" = multiwatch ]; then
		bin="$(command -v multiwatch) -f $procs -r 1000 -s TERM -- $bin"
		procs=1
	fi
	cat <<EOF
fastcgi.server += ( "$prefix" => (( "socket" => "$T/$name.sock", "bin-path" => "$bin", "max-procs" => $procs, "check-local" => "disable", "bin-environment" => ( "STRAPI_LIVE_STORE_DIR" => "$STRAPI_LIVE_STORE_DIR", "STRAPI_LIVE_WEBHOOK_SECRET" => "$STRAPI_LIVE_WEBHOOK_SECRET" ), "bin-copy-environment" => ( "PATH", "STRAPI_LIVE_CONFIG", "STRAPI_LIVE_COLLECTIONS", "STRAPI_LIVE_SCHEMA_DIR", "STRAPI_LIVE_LOCALES", "STRAPI_LIVE_LOG_LEVEL", "STRAPI_LIVE_DURABLE", "STRAPI_LIVE_WEBHOOK_HEADER", "STRAPI_LIVE_WEBHOOK_SIGNING_SECRET", "STRAPI_LIVE_WEBHOOK_MAX_BODY", "STRAPI_LIVE_CORS_ORIGINS", "STRAPI_LIVE_CACHE_CONTROL", "STRAPI_LIVE_API_PREFIX", "STRAPI_URL", "STRAPI_API_TOKEN", "STRAPI_LIVE_SYNC_SECRET", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" ) )) )
EOF
}

# Extract every fixture's raw body and event header once, into $T/fx/.
fixtures_extract() {
	[ -d "$T/fx" ] && return 0
	mkdir -p "$T/fx"
	python3 - "$T/fx" "$FIXTURES"/[0-9]*.json <<'PY'
import json, os, sys
out = sys.argv[1]
for f in sys.argv[2:]:
    d = json.load(open(f))
    name = os.path.basename(f)[:-5]
    open(os.path.join(out, name + ".body"), "w").write(d["raw_body"])
    open(os.path.join(out, name + ".event"), "w").write(d["headers"].get("X-Strapi-Event", ""))
PY
}

# rich_env: the recorded Strapi 5 blog template model of
# tests/fixtures/strapi5-rich set up as a user would (STRAPI_LIVE_SCHEMA_DIR
# = the project's src/, five collections, locales en and fr); sets RICH
# and FIXTURES_RICH, exports the settings.
rich_env() {
	: "${FIXTURES_RICH:=$top_srcdir/tests/fixtures/strapi5-rich}"
	RICH=$FIXTURES_RICH
	STRAPI_LIVE_SCHEMA_DIR=$FIXTURES_RICH/strapi-src
	STRAPI_LIVE_COLLECTIONS=article,author,category,global,about
	STRAPI_LIVE_LOCALES=en,fr
	STRAPI_LIVE_DURABLE=no
	export FIXTURES_RICH STRAPI_LIVE_SCHEMA_DIR STRAPI_LIVE_COLLECTIONS \
	    STRAPI_LIVE_LOCALES STRAPI_LIVE_DURABLE
}

# rich_fake: rich_env, with tests/fake_strapi.py --rich serving the
# recorded answers at STRAPI_URL, for webhook.fcgi and query.fcgi as plain
# CGI (skips all unless they and sync are built).
rich_fake() {
	[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
	[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
	[ -x "$SYNC_FCGI" ] || skip_all "sync not built (--disable-sync)"
	rich_env
	fake_strapi_start --rich
}

# deliver_cgi FIXTURE: a recorded delivery (its raw body and X-Strapi-Event)
# through webhook.fcgi as plain CGI, into $STRAPI_LIVE_STORE_DIR; prints
# the status (stderr to $T/stderr).
# For a fixture of the tree, the first call splits every recorded
# delivery of its folder into body and event, in one python3 (a python3
# per delivery took most of the time of the tests that post them all);
# a file the test wrote (under $T) is read at each call.
deliver_cgi() {
	local want=$1 dir x
	dir=$(dirname "$want")
	case $dir in
	"$T" | "$T"/*) x="$T/.fx-own"; rm -rf "$x"; set -- "$want" ;;
	*) x="$T/.fx$(printf '%s' "$dir" | tr '/' '_')"; set -- "$dir"/*.json ;;
	esac
	if [ ! -d "$x" ]; then
		mkdir -p "$x.tmp" && python3 - "$x.tmp" "$@" <<'PY' && mv "$x.tmp" "$x"
import json, os, sys
for f in sys.argv[2:]:
    try:
        d = json.load(open(f))
    except ValueError:
        continue
    if not isinstance(d, dict) or "raw_body" not in d:
        continue
    n = os.path.join(sys.argv[1], os.path.basename(f))
    open(n + ".body", "w").write(d["raw_body"])
    open(n + ".event", "w").write(d["headers"].get("X-Strapi-Event", ""))
PY
	fi
	x="$x/$(basename "$want")"
	cgi_run "$WEBHOOK_FCGI" POST "$x.body" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" \
	    "HTTP_X_STRAPI_EVENT=$(cat "$x.event")" 2>>"$T/stderr" |
	    cgi_status
}

# deliver_range_cgi FROM TO: the recorded rich deliveries numbered FROM to
# TO through deliver_cgi; prints how many were not answered 2xx.
deliver_range_cgi() {
	local f n bad=0
	for f in "$RICH"/[0-9][0-9]-*.json; do
		n=$(basename "$f")
		n=${n%%-*}
		[ "${n#0}" -ge "$1" ] && [ "${n#0}" -le "$2" ] || continue
		case $(deliver_cgi "$f") in 2??) ;; *) bad=$((bad + 1)) ;; esac
	done
	echo "$bad"
}

# POST a fixture's raw body to URL with its recorded headers.
# Prints the HTTP status, then the body on the next line.
post_fixture() {
	local f=$1 url=$2 name
	shift 2
	fixtures_extract
	name=$(basename "$f" .json)
	curl -s -o "$T/.resp" -w '%{http_code}' -X POST \
	    -H "Content-Type: application/json" \
	    -H "Authorization: Bearer $SECRET" \
	    -H "X-Strapi-Event: $(cat "$T/fx/$name.event")" \
	    "$@" --data-binary @"$T/fx/$name.body" "$url"
	echo
	cat "$T/.resp"
	echo
}

# lighttpd with N webhook.fcgi at /hook and N query.fcgi at /api/: sets
# base (its URL) and LOG (the programs' log); skips when it cannot start.
lighttpd_hook_api() {
	{
		fcgi_entry /hook "$WEBHOOK_FCGI" "$1"
		fcgi_entry /api/ "$QUERY_FCGI" "$1"
	} >"$T/fcgi.conf"
	lighttpd_start <"$T/fcgi.conf" || skip_all "lighttpd did not start"
	base="http://127.0.0.1:$LIGHTTPD_PORT"
	LOG="$T/log/lighttpd.out"
}

# Waits until the log file $LOG holds COUNT lines matching PATTERN: up to
# 30 s. Returns 0, or 1 when it did not.
wait_log() { # wait_log PATTERN COUNT
	local i
	for i in $(seq 1 300); do
		[ "$(grep -c "$1" "$LOG")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# POST a generated entry.publish of DOC (tests/gen_delivery.py) to URL
# with the secret. Prints the HTTP status.
post_gen() {
	python3 "$top_srcdir/tests/gen_delivery.py" entry.publish "$1" 1 ops \
	    >"$T/.gen.json"
	curl -s -m 30 -o /dev/null -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" \
	    --data-binary @"$T/.gen.json" "$2"
}

# Canonical published state from the store: sorted JSON lines.
store_state() {
	"$STRAPI_LIVE" dump | python3 -c 'import json,sys; print("\n".join(sorted(json.dumps(json.loads(l),sort_keys=True) for l in sys.stdin if l.strip())))'
}

# --- query ---------------------------------------------------------

# Compare a query.fcgi answer with a recorded Strapi 5 REST response:
# strapi_compare FIXTURE STATUS BODYFILE. Same status; same data; meta
# holds Strapi's keys with Strapi's values, plus only our additions
# (meta.seq, pagination.nextCursor); errors have the same error object.
# Prints what differs; exits non-zero when something does.
strapi_compare() {
	python3 - "$@" <<'PYEOF'
import json, sys
fx = json.load(open(sys.argv[1]))
status = int(sys.argv[2])
got = json.load(open(sys.argv[3]))
want = fx["body"]
bad = []
if status != fx["status"]:
    bad.append("status %d, Strapi %d" % (status, fx["status"]))
if "error" in want:
    if got.get("data", 1) is not None or got.get("error") != want["error"]:
        bad.append("error %r, Strapi %r" % (got.get("error"), want["error"]))
else:
    if got.get("data") != want["data"]:
        bad.append("data differs: %s vs Strapi %s" % (json.dumps(got.get("data"))[:300], json.dumps(want["data"])[:300]))
    gm, wm = got.get("meta", {}), want["meta"]
    if set(gm) - set(wm) - {"seq"}:
        bad.append("extra meta keys %r" % sorted(set(gm) - set(wm)))
    if "seq" not in gm:
        bad.append("meta.seq missing")
    if "pagination" in wm:
        gp, wp = gm.get("pagination", {}), wm["pagination"]
        if {k: gp.get(k) for k in wp} != wp:
            bad.append("pagination %r, Strapi %r" % (gp, wp))
        if set(gp) - set(wp) - {"nextCursor"}:
            bad.append("extra pagination keys %r" % sorted(set(gp) - set(wp)))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PYEOF
}

# --- sync -----------------------------------------------------------
: "${SYNC_FCGI:=$top_builddir/cgi-bin/sync.fcgi}"
: "${FAKE_STRAPI:=$top_srcdir/tests/fake_strapi.py}"

# Start the fake Strapi (args passed on); sets FAKE_PORT, FAKE_URL, FAKE_PID
# and exports STRAPI_URL / STRAPI_API_TOKEN for the programs under test.
fake_strapi_start() {
	local pf i
	_fake_n=$((${_fake_n:-0} + 1))
	pf="$T/fake.$_fake_n.port"
	python3 "$FAKE_STRAPI" --token "${FAKE_TOKEN:-read-only-token}" \
	    --port-file "$pf" "$@" >/dev/null 2>>"$T/fake_strapi.log" &
	FAKE_PID=$!
	sl_track "$FAKE_PID"
	for i in $(seq 1 200); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$pf")
	FAKE_URL="http://127.0.0.1:$FAKE_PORT"
	export STRAPI_URL="$FAKE_URL"
	export STRAPI_API_TOKEN="${FAKE_TOKEN:-read-only-token}"
	wait_port "$FAKE_PORT"
}

# fake_ctl 'k=v&k=v': set switches of the fake Strapi.
fake_ctl() {
	curl -sf "$FAKE_URL/_control?$1" >/dev/null
}

# fake_post JSON: change upstream data (see tests/fake_strapi.py).
fake_post() {
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$1" \
	    "$FAKE_URL/_entries"
}

# Canonical upstream state: sorted JSON lines, as store_state prints.
upstream_state() {
	curl -sf "$FAKE_URL/_entries" | python3 -c 'import json,sys; print("\n".join(sorted(json.dumps(e,sort_keys=True) for e in json.load(sys.stdin))))'
}
