# bench_lib.sh: what query-bench.sh and index-bench.sh share (sourced,
# after tests/lib.sh; uses QUERY_FCGI, conns, dur and LIGHTTPD_PORT).

# bench_articles N: N entries shaped like the seeds' articles (~0.9 KB
# each, so a 25-entry list is about the 23 KB page Strapi was measured
# with), as JSON lines; price runs from 0 to 999 (N/1000 entries each).
bench_articles() {
	python3 - "$1" <<'PYEOF'
import json, sys
n = int(sys.argv[1])
cats = ["tech", "design", "ops"]
body = ("# Seed article\n\nIntro paragraph with **bold**, _italic_ and `code`.\n\n"
        "```c\nint main(void) { return 0; }\n```\n\n1. first\n2. second\n") * 4
for i in range(n):
    s, m = i % 60, (i // 60) % 60
    h, d = (i // 3600) % 24, i // 86400
    t = "2026-%02d-%02dT%02d:%02d:%02d.000Z" % (1 + d // 28, 1 + d % 28, h, m, s)
    print(json.dumps({"id": i + 1, "documentId": "seed%020d" % i,
        "title": "Seed Article %d" % i, "slug": "seed-article-%04d" % i,
        "content": body, "excerpt": "Short summary of seed article %d." % i,
        "category": cats[i % 3], "price": (i * 7919) % 1000,
        "createdAt": t, "updatedAt": t, "publishedAt": t},
        separators=(",", ":")))
PYEOF
}

# Body size of a query, from one CGI run of the real program.
body_size() {
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI="$1" \
	    QUERY_STRING="${1#*\?}" "$QUERY_FCGI" 2>/dev/null |
	    sed -n 's/^Content-Length: \([0-9]*\).*/\1/p' | head -1
}

rps() { # rps URL
	wrk -t2 -c"$conns" -d"${dur}s" "http://127.0.0.1:$LIGHTTPD_PORT$1" |
	    awk '/Requests\/sec/ { printf "%d", $2 }'
}

# measure URL CEILING_URL: "OURS CEILING" requests/s, each warmed up, then
# the best of two alternating rounds (other load on the machine shows as
# noise in single runs).
measure() {
	local ours=0 ceil=0 v round
	curl -s -g -o /dev/null "http://127.0.0.1:$LIGHTTPD_PORT$1"
	curl -s -g -o /dev/null "http://127.0.0.1:$LIGHTTPD_PORT$2"
	wrk -t2 -c"$conns" -d1s "http://127.0.0.1:$LIGHTTPD_PORT$1" >/dev/null
	for round in 1 2; do
		v=$(rps "$1"); [ "$v" -gt "$ours" ] && ours=$v
		v=$(rps "$2"); [ "$v" -gt "$ceil" ] && ceil=$v
	done
	echo "$ours $ceil"
}
