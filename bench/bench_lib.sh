# bench_lib.sh: what query-bench.sh and index-bench.sh share (sourced,
# after tests/lib.sh; uses QUERY_FCGI, conns, dur and LIGHTTPD_PORT).

# bench_articles N: N entries shaped like the seeds' articles (~0.9 KB
# each; bench/seed_entries.py), as JSON lines.
bench_articles() {
	python3 "$top_srcdir/bench/seed_entries.py" "$1"
}

# Body size of a query, from one CGI run of the real program.
body_size() {
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI="$1" \
	    QUERY_STRING="${1#*\?}" "$QUERY_FCGI" 2>/dev/null |
	    sed -n 's/^Content-Length: \([0-9]*\).*/\1/p' | head -1
}

rps() { # rps URL
	wrk -t2 -c"$conns" -d"${dur}s" "http://127.0.0.1:$LIGHTTPD_PORT$1" |
	    awk '/Requests\/sec/ { printf "%d", $2 }'
}

# measure URL CEILING_URL: "OURS CEILING" requests/s, each warmed up, then
# the best of two alternating rounds (other load on the machine shows as
# noise in single runs).
measure() {
	local ours=0 ceil=0 v round
	curl -s -g -o /dev/null "http://127.0.0.1:$LIGHTTPD_PORT$1"
	curl -s -g -o /dev/null "http://127.0.0.1:$LIGHTTPD_PORT$2"
	wrk -t2 -c"$conns" -d1s "http://127.0.0.1:$LIGHTTPD_PORT$1" >/dev/null
	for round in 1 2; do
		v=$(rps "$1"); [ "$v" -gt "$ours" ] && ours=$v
		v=$(rps "$2"); [ "$v" -gt "$ceil" ] && ceil=$v
	done
	echo "$ours $ceil"
}

# bench_static_apache ENTRIES SETTINGS: in a subshell of a static bench,
# Apache as plain CGI with conf/shared-hosting.htaccess (as
# tests/deploy/t2700 sets it up, make install into $T), static_dir S under
# its document root, SETTINGS (lines) in the account's configuration and
# the entries of the file ENTRIES imported. Apache is stopped when the
# subshell exits.
bench_static_apache() {
	. "$top_srcdir/tests/deploy/deploy_lib.sh"
	. "$top_srcdir/tests/deploy/apache_lib.sh"
	# deploy_lib's exit trap would remove $T with this subshell: only
	# Apache is stopped here, and waited for (else it outlives the
	# bench, its directory removed under it).
	trap 'for p in $_pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; :' EXIT
	shared_hosting_deploy >"$T/apache.tap"
	S=$SRV/htdocs/strapi-live/static
	printf 'static_dir = %s\n%s\n' "$S" "$2" >>"$SRV/strapi-live.conf"
	STRAPI_LIVE_CONFIG=$SRV/strapi-live.conf \
	    "$I_BIN/strapi-live" import "$1" >/dev/null
}

# bench_allowance FILE NAME CACHE OURS CEIL TARGETS: what the ratios mean
# in time, from FILE's lines (NAME, CACHE, OURS, CEIL: column numbers of
# the endpoint, the query_cache setting, our requests/s and the
# ceiling's). The runs keep every core busy (wrk, the server and the
# programs share them), so a request's cost is cores / (requests/s): the
# ceiling's, ours over it, and the most a target ratio r allows over it,
# ceiling x (1/r - 1). TARGETS: "name=r ..." (endpoints without one show
# none).
bench_allowance() {
	awk -v cores="$(nproc)" -v n="$2" -v c="$3" -v o="$4" -v l="$5" \
	    -v targets="$6" '
	BEGIN {
		split(targets, tv, " ")
		for (i in tv) { split(tv[i], kv, "="); want[kv[1]] = kv[2] }
		printf "%-11s %6s %12s %12s %14s\n", "endpoint", "cache",
		    "ceiling us", "ours over", "target allows"
	}
	$o > 0 && $l > 0 {
		tc = cores * 1e6 / $l; to = cores * 1e6 / $o
		allow = ($n in want) ? sprintf("%.1f", tc * (1 / want[$n] - 1)) : "-"
		printf "%-11s %6s %12.1f %12.1f %14s\n", $n, $c, tc, to - tc, allow
	}' "$1"
	echo "(us of the $(nproc) cores per request; \"target allows\": the most"
	echo " a request may cost over the ceiling's at the target ratio)"
}
