#!/bin/sh
# powerloss.sh: power loss under concurrent webhook deliveries. The store
# lives on ext4 on a loop device; at a random moment every process is
# SIGKILLed and the loop device's backing file is copied at once, without
# sync or umount: the copy holds only what ext4 had submitted to the
# device, as after a power cut (what sat in the mounted filesystem's page
# cache is absent). The copy is mounted on another loop device, the store
# opened (recovery) and every acknowledged delivery looked for.
#   tests/soak/powerloss.sh [ROUNDS]      (default 5; BUILD=dir, default _build)
# Needs root, losetup and mkfs.ext4. Prints TAP.
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=$top_srcdir/${BUILD:-_build}
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
ROUNDS=${1:-5}
command -v mkfs.ext4 >/dev/null 2>&1 || skip_all "mkfs.ext4 is not installed"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
losetup -f >/dev/null 2>&1 || skip_all "no loop device"
L1= L2=
M="$T/fs" C="$T/copyfs"
mkdir -p "$M" "$C"
pl_cleanup() {
	for p in $_pids; do kill -9 "$p" 2>/dev/null; done
	i=0
	while ! umount "$M" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	umount "$C" 2>/dev/null
	[ -n "$L1" ] && losetup -d "$L1" 2>/dev/null
	[ -n "$L2" ] && losetup -d "$L2" 2>/dev/null
	sl_cleanup
}
trap pl_cleanup EXIT

for r in $(seq 1 "$ROUNDS"); do
	rm -f "$T/img" "$T/copy"
	truncate -s 128M "$T/img" && mkfs.ext4 -q -F "$T/img" >/dev/null 2>&1
	L1=$(losetup -f --show "$T/img") || { echo "Bail out! losetup"; exit 1; }
	blockdev --setrw "$L1"
	mount "$L1" "$M" || { echo "Bail out! mount"; exit 1; }
	export STRAPI_LIVE_STORE_DIR="$M/store"
	_pids=""
	lighttpd_start "$(fcgi_entry /hook "$WEBHOOK_FCGI" 4)" >/dev/null ||
	    { echo "Bail out! lighttpd"; exit 1; }
	: >"$T/acked"
	python3 - "$LIGHTTPD_PORT" "$SECRET" "$T/acked" "$r" <<'PY' &
import http.client, json, sys, threading
port, secret, out, rnd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
lock = threading.Lock()
f = open(out, "a")
def poster(p):
    n = 0
    while True:
        n += 1
        doc = "r%s-p%d-%d" % (rnd, p, n)
        t = "2026-03-01T00:%02d:%02d.000Z" % (n // 60 % 60, n % 60)
        b = json.dumps({"event": "entry.publish", "model": "article",
            "uid": "api::article.article", "createdAt": t,
            "entry": {"id": n, "documentId": doc, "title": doc, "slug": doc,
                      "content": "x" * 2000, "excerpt": "e",
                      "category": "ops", "createdAt": t, "updatedAt": t,
                      "publishedAt": t}})
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("POST", "/hook", b, {"Content-Type": "application/json",
                      "Authorization": "Bearer " + secret})
            resp = c.getresponse()
            body = resp.read()
            c.close()
        except Exception:
            return
        if resp.status == 200 and b'"upserted"' in body:
            with lock:
                f.write(doc + "\n")
                f.flush()
for p in range(6):
    threading.Thread(target=poster, args=(p,), daemon=True).start()
threading.Event().wait()
PY
	poster_pid=$!
	# Run for 2 to 5 s, then cut the power.
	sleep "$(python3 -c 'import random; print(round(random.uniform(2, 5), 2))')"
	kill -9 $(pgrep -P "$LIGHTTPD_PID") "$LIGHTTPD_PID" 2>/dev/null
	cp --sparse=always "$T/img" "$T/copy"
	kill -9 "$poster_pid" 2>/dev/null
	wait "$poster_pid" "$LIGHTTPD_PID" 2>/dev/null
	acked=$(sort -u "$T/acked" | sed '/^$/d' | wc -l)
	i=0 # the killed processes release the files a moment later
	while ! umount "$M" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	losetup -d "$L1"; L1=
	L2=$(losetup -f --show "$T/copy") || { echo "Bail out! losetup copy"; exit 1; }
	blockdev --setrw "$L2"
	mount "$L2" "$C" || { echo "Bail out! mount copy"; exit 1; }
	export STRAPI_LIVE_STORE_DIR="$C/store"
	timeout 120 "$STRAPI_LIVE" dump 2>"$T/dump.err" |
	    python3 -c 'import json,sys; [print(json.loads(l)["documentId"]) for l in sys.stdin]' |
	    sort >"$T/present"
	sort -u "$T/acked" | sed '/^$/d' >"$T/acked.s"
	missing=$(comm -23 "$T/acked.s" "$T/present" | wc -l)
	extra=$(($(wc -l <"$T/present") - acked + missing))
	is "$missing" 0 "round $r: all $acked acknowledged deliveries survive the power cut ($extra unacknowledged ones too)"
	check "round $r: verify is clean after recovery" timeout 120 "$STRAPI_LIVE" verify
	umount "$C"; losetup -d "$L2"; L2=
done
done_testing
