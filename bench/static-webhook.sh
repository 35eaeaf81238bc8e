#!/bin/sh
# static-webhook.sh: what a write costs with static_dir (docs/static.md,
# "Cost"): deliveries through webhook.fcgi as plain CGI, each updating
# another of BENCH_ENTRIES flat articles, with the set bounded at
# BENCH_FILES files; against the ceiling measured in the same run, the
# same deliveries without static_dir. With BENCH_BEFORE=<build dir> of
# another tree (an older commit), its webhook.fcgi is measured the same
# way on the same entries: before and after in one run.
#
# usage: top_builddir=<build dir> sh bench/static-webhook.sh
# env:   BENCH_ENTRIES=1000  BENCH_FILES=2000  BENCH_DELIVERIES=20
#        BENCH_BEFORE=<build dir>
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
entries=${BENCH_ENTRIES:-1000}
files=${BENCH_FILES:-2000}
n=${BENCH_DELIVERIES:-20}
before=${BENCH_BEFORE:-}
. "$top_srcdir/tests/lib.sh"
set +u
export STRAPI_LIVE_LOG_LEVEL=warn STRAPI_LIVE_DURABLE=no
export STRAPI_LIVE_COLLECTIONS=article STRAPI_LIVE_LOCALES=en
export STRAPI_LIVE_SCHEMA_DIR= STRAPI_LIVE_STATIC_MAX_FILES=$files

python3 "$top_srcdir/bench/seed_entries.py" "$entries" >"$T/entries.jsonl"
# Delivery k updates seed article k * 37 % entries (a later version).
mkdir -p "$T/d"
i=1
while [ $i -le $((3 * n)) ]; do
	s=$((i * 37 % entries))
	echo "d$i entry.publish $(printf 'seed%020d' $s) $((100000 + i)) \
$(python3 -c "print(['tech','design','ops'][$s % 3])") \
$(printf 'seed-article-%04d' $s)"
	i=$((i + 1))
done | python3 "$top_srcdir/tests/gen_delivery.py" --batch "$T/d"

# run NAME WEBHOOK STATIC_DIR FIRST: deliveries FIRST..FIRST+n-1 into a
# fresh store of the entries (rendered once first when STATIC_DIR is
# set); prints NAME, the median and the slowest wall time in seconds,
# the files the last pass left and the bytes of its manifest.
run() {
	local name=$1 hook=$2 sd=$3 first=$4
	rm -rf "$T/store" "$T/static"
	STRAPI_LIVE_STATIC_DIR=$sd "$STRAPI_LIVE" import "$T/entries.jsonl" \
	    >/dev/null 2>>"$T/stderr"
	python3 - "$name" "$hook" "$sd" "$T/d" "$first" "$n" "$SECRET" <<'PY'
import os, subprocess, sys, time
name, hook, sd, d, first, n, secret = sys.argv[1:8]
first, n = int(first), int(n)
env = dict(os.environ, REQUEST_METHOD="POST", GATEWAY_INTERFACE="CGI/1.1",
           CONTENT_TYPE="application/json",
           HTTP_AUTHORIZATION="Bearer " + secret,
           STRAPI_LIVE_STATIC_DIR=sd)
times = []
for k in range(first, first + n):
    body = open(os.path.join(d, "d%d" % k), "rb").read()
    env["CONTENT_LENGTH"] = str(len(body))
    t = time.monotonic()
    r = subprocess.run([hook], input=body, env=env, capture_output=True)
    times.append(time.monotonic() - t)
    if not r.stdout.startswith(b"Status: 200"):
        sys.exit("%s: delivery %d: %r" % (name, k, r.stdout[:80]))
times.sort()
nfiles = 0
for root, _, fs in os.walk(sd) if sd else []:
    nfiles += sum(1 for f in fs if f.endswith(".json"))
# the manifest of the last pass (an older build leaves the import's)
mf, mfsize = os.path.join(sd, ".manifest") if sd else "", "-"
if mf and os.path.exists(mf):
    seq = open(os.path.join(sd, ".seq")).read().split()[0]
    if open(mf).readline().split()[2] == seq:
        mfsize = os.path.getsize(mf)
print("%-22s %8.3f %8.3f %7d %9s" % (name, times[len(times) // 2], times[-1],
      nfiles, mfsize))
PY
}

echo "webhook.fcgi as plain CGI, $n deliveries each, $entries flat articles,"
echo "static_max_files $files, $(nproc) cores, load average$(uptime | sed 's/.*average//')"
printf "%-22s %8s %8s %7s %9s\n" "" "median s" "max s" files manifest
run "no static_dir" "$WEBHOOK_FCGI" "" 1 | tee "$T/ceil"
run "static_dir" "$WEBHOOK_FCGI" "$T/static" $((n + 1)) | tee "$T/after"
if [ -n "$before" ]; then
	run "static_dir, before" "$before/cgi-bin/webhook.fcgi" "$T/static" \
	    $((2 * n + 1)) | tee "$T/before"
fi
echo "load average at the end$(uptime | sed 's/.*average//')"
awk 'NR == FNR { c = $(NF - 3); next } { printf "ratio to no static_dir: %.1f\n", $(NF - 3) / c }' \
    "$T/ceil" "$T/after"
