#!/bin/sh
# t1110-webhook-concurrency.sh: parallel writers, and a writer killed mid-stream
. "$top_srcdir/tests/lib.sh"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd is not installed"
GEN="$top_srcdir/tests/gen_delivery.py"

lighttpd_start "$(fcgi_entry /hook "$WEBHOOK_FCGI" 4)" || skip_all "lighttpd did not start"
URL="http://127.0.0.1:$LIGHTTPD_PORT/hook"

# Each poster sends its own documents plus versions of 2 shared ones.
mkdir -p "$T/bodies"
for id in 1 2 3 4 5 6; do
	for i in $(seq 1 40); do
		if [ $((i % 5)) -eq 0 ]; then doc="shared$((i % 10))"; else doc="p$id-$i"; fi
		echo "$id-$i entry.publish $doc $((i * 10 + id)) tech"
	done
done >"$T/plan"
for i in $(seq 1 300); do echo "k$i entry.publish k$i $i ops"; done >>"$T/plan"
python3 "$GEN" --batch "$T/bodies" <"$T/plan"
poster() { # poster ID COUNT
	local id=$1 n=$2 i
	for i in $(seq 1 "$n"); do
		curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $SECRET" --data-binary @"$T/bodies/$id-$i" "$URL"
	done >"$T/codes.$id"
}
posters=""
for id in 1 2 3 4 5 6; do poster "$id" 40 & posters="$posters $!"; done
for p in $posters; do wait "$p"; done
is "$(cat "$T"/codes.* | sort -u)" 200 "6 processes posting at once through 4 FastCGI workers: all 200"
n=$("$STRAPI_LIVE" dump | wc -l)
is "$n" $((6 * 32 + 2)) "every document is present (6 x 32 own + 2 shared)"
check "indexes agree with entries" "$STRAPI_LIVE" verify
newest=$("$STRAPI_LIVE" dump | python3 -c '
import json,sys
best={}
for l in sys.stdin:
    d=json.loads(l)
    if d["documentId"].startswith("shared"): best[d["documentId"]]=d["title"]
print(best.get("shared5",""))')
is "$newest" "Article shared5 v356" "a shared document holds its newest version (writer 6, round 35)"

# A writer killed with SIGKILL in the middle of a stream of deliveries.
: >"$T/acked"
(
	i=0
	while [ $i -lt 300 ]; do
		i=$((i + 1))
		c=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $SECRET" --data-binary @"$T/bodies/k$i" "$URL")
		[ "$c" = 200 ] && echo "k$i" >>"$T/acked"
	done
) &
stream=$!
killed=0
for round in 1 2 3; do
	# wait for the stream to be under way, then kill a webhook worker
	while [ "$(wc -l <"$T/acked")" -lt $((round * 60)) ] && kill -0 "$stream" 2>/dev/null; do sleep 0.05; done
	pid=$(pgrep -P "$LIGHTTPD_PID" -f "$WEBHOOK_FCGI" | head -1)
	if [ -n "$pid" ]; then kill -9 "$pid" && killed=$((killed + 1)); fi
done
wait "$stream"
ok $(( killed < 1 )) "webhook workers were killed with SIGKILL mid-stream ($killed times)"
acked=$(wc -l <"$T/acked")
diag "$acked of 300 deliveries acknowledged while workers were killed"
missing=0
"$STRAPI_LIVE" dump | python3 -c 'import json,sys; [print(json.loads(l)["documentId"]) for l in sys.stdin]' >"$T/present"
for d in $(cat "$T/acked"); do grep -qx "$d" "$T/present" || missing=$((missing + 1)); done
is "$missing" 0 "every acknowledged delivery is in the store"
check "the store opens and verifies after the kills" "$STRAPI_LIVE" verify
python3 "$GEN" entry.publish after-kill 1 ops >"$T/kb"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $SECRET" --data-binary @"$T/kb" "$URL")" 200 "the webhook serves again afterwards"
check "no worker is stuck on a lock held by a dead one" sh -c "'$STRAPI_LIVE' dump | grep -q after-kill"
done_testing
