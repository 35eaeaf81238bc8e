#!/bin/sh
# t2500-systemd.sh: conf/strapi-live-push.service: systemd accepts the unit
# for the installed sidecar, it is hardened, and the sidecar runs with
# exactly the unit's command line and environment
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
deploy_install || { echo "Bail out! make install failed"; exit 1; }
[ -x "$I_BIN/strapi-live-push" ] || skip_all "sidecar not built (--disable-push)"
unit=$(deploy_example strapi-live-push.service)
key() { sed -n "s/^$1=//p" "$unit"; }

is "$(key ReadWritePaths)" "$SRV/store" "ReadWritePaths is the store"
is "$(key ProtectSystem)" strict "ProtectSystem=strict"
is "$(key NoNewPrivileges)" yes "NoNewPrivileges"
ok "$([ -n "$(key User)" ] && [ "$(key User)" != root ]; echo $?)" \
    "runs as a dedicated non-root user"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants the unit's name and its binaries to exist; the man
	# page is installed under DESTDIR, not where man(1) looks.
	mkdir -p "$T/unit"
	cp "$unit" "$T/unit/strapi-live-push.service"
	SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	    "$T/unit/strapi-live-push.service" >"$T/verify.out" 2>&1
	rc=$?
	grep -v 'Failed to\|Cannot add dependency\|No such file or directory' \
	    "$T/verify.out" | sed 's/^/# /'
	ok $rc "systemd-analyze verify accepts the unit"
	if grep -q 'ExecStart\|Unknown key\|Unknown section\|assignment' "$T/verify.out"; then
		ok 1 "no unknown or bad settings"
	else
		ok 0 "no unknown or bad settings"
	fi
else
	ok 0 "# SKIP systemd-analyze not installed"
	ok 0 "# SKIP systemd-analyze not installed"
fi

# What systemd would start: ExecStart with Environment=, as User=.
env_line=$(key Environment)
exec_line=$(key ExecStart)
[ "$exec_line" = "$I_BIN/strapi-live-push" ]
ok $? "ExecStart is the installed sidecar"
env "$env_line" setpriv --reuid="$RUNUSER" --regid="$RUNGROUP" --init-groups \
    $exec_line >"$SRV/log/push.log" 2>&1 &
sl_track $!
wait_port "$PUSH_PORT"
ok $? "the sidecar starts from the unit's command and environment"
is "$(curl -s "http://127.0.0.1:$PUSH_PORT/live/healthz" | json - 'd["up"]' 2>/dev/null)" \
    true "and answers /live/healthz"
[ "$_tap_fail" = 0 ] || deploy_logs
done_testing
