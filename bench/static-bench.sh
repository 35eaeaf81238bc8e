#!/bin/sh
# static-bench.sh: static answers (docs/static.md) through the shipped
# rules, against a ceiling measured in the same run: the same bytes as a
# plain static file on the same server, asked with the same query string
# (and without it, shown beside). Under lighttpd
# (conf/lighttpd-static.conf) and under Apache with
# conf/shared-hosting.htaccess (plain CGI, as tests/deploy/t2700 sets it
# up, make install into a temporary directory), the default list
# (/api/articles) and one entry by slug (filters[slug][$eq]) through the
# static path; and the same URL answered dynamically (static_dir moved
# away): query.fcgi under lighttpd, query.cgi under Apache.
#
# The estimator: BENCH_PAIRS rounds, each one run of the static URL, of
# the plain file with the query and of the bare file, back to back (the
# static URL first in odd rounds, last in even ones); a round's ratio is
# its static rate over its plain rate, and the round whose ratio is the
# median of all is the one shown, with the lowest and highest ratio
# beside it. Other load on the machine moves both sides of a round
# alike; a burst that hits one run moves one round's ratio, not the
# median (the "best of two rounds per side" this replaces took each
# side's luckiest run, from different moments).
#
# usage: bench/static-bench.sh            (from a built tree, as root for
#                                          Apache's www-data user, or not)
# env:   BENCH_ENTRIES=1000  BENCH_DURATION=4  BENCH_CONNS=32
#        BENCH_PAIRS=5  BENCH_SERVERS="lighttpd apache"
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
entries=${BENCH_ENTRIES:-1000}
dur=${BENCH_DURATION:-4}
conns=${BENCH_CONNS:-32}
pairs=${BENCH_PAIRS:-5}
servers=${BENCH_SERVERS:-lighttpd apache}
export STRAPI_LIVE_LOG_LEVEL=warn STRAPI_LIVE_DURABLE=no

command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 1; }
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/static_lib.sh"
. "$top_srcdir/bench/bench_lib.sh"
set +u
# The model of the seeds (static_lighttpd_conf writes it).
STRAPI_LIVE_COLLECTIONS=article STRAPI_LIVE_LOCALES=en STRAPI_LIVE_SCHEMA_DIR=

LIST='/api/articles'
SLUG='/api/articles?filters[slug][$eq]=seed-article-0500'
results="$T/results"
: >"$results"

# Entries shaped like the seeds' articles (bench/seed_entries.py).
gen() {
	python3 "$top_srcdir/bench/seed_entries.py" "$1"
}

rps() { # rps URL
	wrk -t2 -c"$conns" -d"${dur}s" "$1" |
	    awk '/Requests\/sec/ { printf "%d", $2 }'
}

