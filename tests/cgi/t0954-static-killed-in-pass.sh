#!/bin/sh
# t0954-static-killed-in-pass.sh: a writer killed anywhere within its
# static pass (docs/static.md: SL_FAULT_DIE_IN_RENDER=<n> kills it at the
# n-th step, a temporary file written, renamed into place or a file
# removed, the manifest and .seq among them) leaves a state the next pass
# repairs: static-verify finds every file the store's answer, and
# nothing left over, after it; and no pass goes by a manifest the killed
# one left.
. "$top_srcdir/tests/lib.sh"

[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
export STRAPI_LIVE_STATIC_DIR="$T/static" STRAPI_LIVE_DURABLE=no
export STRAPI_LIVE_COLLECTIONS=article STRAPI_LIVE_LOCALES=en
S=$STRAPI_LIVE_STATIC_DIR

doc() { printf 'doc%021d' "$1"; }
post() { # post FILE: prints the status (none when the writer died)
	cgi_run "$WEBHOOK_FCGI" POST "$1" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" 2>>"$T/stderr" | cgi_status
}

# 8 articles; then, step by step, the pass that moves article 2 to a
# new slug and a new category (its old slug's and category's files
# removed, the new ones written, the lists rendered), killed at step n,
# and after it a delivery to article 1, whose pass repairs.
mkdir -p "$T/d"
{
	i=1
	while [ $i -le 8 ]; do
		echo "a$i entry.publish $(doc $i) $i c0"
		i=$((i + 1))
	done
	n=1
	while [ $n -le 200 ]; do
		echo "m$n entry.publish $(doc 2) $((100 + 2 * n)) c$n s$n"
		echo "r$n entry.publish $(doc 1) $((101 + 2 * n)) c0"
		n=$((n + 1))
	done
} | python3 "$top_srcdir/tests/gen_delivery.py" --batch "$T/d"
bad=0
for i in 1 2 3 4 5 6 7 8; do
	[ "$(post "$T/d/a$i")" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 "8 articles delivered"

n=1 kills=0 unrepaired=0 used=0
while [ $n -le 200 ]; do
	st=$(SL_FAULT_DIE_IN_RENDER=$n post "$T/d/m$n")
	[ "$st" = 200 ] && break # the pass has fewer steps than n
	kills=$((kills + 1))
	# a manifest a pass would go by (of the pass .seq names) is left
	# only by a complete pass (killed after its last step)
	if [ -f "$S/.manifest" ] && [ "$(cut -d' ' -f3 "$S/.manifest" |
	    head -1)" = "$(cut -d' ' -f1 "$S/.seq")" ] &&
	    ! "$STRAPI_LIVE" static-verify >/dev/null 2>>"$T/stderr"; then
		used=$((used + 1))
		diag "step $n: a manifest names the pass .seq names, files stale"
	fi
	post "$T/d/r$n" >/dev/null
	if ! "$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"; then
		unrepaired=$((unrepaired + 1))
		diag "killed at step $n:"
		sed 's/^/#   /' "$T/verify"
	fi
	n=$((n + 1))
done
[ "$kills" -gt 20 ]
ok $? "the writer was killed at each of the $kills steps of its pass"
is "$used" 0 "none left a manifest a pass would go by but a complete pass"
is "$unrepaired" 0 "after each, the next pass repaired every file"
[ -f "$S/articles/slug=s$n.json" ] && [ -f "$S/articles/category=c$n.json" ] &&
    [ ! -e "$S/articles/slug=s$((n - 1)).json" ]
ok $? "the pass it did not kill moved the article's files"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale"
echo '{}' >"$S/articles/stray.json"
post "$T/d/r$n" >/dev/null
[ -f "$S/articles/stray.json" ]
ok $? "and the next pass went by the manifest (swept nothing)"

! grep -E 'ERROR: AddressSanitizer|runtime error' "$T/stderr" >/dev/null
ok $? "no sanitizer reports on stderr"
done_testing
