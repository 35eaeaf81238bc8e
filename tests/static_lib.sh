# static_lib.sh: helpers for the static answers' server tests
# (docs/static.md). Source after lib.sh.

# static_through BASE DIR: fetches the URL of each answer file of DIR
# (tests/static_urls.py) through the server at BASE and compares it with
# query.fcgi's answer as plain CGI (cgi_get: run it with the server's
# configuration). Prints "N BAD STATIC": answers compared, bodies that
# differ, and how many came from the file (no X-Strapi-Live-Seq header).
static_through() {
	local base=$1 dir=$2 rel uri n=0 bad=0 st=0
	python3 "$top_srcdir/tests/static_urls.py" "$dir" >"$T/urls"
	while IFS='	' read -r rel uri; do
		n=$((n + 1))
		curl -sg -D "$T/through.h" -o "$T/through" "$base$uri"
		cgi_get "$uri"
		if [ "$STATUS" != 200 ] || ! cmp -s "$T/body" "$T/through"; then
			bad=$((bad + 1))
			diag "differs: $uri"
		fi
		grep -qi '^X-Strapi-Live-Seq:' "$T/through.h" || st=$((st + 1))
	done <"$T/urls"
	echo "$n $bad $st"
}

# static_header FILE NAME: the value of header NAME in the headers FILE.
static_header() {
	sed -n "s/^$2: *\\(.*\\)\\r\$/\\1/Ip" "$1" | head -1
}

# static_served BASE DIR NAME: what a server (NAME) must do with the files
# of DIR besides their bytes: query.fcgi's Content-Type, CORS and
# Cache-Control headers; a 304 for the file's ETag; the percent-encoded
# query form; query.fcgi's answer where there is no file, and for a
# preflight (STATIC_NO_ETAG=1: no 304 check). TAP lines.
static_served() {
	local base=$1 dir=$2 name=$3 h u etag
	curl -s -D "$T/h" -o /dev/null -H 'Origin: https://front.example' \
	    "$base/api/articles"
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_URI=/api/articles QUERY_STRING= \
	    HTTP_ORIGIN=https://front.example "$QUERY_FCGI" \
	    </dev/null >"$T/dyn" 2>>"$T/stderr"
	for h in Content-Type Access-Control-Allow-Origin \
	    Access-Control-Expose-Headers Cache-Control; do
		is "$(static_header "$T/h" "$h")" \
		    "$(static_header "$T/dyn" "$h")" \
		    "$name: $h as query.fcgi sends it ($(static_header "$T/dyn" "$h"))"
	done
	curl -s -D "$T/h" -o /dev/null "$base/api/articles"
	is "$(static_header "$T/h" Access-Control-Allow-Origin)" "" \
	    "$name: no CORS header without Origin, as query.fcgi"
	etag=$(static_header "$T/h" ETag)
	# nginx's example sends none (docs/static.md): STATIC_NO_ETAG=1.
	[ -n "${STATIC_NO_ETAG:-}" ] || is "$(curl -s -o /dev/null \
	    -w '%{http_code}' -H "If-None-Match: $etag" "$base/api/articles")" \
	    304 "$name: If-None-Match with the file's ETag: 304"
	curl -s -o "$T/b" \
	    "$base/api/articles?filters%5Bslug%5D%5B%24eq%5D=hello-rich-strapi"
	cmp -s "$T/b" "$dir/articles/slug=hello-rich-strapi.json"
	ok $? "$name: filters%5Bslug%5D%5B%24eq%5D=…: the file too"
	for u in "/api/articles?pagination[page]=9" "/api/articles?sort=title" \
	    "/api/articles/nosuchdocument0000000000" "/api/nothing"; do
		curl -sg -D "$T/h" -o "$T/b" "$base$u"
		cgi_get "$u"
		cmp -s "$T/b" "$T/body" && grep -qi '^X-Strapi-Live-Seq:' "$T/h"
		ok $? "$name: no file: query.fcgi answers $u"
	done
	is "$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS \
	    -H 'Origin: https://front.example' \
	    -H 'Access-Control-Request-Method: GET' "$base/api/articles")" 204 \
	    "$name: a preflight reaches query.fcgi (204)"
}

