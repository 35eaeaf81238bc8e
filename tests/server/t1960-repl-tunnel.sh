#!/bin/sh
# t1960-repl-tunnel.sh: the recipe of docs/replication.md "Security",
# tested: three sites, each in its own network namespace, whose
# replication listens on loopback only (127.0.0.1:500n, nothing another
# host can reach) and whose every byte between sites goes through stunnel
# (TLS with a pre-shared key; a client per peer on 127.0.0.1:500m, a server
# on the bridge address). Forwarded webhooks use the tunnel too
# (repl_webhook_urls on 127.0.0.1), so the settings pass the exposure
# checks without repl_insecure_network. The group forms, replicates,
# forwards and elects a new master through the tunnels; a stranger on the
# bridge reaches neither the replication port nor, without the key, the
# tunnel. Needs root (CAP_NET_ADMIN) and stunnel4.
. "${top_srcdir:-.}/tests/lib.sh"
repl_netns_env
command -v stunnel >/dev/null 2>&1 || skip_all "stunnel4 not installed"
STRANGER="$top_builddir/tests/fault/repl_stranger"
[ -x "$STRANGER" ] || skip_all "tests/fault/repl_stranger not built"
export STRANGER
run_py "$top_srcdir/tests/server/t1960-repl-tunnel.py"
