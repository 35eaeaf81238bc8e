#!/bin/sh
# t1900-repl-cluster.sh: three replicated sites on loopback (issue 9):
# writes on the master reach every replica, a replica redirects webhooks
# to the master, the master dies and a new one is elected with every
# acknowledged delivery, the old master rejoins and catches up, and a
# master cut off from the others refuses writes it cannot replicate.
. "$top_srcdir/tests/lib.sh"

P1=$(free_port); P2=$(free_port); P3=$(free_port)
ADDR1=127.0.0.1:$P1; ADDR2=127.0.0.1:$P2; ADDR3=127.0.0.1:$P3
export STRAPI_LIVE_REPL_WEBHOOK_URLS="$ADDR1=http://127.0.0.1:1/s1 $ADDR2=http://127.0.0.1:1/s2 $ADDR3=http://127.0.0.1:1/s3"
export STRAPI_LIVE_REPL_ACK_TIMEOUT=1000 STRAPI_LIVE_REPL_START_TIMEOUT=30

site() { # site N: this shell's environment becomes site N's
	local me all="$ADDR1 $ADDR2 $ADDR3"
	eval me=\$ADDR$1
	export STRAPI_LIVE_STORE_DIR="$T/s$1" STRAPI_LIVE_REPL_LOCAL="$me"
	export STRAPI_LIVE_REPL_SITES="$(echo $all | tr ' ' '\n' | grep -vx "$me" | tr '\n' ' ')"
	if [ "$1" = 1 ]; then export STRAPI_LIVE_REPL_GROUP_CREATOR=yes
	else unset STRAPI_LIVE_REPL_GROUP_CREATOR; fi
}
start_node() { # start_node N: runs repl-node, waits for "ready"
	(site "$1"; exec "$STRAPI_LIVE" repl-node >"$T/n$1.out" 2>>"$T/n$1.err") &
	eval NODE$1=$!
	sl_track $!
	for i in $(seq 1 300); do
		grep -q ready "$T/n$1.out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
post() { # post SITE DOC N: prints the status line's code and the body
	python3 "$top_srcdir/tests/gen_delivery.py" entry.publish "$2" "$3" >"$T/b"
	(site "$1"; REQUEST_METHOD=POST CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=$(wc -c <"$T/b") HTTP_AUTHORIZATION="Bearer $SECRET" \
	    HTTP_X_STRAPI_EVENT=entry.publish timeout 30 "$WEBHOOK_FCGI" <"$T/b" \
	    2>>"$T/webhook.err" | sed -n 's/^Status: \([0-9]*\).*/\1/p; /^{/p' | tr '\n' ' ')
}
docs() { # docs SITE: sorted documentIds stored there
	(site "$1"; "$STRAPI_LIVE" dump | python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["documentId"] for l in sys.stdin if l.strip())))')
}
repl() { # repl SITE EXPR: a field of stats' replication object
	(site "$1"; "$STRAPI_LIVE" stats | python3 -c "import json,sys; d=json.load(sys.stdin)['replication']; print($2)")
}
wait_for() { # wait_for CMD...: until it succeeds (max ~15 s)
	for i in $(seq 1 150); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
has_docs() { [ "$(docs "$1")" = "$2" ]; }
is_role() { [ "$(repl "$1" 'd["role"]')" = "$2" ]; }

start_node 1; ok $? "site 1 creates the group and starts"
start_node 2 && start_node 3; ok $? "sites 2 and 3 join"
is "$(repl 1 'd["role"]')" master "site 1 is the master"
is "$(repl 2 'd["role"]+" "+d["master"]')" "replica $ADDR1" "site 2 is a replica of site 1"

r=$(post 1 a1 1); case $r in 200*upserted*) ok 0 "webhook on the master is acknowledged";; *) ok 1 "webhook on the master: $r";; esac
wait_for has_docs 2 a1 && wait_for has_docs 3 a1; ok $? "the change is on both replicas"
is "$(repl 3 'd["node"]["lastSeq"]')" 1 "replica 3's replication process saw seq 1 (same seq)"

r=$(post 2 a2 1); case $r in 307*) ok 0 "a replica answers 307 to the master";; *) ok 1 "replica: $r";; esac
is "$(docs 2)" a1 "the replica did not apply it"

# Kill the master; the survivors elect a new one and keep every ack'ed write.
post 1 a3 1 >/dev/null
kill -9 "$NODE1"
wait_for is_role 2 master || wait_for is_role 3 master
NEW=$( [ "$(repl 2 'd["role"]')" = master ] && echo 2 || echo 3 )
is "$(repl $NEW 'd["role"]')" master "a new master is elected (site $NEW)"
is "$(docs 2)" "a1 a3" "site 2 has every acknowledged delivery"
is "$(docs 3)" "a1 a3" "site 3 has every acknowledged delivery"
r=$(post $NEW a4 1); case $r in 200*upserted*) ok 0 "the new master takes writes";; *) ok 1 "new master: $r";; esac

start_node 1; ok $? "the old master restarts"
wait_for is_role 1 replica; ok $? "and rejoins as a replica"
wait_for has_docs 1 "a1 a3 a4"; ok $? "and catches up"

# Cut the master off (stop the other two): it must not acknowledge.
OTHER=$( [ $NEW = 2 ] && echo 3 || echo 2 )
eval kill -STOP \$NODE1 \$NODE$OTHER
r=$(post $NEW a5 1); case $r in 503*) ok 0 "a master without a quorum refuses (503)";; *) ok 1 "minority master: $r";; esac
eval kill -CONT \$NODE1 \$NODE$OTHER
r=$(post $NEW a5 1); case $r in 200*) ok 0 "after healing the retried delivery is acknowledged";; *) ok 1 "healed: $r";; esac
wait_for has_docs $OTHER "a1 a3 a4 a5"; ok $? "and replicated"

done_testing