# measure SERVER BASE STATIC_DIR PLAIN_DIR: each endpoint's static path
# against its bytes as a plain file (the median round of BENCH_PAIRS, see
# the header), then the dynamic answer with static_dir moved away.
measure() {
	local srv=$1 base=$2 s=$3 plain=$4 k name url file size ours ceil bare q
	local dyn round
	cp "$s/articles/index.json" "$plain/plain-list.json"
	cp "$s/articles/slug=seed-article-0500.json" "$plain/plain-slug.json"
	chmod 644 "$plain"/plain-*.json
	for k in "list|$LIST|plain-list.json" "slug|$SLUG|plain-slug.json"; do
		name=${k%%|*}
		url=${k#*|}
		file=${url#*|}
		url=${url%|*}
		size=$(wc -c <"$plain/$file")
		curl -sg -o "$T/got" "$base$url"
		cmp -s "$T/got" "$plain/$file" ||
		    { echo "$srv: $url is not the file" >&2; exit 1; }
		wrk -t2 -c"$conns" -d1s "$base$url" >/dev/null
		# The ceiling is the same request for the plain file: the
		# query string the client sent, which the server parses and
		# the plain file ignores, is the request's cost, not the
		# rules'. The bare file (no query string) is shown beside it.
		q=
		case $url in *\?*) q="?${url#*\?}" ;; esac
		: >"$T/rounds"
		for round in $(seq "$pairs"); do
			if [ $((round % 2)) -eq 1 ]; then
				ours=$(rps "$base$url")
				ceil=$(rps "$base/$file$q")
				bare=$(rps "$base/$file")
			else
				bare=$(rps "$base/$file")
				ceil=$(rps "$base/$file$q")
				ours=$(rps "$base$url")
			fi
			echo "$ours $ceil $bare" >>"$T/rounds"
		done
		# The median round by its ratio, then the lowest and highest.
		awk '{ print ($2 > 0 ? $1 / $2 : 0), $0 }' "$T/rounds" |
		    sort -g | awk -v srv="$srv" -v name="$name" -v size="$size" '
			{ r[NR] = $1; l[NR] = $2 " " $3 " " $4 }
			END { m = int((NR + 1) / 2)
			      printf "%s %s %s %s %.2f-%.2f\n", srv, name, size,
				  l[m], r[1], r[NR] }' >>"$results.$name"
	done
	mv "$s" "$s.off"
	for k in "list|$LIST" "slug|$SLUG"; do
		name=${k%%|*}
		url=${k#*|}
		dyn=$(rps "$base$url")
		sed -i "s/^$srv $name .*/& $dyn/" "$results.$name"
	done
	mv "$s.off" "$s"
}

gen "$entries" >"$T/entries.jsonl"

for srv in $servers; do
	case $srv in
	lighttpd)
		command -v lighttpd >/dev/null || { echo "no lighttpd" >&2; continue; }
		S=$T/static
		export STRAPI_LIVE_STATIC_DIR=$S STRAPI_LIVE_STATIC_MAX_FILES=100000
		"$STRAPI_LIVE" import "$T/entries.jsonl" >/dev/null
		static_lighttpd_conf "$S" "log_level = warn"
		lighttpd_start "include \"$T/static.conf\"" ||
		    { echo "lighttpd did not start" >&2; exit 1; }
		measure lighttpd "http://127.0.0.1:$LIGHTTPD_PORT" "$S" "$T/www"
		kill "$LIGHTTPD_PID"
		wait "$LIGHTTPD_PID" 2>/dev/null || true
		unset STRAPI_LIVE_STATIC_DIR STRAPI_LIVE_STATIC_MAX_FILES
		;;
	apache)
		(
		bench_static_apache "$T/entries.jsonl" "static_max_files = 100000
log_level = warn
durable = no"
		measure apache "http://127.0.0.1:$PORT" "$S" "$SRV/htdocs"
		) || true # the subshell's status is its exit trap's
		;;
	esac
done

echo "static answers vs the same bytes as a plain file, same server, wrk"
echo "-t2 -c$conns -d${dur}s, $entries entries, $(nproc) cores, median of"
echo "$pairs rounds; dynamic: the same URL without static_dir (lighttpd:"
echo "query.fcgi, 4 processes; Apache: query.cgi, plain CGI)"
echo
printf "%-9s %-5s %7s %10s %10s %6s %9s %10s %6s %10s\n" server url bytes \
    static/s plain/s ratio range bare/s ratio dynamic/s
cat "$results".* | sort | awk '{ printf "%-9s %-5s %7d %10d %10d %6.2f %9s %10d %6.2f %10d\n",
    $1, $2, $3, $4, $5, ($5 > 0 ? $4 / $5 : 0), $7, $6, ($6 > 0 ? $4 / $6 : 0), $8 }'
echo
echo "plain: the plain file asked with the same query string; bare: without;"
echo "range: the lowest and highest round's ratio"
echo "target: static >= 0.80 x plain"
sl_cleanup || true
trap - EXIT
exit 0
