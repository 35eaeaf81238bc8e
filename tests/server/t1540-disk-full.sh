#!/bin/sh
# t1540-disk-full.sh: a full store filesystem gives 503, never a crash or a
# false 200; service resumes when space returns
. "$top_srcdir/tests/lib.sh"
GEN="$top_srcdir/tests/gen_delivery.py"
M="$T/fs"
mkdir -p "$M"
mount -t tmpfs -o size=64m tmpfs "$M" 2>/dev/null || skip_all "cannot mount a small tmpfs here (needs root)"
trap 'umount "$M" 2>/dev/null; sl_cleanup' EXIT
export STRAPI_LIVE_STORE_DIR="$M/store"

post() { # post DOC N: prints status and body
	python3 "$GEN" entry.publish "$1" "$2" >"$T/b.json"
	cgi_run "$WEBHOOK_FCGI" POST "$T/b.json" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" 2>>"$T/err" >"$T/out"
	echo "$(cgi_status <"$T/out") $(cgi_body <"$T/out")"
}
r=$(post first 1)
is "${r%% *}" 200 "a delivery is stored while there is space"
dd if=/dev/zero of="$M/fill" bs=1M 2>/dev/null
bad=0
for i in 2 3 4 5; do
	r=$(post "full$i" "$i")
	case "$r" in
	"503 "*ServiceUnavailableError*) ;;
	*) bad=$((bad + 1)); diag "while full: $r" ;;
	esac
done
is "$bad" 0 "with the disk full every delivery answers 503 with a JSON error"
check "no program crashed (no signal in the log)" sh -c "! grep -qi 'signal\|sigbus\|segfault' '$T/err'"
rm -f "$M/fill"
r=$(post after 9)
is "${r%% *}" 200 "service resumes when space returns"
check "verify is clean afterwards" "$STRAPI_LIVE" verify
check "the delivery stored before the disk filled is intact" sh -c "'$STRAPI_LIVE' dump | grep -q '\"documentId\":\"first\"'"
done_testing
