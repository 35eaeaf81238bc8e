#!/bin/sh
# t1709-slot-kept.sh: an idle FastCGI worker that cleans up after a process
# that died in the store keeps its own place in Berkeley DB's registry.
# Its look for dead processes opened and closed a second descriptor of the
# registry file, and closing any descriptor of a file drops every fcntl
# lock the process holds on it: the worker's own slot then looked dead to
# everyone, so every other process's next open cleaned up after a live
# one, and an open that runs full recovery would have run it under a live
# writer.
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
HOLD="$top_builddir/tests/fault/hold_read_locks"
[ -x "$HOLD" ] || skip_all "tests/fault/hold_read_locks is not built"

lighttpd_hook_api 2
is "$(post_gen a1 "$base/hook")" 200 "a delivery is stored"
is "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/articles")" 200 "a query is served"

# Each worker's registry slot, held (fcntl-locked) by the live worker:
# prints "locked PID", "unlocked PID" or "missing PID" for each worker.
slots() {
	python3 - "$T/store/__db.register" $(pgrep -P "$LIGHTTPD_PID") <<'PY'
import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
data = os.pread(fd, 25 * 4096, 0)
at = {}
for i in range(0, len(data) - 24, 25):
    s = data[i:i + 25]
    if s[:1] != b"X" and s.strip():
        at[int(s.strip())] = i
for pid in map(int, sys.argv[2:]):
    if pid not in at:
        print("missing", pid)
        continue
    # F_GETLK for a read lock on the slot's first byte (struct flock).
    fl = struct.pack("hhqqi", fcntl.F_RDLCK, os.SEEK_SET, at[pid], 1, 0)
    r = struct.unpack_from("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, fl + bytes(8)))
    print("locked" if r[0] != fcntl.F_UNLCK else "unlocked", pid)
PY
}
slots >"$T/slots"
is "$(grep -c '^locked' "$T/slots")" 4 "each of the 4 workers holds its slot"

# A process with read locks in the store is killed outside any call:
# failchk cleans up after it, with no recovery.
"$HOLD" "$T/store" entries.db meta.db >"$T/hold" 2>&1 &
hp=$!
for i in $(seq 1 100); do grep -q holding "$T/hold" && break; sleep 0.1; done
check "a process holds read locks" grep -q holding "$T/hold"
kill -9 $hp
wait $hp 2>/dev/null
ok "$(wait_log 'a process died in the store; cleaning up after it' 1 && echo 0 || echo 1)" \
    "an idle worker cleaned up after it"
sleep 1
slots >"$T/slots"
sed 's/^/# /' "$T/slots"
is "$(grep -c '^locked' "$T/slots")" 4 \
    "after cleaning up, each worker still holds its slot"
is "$(grep -c 'running full recovery' "$LOG")" 0 "nobody ran full recovery"
is "$(post_gen a2 "$base/hook")" 200 "deliveries go on"
done_testing
