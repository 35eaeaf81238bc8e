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