# static_gzip BASE DIR NAME: each answer's .gz (written beside it when
# built with zlib) as the server at BASE sends it to a client that takes
# gzip: the .gz's bytes with Content-Encoding gzip, the answer's own
# Content-Type and Vary: Accept-Encoding; the file as is to a client
# that does not; query.fcgi's answer where there is no file, without the
# .gz's Content-Encoding. TAP lines.
static_gzip() {
	local base=$1 dir=$2 name=$3 u f
	if ! grep -q '^#define HAVE_ZLIB 1' "$top_builddir/config.h"; then
		tap_skip "$name: built without zlib: no .gz"
		return
	fi
	for u in "/api/articles:articles/index.json" \
	    "/api/articles/slug/hello-rich-strapi:articles/slug/hello-rich-strapi/index.json" \
	    "/api/articles?filters%5Bslug%5D%5B%24eq%5D=hello-rich-strapi:articles/slug=hello-rich-strapi.json"; do
		f=${u#*:}
		u=${u%%:*}
		curl -s -D "$T/h" -o "$T/b.gz" -H 'Accept-Encoding: gzip' "$base$u"
		cmp -s "$T/b.gz" "$dir/$f.gz" &&
		    gzip -dc <"$T/b.gz" | cmp -s - "$dir/$f"
		ok $? "$name: $u with Accept-Encoding gzip: the file's .gz, which holds the file"
		is "$(static_header "$T/h" Content-Encoding) $(static_header "$T/h" Content-Type)" \
		    "gzip application/json; charset=utf-8" \
		    "$name: … sent as Content-Encoding gzip of the answer's type"
		static_header "$T/h" Vary | grep -qi 'accept-encoding'
		ok $? "$name: … with Vary: Accept-Encoding"
	done
	curl -s -D "$T/h" -o /dev/null -H 'Accept-Encoding: gzip' \
	    -H 'Origin: https://front.example' "$base/api/articles"
	is "$(static_header "$T/h" Access-Control-Allow-Origin) $(static_header "$T/h" Content-Encoding)" \
	    "* gzip" "$name: … and CORS as query.fcgi sends it, with Origin"
	curl -s -D "$T/h" -o "$T/b" "$base/api/articles"
	cmp -s "$T/b" "$dir/articles/index.json" &&
	    [ -z "$(static_header "$T/h" Content-Encoding)" ]
	ok $? "$name: without Accept-Encoding gzip, the file as is"
	curl -s -o "$T/b" -H 'Accept-Encoding: gzip' "$base/api/articles?sort=title"
	cgi_get "/api/articles?sort=title"
	cmp -s "$T/b" "$T/body"
	ok $? "$name: no file: query.fcgi answers, gzip accepted or not"
	# A URL of a static form with no file behind it: query.fcgi's answer
	# as it sends it, never labelled as the .gz.
	u='/api/articles?filters[slug][$eq]=no-such-slug'
	[ ! -e "$dir/articles/slug=no-such-slug.json" ]
	ok $? "$name: (no file for $u)"
	curl -sg -D "$T/h" -o "$T/b" -H 'Accept-Encoding: gzip' "$base$u"
	cgi_get "$u"
	cmp -s "$T/b" "$T/body" && [ -z "$(static_header "$T/h" Content-Encoding)" ]
	ok $? "$name: … with Accept-Encoding gzip: query.fcgi's answer, no Content-Encoding"
}

# static_deliver BASE FIXTURE: a recorded delivery POSTed to the webhook at
# BASE/strapi/webhook, as Strapi sends it; prints the status.
static_deliver() {
	python3 - "$2" "$T/d.body" "$T/d.event" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write(d["raw_body"])
open(sys.argv[3], "w").write(d["headers"].get("X-Strapi-Event", ""))
PY
	curl -s -o /dev/null -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $SECRET" \
	    -H "X-Strapi-Event: $(cat "$T/d.event")" \
	    --data-binary @"$T/d.body" "$1/strapi/webhook"
}

# static_deliver_all BASE: the recorded rich deliveries, each POSTed to the
# webhook at BASE (static_deliver); prints how many were not answered 2xx.
static_deliver_all() {
	local f bad=0
	for f in "$RICH"/[0-9][0-9]-*.json; do
		case $(static_deliver "$1" "$f") in 2??) ;; *) bad=$((bad + 1)) ;; esac
	done
	echo "$bad"
}

