#!/bin/sh
# t1310-query-cursor-concurrency.sh: cursor paging stays exact while
# webhooks publish and unpublish entries in the middle of the list: newest
# first (sort=publishedAt:desc, the publishedAt index's cursor), then in the
# default order (id ascending: a scan's cursor of sort values).
. "$top_srcdir/tests/lib.sh"

command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"

# 300 entries one second apart: even ones are never touched ("stable"),
# odd ones get unpublished while a client pages through the list.
python3 - "$T/seed.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(300):
        t = "2026-01-01T00:%02d:%02d.000Z" % (i // 60, i % 60)
        kind = "stab" if i % 2 == 0 else "vola"
        f.write(json.dumps({"id": i + 1, "documentId": "%s%020d" % (kind, i),
            "title": "T%d" % i, "slug": "s-%d" % i, "content": "c",
            "excerpt": "e", "category": "tech", "createdAt": t,
            "updatedAt": t, "publishedAt": t}) + "\n")
EOF
"$STRAPI_LIVE" import "$T/seed.jsonl" >/dev/null ||
    { echo "Bail out! import failed"; exit 1; }

{
	fcgi_entry /api/ "$QUERY_FCGI" 2
	fcgi_entry /strapi/ "$WEBHOOK_FCGI" 2
} >"$T/fcgi.conf"
lighttpd_start <"$T/fcgi.conf" || { echo "Bail out! lighttpd did not start"; exit 1; }

cat >"$T/pager.py" <<'EOF'
import json, sys, threading, http.client, time
port, secret, phase = int(sys.argv[1]), sys.argv[2], sys.argv[3]
stop = threading.Event()
writes = [0]

def hook(event, e):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps({"event": event, "createdAt": e["updatedAt"],
        "model": "article", "uid": "api::article.article", "entry": e})
    c.request("POST", "/strapi/webhook", body, {"Content-Type": "application/json",
        "Authorization": "Bearer " + secret, "X-Strapi-Event": event})
    r = c.getresponse(); r.read(); c.close()
    if r.status != 200:
        print("# webhook %s: %d" % (event, r.status), file=sys.stderr)

def writer():
    if phase == "id":
        return writer_ids()
    # Unpublish odd entries from the oldest up, and publish new ones
    # between existing ones (half a second later), until the reader ends.
    i = 1
    while not stop.is_set() and i < 300:
        t = "2026-01-01T00:%02d:%02d.000Z" % (i // 60, i % 60)
        hook("entry.unpublish", {"id": i + 1, "documentId": "vola%020d" % i,
            "title": "T%d" % i, "slug": "s-%d" % i, "content": "c", "excerpt": "e",
            "category": "tech", "createdAt": t, "updatedAt": t, "publishedAt": t})
        tn = "2026-01-01T00:%02d:%02d.500Z" % (i // 60, i % 60)
        hook("entry.publish", {"id": 1000 + i, "documentId": "newd%020d" % i,
            "title": "N%d" % i, "slug": "n-%d" % i, "content": "c", "excerpt": "e",
            "category": "tech", "createdAt": tn, "updatedAt": tn, "publishedAt": tn})
        writes[0] += 2
        i += 2

def writer_ids():
    # The default order (id): unpublish the first phase's new entries and
    # publish others with the ids the unpublished odd ones had, between
    # the stable entries' ids, until the reader ends.
    i = 1
    while not stop.is_set() and i < 300:
        tn = "2026-01-01T01:%02d:%02d.500Z" % (i // 60, i % 60)
        hook("entry.unpublish", {"id": 1000 + i, "documentId": "newd%020d" % i,
            "title": "N%d" % i, "slug": "n-%d" % i, "content": "c", "excerpt": "e",
            "category": "tech", "createdAt": tn, "updatedAt": tn, "publishedAt": tn})
        hook("entry.publish", {"id": i + 1, "documentId": "mid2%020d" % i,
            "title": "M%d" % i, "slug": "m-%d" % i, "content": "c", "excerpt": "e",
            "category": "tech", "createdAt": tn, "updatedAt": tn, "publishedAt": tn})
        writes[0] += 2
        i += 2

w = threading.Thread(target=writer)
w.start()
seen, seqs, cursor, pages = [], [], None, 0
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
while True:
    url = "/api/articles?pagination[pageSize]=7&fields[0]=publishedAt"
    if phase == "publishedAt":
        url += "&sort=publishedAt:desc"
    if cursor:
        url += "&cursor=" + cursor
    c.request("GET", url)
    r = c.getresponse()
    d = json.loads(r.read())
    pages += 1
    seqs.append(d["meta"]["seq"])
    seen += [(e["publishedAt"] if phase == "publishedAt" else -e["id"],
              e["documentId"]) for e in d["data"]]
    cursor = d["meta"]["pagination"]["nextCursor"]
    if not cursor:
        break
    time.sleep(0.01)  # pacing, so writes land between pages
stop.set()
w.join()
stable = ["stab%020d" % i for i in range(0, 300, 2)]
ids = [s[1] for s in seen]
print(json.dumps({
    "pages": pages,
    "writes": writes[0],
    "seq_moved": seqs[-1] > seqs[0],
    "stable_once": all(ids.count(s) == 1 for s in stable),
    "no_duplicates": len(ids) == len(set(ids)),
    "ordered": all(seen[k] > seen[k + 1] for k in range(len(seen) - 1)),
}))
EOF
for phase in publishedAt id; do
	python3 "$T/pager.py" "$LIGHTTPD_PORT" "$SECRET" "$phase" \
	    >"$T/result" 2>"$T/py.err"
	cat "$T/py.err"
	result=$(cat "$T/result")
	diag "$phase: $result"
	order="newest-first order"
	[ "$phase" = id ] && order="id order (the default)"
	is "$(echo "$result" | json - 'd["seq_moved"] and d["writes"] > 0')" true \
	    "$phase: webhooks changed the store while the client paged"
	is "$(echo "$result" | json - 'd["stable_once"]')" true \
	    "$phase: every entry present throughout was returned exactly once"
	is "$(echo "$result" | json - 'd["no_duplicates"]')" true \
	    "$phase: no entry returned twice"
	is "$(echo "$result" | json - 'd["ordered"]')" true \
	    "$phase: pages stay in $order"
done
check "indexes agree with the primary records afterwards" "$STRAPI_LIVE" verify

done_testing
