#!/bin/sh
# t2900-doc-commands.sh: every command block in README.md and docs/*.md
# runs against a real server.
#
# Convention: a fenced block whose info string is exactly "sh" is run, in
# order within its file, by bash -e -o pipefail, in one working directory
# per file, with http://127.0.0.1:8080 replaced by this test's lighttpd
# (webhook.fcgi at /strapi/webhook, query.fcgi at /api/, events.fcgi at
# /events, the sidecar at /live/, secret demo-webhook-secret) and the
# built strapi-live on PATH. A block must exit 0 and print something.
# "sh norun" blocks are system administration (package installs, service
# managers, the scripts that build and test everything); their commands
# must come from a short list, and the deployment tests exercise what they
# do. Configuration goes in other fence types, which must not hold curl or
# strapi-live commands.
. "${top_srcdir:-.}/tests/lib.sh"
: "${PUSH_BIN:=$top_builddir/src/strapi-live-push}"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"

export STRAPI_LIVE_WEBHOOK_SECRET=demo-webhook-secret
SECRET=demo-webhook-secret
PUSH_PORT=$(free_port)
export STRAPI_LIVE_PUSH_LISTEN="127.0.0.1:$PUSH_PORT"
export STRAPI_LIVE_EVENTS_DURATION=2
export STRAPI_LIVE_PUSH_HEARTBEAT=1
# The token docs/push.md presents for the sidecar's full status.
export STRAPI_LIVE_STATUS_TOKEN=demo-status-token
{
	echo 'server.stream-response-body = 2'
	fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 2
	fcgi_entry /api/ "$QUERY_FCGI" 2
	# Streams end after 2 s (events_duration), as they do after 25 s live.
	fcgi_entry /events "$EVENTS_FCGI" 2 |
	    sed 's/"bin-environment" => ( /&"STRAPI_LIVE_EVENTS_DURATION" => "2", /'
	live_proxy "$PUSH_PORT"
} >"$T/lighttpd.extra"
lighttpd_start <"$T/lighttpd.extra" || { echo "Bail out! lighttpd did not start"; exit 1; }
if [ -x "$PUSH_BIN" ]; then
	"$PUSH_BIN" >"$T/push.log" 2>&1 &
	sl_track $!
	wait_port "$PUSH_PORT" || { echo "Bail out! sidecar did not start"; exit 1; }
fi
base=http://127.0.0.1:$LIGHTTPD_PORT
PATH=$top_builddir/src:$PATH
export PATH

python3 - "$top_srcdir" "$T/blocks" <<'PY'
# Splits the documents into numbered block files: N.run / N.norun /
# N.other, each starting with a line "FILE:LINE".
import glob, os, re, sys
top, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
n = 0
docs = sorted(os.path.relpath(p, top) for p in glob.glob(os.path.join(top, "docs", "*.md")))
for name in ["README.md"] + docs:
    path = os.path.join(top, name)
    if not os.path.exists(path):
        continue
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)```(.*)$", lines[i])
        if not m:
            i += 1
            continue
        info, start, body = m.group(2).strip(), i + 1, []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][len(m.group(1)):])
            i += 1
        i += 1
        kind = {"sh": "run", "sh norun": "norun"}.get(info, "other")
        n += 1
        with open(os.path.join(out, "%04d.%s" % (n, kind)), "w") as f:
            f.write("%s:%d\n" % (name, start) + "\n".join(body) + "\n")
PY
nrun=0
allowed='apt-get|scripts/demo|scripts/check|autoreconf|./configure|make|sudo|runuser|systemctl|a2enmod|a2enconf|a2dismod|apache2ctl|nginx|lighttpd|cp|ln|rm|install|mkdir|chown|chmod|useradd|adduser|sh|spawn-fcgi|service'
for f in "$T"/blocks/*; do
	where=$(head -1 "$f")
	case $f in
	*.run)
		nrun=$((nrun + 1))
		file=${where%%:*}
		mkdir -p "$T/work/$file"
		tail -n +2 "$f" | sed "s|http://127.0.0.1:8080|$base|g" >"$T/block.sh"
		(cd "$T/work/$file" && timeout 30 bash -e -o pipefail "$T/block.sh") \
		    >"$T/block.out" 2>&1
		rc=$?
		[ $rc = 0 ] && [ -s "$T/block.out" ] || rc=1
		ok $rc "$where runs"
		[ $rc = 0 ] || { sed 's/^/#   /' "$T/block.sh"; echo "#   output:"; sed 's/^/#   /' "$T/block.out" | head -20; }
		;;
	*.norun)
		# Continuation lines are part of the command above them.
		bad=$(tail -n +2 "$f" | awk '
			/^[[:space:]]*#/ || /^[[:space:]]*$/ { next }
			cont { cont = /\\$/; next }
			{ print; cont = /\\$/ }' | sed 's/^[[:space:]]*//' |
		    grep -Ev "^($allowed)( |$)" | head -1)
		is "$bad" "" "$where (norun) holds only system administration"
		;;
	*.other)
		tail -n +2 "$f" | grep -Eq '^[[:space:]]*(\$ )?(curl|strapi-live) '
		ok $((1 - $?)) "$where holds no command outside a sh block"
		;;
	esac
done
[ "$nrun" -gt 10 ]
ok $? "the documents have runnable blocks ($nrun)"
done_testing