# static_lighttpd_conf DIR [LINE...]: $T/static.conf, the shipped
# conf/lighttpd-static.conf with this run's paths (static_dir DIR, the
# multiwatch on PATH), and
# $T/strapi-live.conf, the settings query.fcgi reads under it: the store,
# static_dir, the types of the environment (rich_env) and each LINE.
static_lighttpd_conf() {
	local dir=$1 l
	shift
	{
		cat <<CONF
store_dir = $STRAPI_LIVE_STORE_DIR
static_dir = $dir
schema_dir = $STRAPI_LIVE_SCHEMA_DIR
collections = $STRAPI_LIVE_COLLECTIONS
locales = $STRAPI_LIVE_LOCALES
CONF
		for l; do
			echo "$l"
		done
	} >"$T/strapi-live.conf"
	sed -e "s|/usr/local/libexec/strapi-live/cgi-bin/query.fcgi|$QUERY_FCGI|" \
	    -e "s|/run/strapi-live|$T|" \
	    -e "s|/usr/local/etc/strapi-live.conf|$T/strapi-live.conf|" \
	    -e "s|/usr/local/var/lib/strapi-live-static|$dir|" \
	    -e "s|/usr/bin/multiwatch|$(command -v multiwatch)|" \
	    "$top_srcdir/conf/lighttpd-static.conf" >"$T/static.conf"
	mkdir -p "$dir"
}

# static_shared_hosting [LINE...]: after shared_hosting_deploy, the rich
# recording's model and static_dir (S, under the document root) in the
# account's configuration, with each LINE; sets S and base.
static_shared_hosting() {
	local l
	rich_env
	unset STRAPI_LIVE_SCHEMA_DIR STRAPI_LIVE_COLLECTIONS STRAPI_LIVE_LOCALES
	S=$SRV/htdocs/strapi-live/static
	# The Strapi project's schema files, uploaded into the account (the
	# web server's user must read them; the source tree may be private).
	cp -R "$RICH/strapi-src" "$SRV/strapi-src"
	[ "$RUNUSER" != "$(id -un)" ] && chown -R "$RUNUSER:$RUNGROUP" "$SRV/strapi-src"
	{
		cat <<CONF
static_dir = $S
schema_dir = $SRV/strapi-src
collections = article,author,category,global,about
locales = en,fr
CONF
		for l; do
			echo "$l"
		done
	} >>"$SRV/strapi-live.conf"
	export STRAPI_LIVE_CONFIG=$SRV/strapi-live.conf
	base=http://127.0.0.1:$PORT
}

# static_versions OUT TITLE: two newer versions (OUT1, OUT2) of the rich
# recording's last delivery, an article, titled "TITLE 1" and "TITLE 2";
# sets slug to its slug.
static_versions() {
	python3 - "$RICH/83-entry.publish.article.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = json.loads(d["raw_body"])
for n in (1, 2):
    e = b["entry"]
    e["updatedAt"] = e["updatedAt"][:17] + "5%d.000Z" % n
    e["publishedAt"] = e["publishedAt"][:17] + "5%d.001Z" % n
    e["title"] = "%s %d" % (sys.argv[3], n)
    d["raw_body"] = json.dumps(b, separators=(",", ":"))
    json.dump(d, open(sys.argv[2] + str(n), "w"))
PY
	slug=$(json "${1}1" 'json.loads(d["raw_body"])["entry"]["slug"]')
}

# static_all_through BASE DIR NAME [again]: static_through's findings as
# TAP lines: 40 files or more (the rich recording's), each the bytes
# query.fcgi answers, each from its file.
static_all_through() {
	set -- "$@" $(static_through "$1" "$2")
	if [ "$4" = again ]; then
		is "$6 $7" "0 $5" \
		    "$3: every file is query.fcgi's answer again, from its file"
		return
	fi
	ok $(($4 < 40)) "$3: 40 answers or more are files ($4)"
	is "$5" 0 "$3: each, fetched through it, is the bytes query.fcgi answers"
	is "$6" "$4" "$3: each came from its file"
}

