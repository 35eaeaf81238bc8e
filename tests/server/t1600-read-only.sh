#!/bin/sh
# t1600-read-only.sh: the store's filesystem turns read-only under running
# FastCGI workers: webhooks answer 503 with a JSON error, queries go on,
# nothing is half-written, and service resumes when it is writable again
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
GEN="$top_srcdir/tests/gen_delivery.py"
M="$T/fs"
mkdir -p "$M"
# ext4 on a loop device: an ext4 error (triggered through sysfs, as a
# failing disk would) makes the kernel turn the filesystem read-only under
# the running workers (errors=remount-ro); tmpfs can't be remounted
# read-only while the store's files are open for writing.
command -v mkfs.ext4 >/dev/null 2>&1 || skip_all "mkfs.ext4 is not installed"
truncate -s 96M "$T/img" && mkfs.ext4 -q -F "$T/img" >/dev/null 2>&1 ||
    skip_all "cannot make an ext4 image"
LOOP=$(losetup -f --show "$T/img" 2>/dev/null) || skip_all "no loop device (needs root)"
blockdev --setrw "$LOOP" 2>/dev/null
trap 'sl_cleanup_ro' EXIT
sl_cleanup_ro() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	i=0 # killed workers let go of their files a moment later
	while ! umount "$M" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	losetup -d "$LOOP" 2>/dev/null
	sl_cleanup
}
mount -o errors=remount-ro "$LOOP" "$M" 2>/dev/null || skip_all "cannot mount the ext4 image"
TRIGGER=/sys/fs/ext4/$(basename "$LOOP")/trigger_fs_error
[ -w "$TRIGGER" ] || skip_all "no $TRIGGER to turn the filesystem read-only"
export STRAPI_LIVE_STORE_DIR="$M/store"

{
	fcgi_entry /hook "$WEBHOOK_FCGI" 2
	fcgi_entry /api/ "$QUERY_FCGI" 2
} >"$T/fcgi.conf"
lighttpd_start <"$T/fcgi.conf" || skip_all "lighttpd did not start"
base="http://127.0.0.1:$LIGHTTPD_PORT"
post() { # post DOC: prints "STATUS BODY"
	python3 "$GEN" entry.publish "$1" 1 ops >"$T/b.json"
	curl -s -m 30 -o "$T/resp" -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' -H "Authorization: Bearer $SECRET" \
	    --data-binary @"$T/b.json" "$base/hook"
	printf ' %s' "$(cat "$T/resp")"
}
for d in r1 r2 r3 r4; do post "$d" | cut -c1-3; done >"$T/codes"
is "$(sort -u "$T/codes")" 200 "deliveries are stored while the filesystem is writable"
"$STRAPI_LIVE" dump >"$T/before"
"$STRAPI_LIVE" events >"$T/events.before" 2>/dev/null

echo "t1560: make the store read-only" >"$TRIGGER"
touch "$M/probe" 2>/dev/null
ok $((1 - $?)) "the store's filesystem is now read-only (an ext4 error)"
bad=0
for i in 1 2 3 4 5 6; do
	r=$(post "ro$i")
	case "$r" in
	"503 "*'"status":503'*ServiceUnavailableError*) ;;
	*) bad=$((bad + 1)); diag "while read-only: $r" ;;
	esac
done
is "$bad" 0 "with the store read-only every delivery answers 503 with a JSON error"
diag "the answer: $(cat "$T/resp")"
check "the error says what is wrong (read-only)" grep -q "read-only" "$T/resp"
# XXX: not held. The deliveries whose commit reached the cache but whose
# log flush failed (answered 503) left dirty pages that cannot be written;
# a snapshot (MVCC) read then needs to freeze a buffer to disk and fails
# with EROFS. A full fix: reads fall back to a non-snapshot transaction
# when the store is read-only.
q=$(curl -s -m 30 -o "$T/q" -w '%{http_code}' "$base/api/articles")
[ "$q" = 200 ]
tap_todo $? "queries are still served (got $q)" \
    "snapshot reads need to write the freezer file"

# What an operator does: stop the programs, check the filesystem, mount it
# again, start them (the kernel won't remount an ext4 read-write after an
# error while files are open).
kill "$LIGHTTPD_PID"; wait "$LIGHTTPD_PID" 2>/dev/null
cp "$T/log/lighttpd.out" "$T/log/read-only-phase.out"
i=0
while ! umount "$M" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
e2fsck -p "$LOOP" >/dev/null 2>&1
mount -o errors=remount-ro "$LOOP" "$M"
ok $? "the filesystem mounts read-write again"
"$STRAPI_LIVE" dump >"$T/after"
check "nothing was half-written: the dump is byte-identical" cmp -s "$T/before" "$T/after"
lighttpd_start <"$T/fcgi.conf" || { echo "Bail out! lighttpd did not restart"; exit 1; }
base="http://127.0.0.1:$LIGHTTPD_PORT"
ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	r=$(post "back$i")
	[ "${r%% *}" = 200 ] && ok=$((ok + 1))
done
is "$ok" 10 "service resumes once the filesystem is writable again"
check "verify is clean afterwards" "$STRAPI_LIVE" verify
n=$("$STRAPI_LIVE" dump | grep -c '"documentId":"back')
is "$n" 10 "the deliveries after the remount are stored"
done_testing