# static_head_poll BASE DIR NAME: the change head as a client polls it:
# /api/_live/head is the file, and If-None-Match with its ETag a 304 from
# the server. Sets STATIC_HEAD_ETAG. TAP lines.
static_head_poll() {
	curl -s -D "$T/h" -o "$T/head" "$1/api/_live/head"
	cmp -s "$T/head" "$2/_live/head/index.json"
	ok $? "$3: /api/_live/head is the change head ($(cat "$T/head"))"
	STATIC_HEAD_ETAG=$(static_header "$T/h" ETag)
	is "$(curl -s -o /dev/null -w '%{http_code}' \
	    -H "If-None-Match: $STATIC_HEAD_ETAG" "$1/api/_live/head")" 304 \
	    "$3: polled with its ETag while nothing changes: 304"
}

# static_head_changed BASE DIR NAME: after a write, the poll with the old
# ETag gets the new head, naming the store's seq. TAP lines.
static_head_changed() {
	is "$(curl -s -o "$T/head" -w '%{http_code}' \
	    -H "If-None-Match: $STATIC_HEAD_ETAG" "$1/api/_live/head")" 200 \
	    "$3: after a write, the poll gets the new head"
	is "$(json "$T/head" 'd["seq"]')" \
	    "$(json "$2/articles/index.json" 'd["meta"]["seq"]')" \
	    "$3: it names the seq of the answers"
}

# static_changes BASE DIR NAME EVENTS SIZE KEEP: the change pages of DIR
# (pages of SIZE changes, KEEP kept) as a polling client reads them through
# the server at BASE: each page served as its file, its records byte for
# byte those the /events JSON page at EVENTS (a URL) gives for the same
# seqs; KEEP pages at most, the newest, up to the head's seq; a removed
# page 404; the head 304 with its ETag. TAP lines.
static_changes() {
	local base=$1 dir=$2 name=$3 ev=$4 size=$5 keep=$6 seq lastp want
	local p n=0 bad=0 etag
	seq=$(json "$dir/_live/head/index.json" 'd["seq"]')
	lastp=$(((seq - 1) / size))
	want=$((lastp + 1 < keep ? lastp + 1 : keep))
	is "$(ls "$dir/_live/changes" | sort -n | tr '\n' ' ')" \
	    "$(seq $((lastp + 1 - want)) "$lastp" | tr '\n' ' ')" \
	    "$name: the newest $want change pages are kept, up to the head's seq $seq"
	for p in $(ls "$dir/_live/changes"); do
		n=$((n + 1))
		curl -s -o "$T/page" "$base/api/_live/changes/$p"
		curl -s -o "$T/ev" -H 'Accept: application/json' \
		    "$ev?since=$((p * size))&limit=$size"
		if ! cmp -s "$T/page" "$dir/_live/changes/$p/index.json" ||
		    ! python3 - "$T/page" "$T/ev" "$p" "$size" <<'PY'
import json, sys
page, ev = (open(f, "rb").read() for f in sys.argv[1:3])
p, size = int(sys.argv[3]), int(sys.argv[4])
def records(b):
    return b[b.index(b"[") + 1:b.rindex(b'],"meta"')]
meta = json.loads(page)["meta"]
seqs = [r["seq"] for r in json.loads(page)["data"]]
# the same bytes, every seq of the page, consecutive, up to the head
sys.exit(0 if records(page) == records(ev) and seqs ==
         list(range(p * size + 1, p * size + 1 + len(seqs))) and
         meta["page"] == p and meta["size"] == size else 1)
PY
		then
			bad=$((bad + 1))
			diag "differs: page $p"
		fi
	done
	is "$bad" 0 "$name: each of the $n pages is its file, and the records /events sends for its seqs, byte for byte"
	ok $([ "$(json "$dir/_live/changes/$lastp/index.json" 'd["meta"]["last"]')" = "$seq" ]; echo $?) \
	    "$name: the newest page ends at the head's seq"
	if [ "$lastp" -ge "$keep" ]; then
		is "$(curl -s -o /dev/null -w '%{http_code}' \
		    "$base/api/_live/changes/$((lastp - keep))")" 404 \
		    "$name: a removed page answers 404"
	fi
	curl -s -D "$T/h" -o /dev/null "$base/api/_live/head"
	etag=$(static_header "$T/h" ETag)
	is "$(curl -s -o /dev/null -w '%{http_code}' \
	    -H "If-None-Match: $etag" "$base/api/_live/head")" 304 \
	    "$name: the head, polled with its ETag: 304"
}
