#!/bin/sh
# t2000-install.sh: make install DESTDIR=... lays out the programs, the
# config (kept when it exists), www/, the examples and a man page for each
# program; make uninstall removes them again
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
inst() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE -C "$top_builddir" \
	    "$@" DESTDIR="$T/inst" >>"$T/install.log" 2>&1
}
inst install
ok $? "make install DESTDIR= succeeds"
I_BIN=$T/inst$SL_BINDIR
I_CGI=$T/inst$SL_CGIBINDIR
I_ETC=$T/inst$SL_SYSCONFDIR
I_DATA=$T/inst$SL_PKGDATADIR
I_MAN=$T/inst$SL_MANDIR

progs=
for p in webhook query events sync; do
	[ -x "$top_builddir/cgi-bin/$p.fcgi" ] || continue
	progs="$progs $p.fcgi"
	[ -x "$I_CGI/$p.fcgi" ]
	ok $? "$p.fcgi in the cgi-bin directory"
done
for p in strapi-live strapi-live-push; do
	[ -x "$top_builddir/src/$p" ] || continue
	progs="$progs $p"
	[ -x "$I_BIN/$p" ]
	ok $? "$p in bindir"
done
for p in $progs; do
	[ -f "$I_MAN/man8/$p.8" ]
	ok $? "man page for $p"
done
[ -f "$I_MAN/man5/strapi-live.conf.5" ]
ok $? "strapi-live.conf(5)"
if command -v man >/dev/null 2>&1; then
	MANPATH=$I_MAN man -P cat webhook.fcgi 2>/dev/null | grep -q 'query.fcgi'
	ok $? "man webhook.fcgi shows the page of the web programs"
fi
is "$(stat -c %a "$I_ETC/strapi-live.conf")" 600 "strapi-live.conf installed 0600"
cmp -s "$I_ETC/strapi-live.conf" "$I_DATA/examples/strapi-live.conf"
ok $? "it is the commented example"
# One default: the installed config's commented store_dir is the one the
# programs use, and the unit's ReadWritePaths.
def=$(env -u STRAPI_LIVE_STORE_DIR STRAPI_LIVE_CONFIG="$I_ETC/strapi-live.conf" \
    "$I_BIN/strapi-live" --dump-config 2>/dev/null | sed -n 's/^store_dir = //p')
is "$(sed -n 's/^#store_dir = //p' "$I_ETC/strapi-live.conf")" "$def" \
    "the config's commented store_dir is the real default ($def)"
is "$(sed -n 's/^ReadWritePaths=//p' "$I_DATA/examples/strapi-live-push.service")" \
    "$def" "the unit's ReadWritePaths is that directory"
for f in strapi-live.js strapi-live.d.ts demo/index.html demo/app.js; do
	[ -f "$I_DATA/www/$f" ]
	ok $? "www/$f installed"
done
for f in lighttpd.conf apache-fcgid.conf apache-proxy-fcgi.conf nginx.conf \
    shared-hosting.htaccess spawn-fcgi.sh strapi-live-push.service; do
	[ -f "$I_DATA/examples/$f" ]
	ok $? "example $f installed"
done
# Everything lands in a configured directory (sysconfdir may be outside
# the prefix: --prefix=/usr --sysconfdir=/etc).
out=$(find "$T/inst" -type f | grep -v -e "^$T/inst$SL_BINDIR/" \
    -e "^$T/inst$SL_CGIBINDIR/" -e "^$T/inst$SL_SYSCONFDIR/" \
    -e "^$T/inst$SL_PKGDATADIR/" -e "^$T/inst$SL_MANDIR/" | head -3)
is "$out" "" "DESTDIR staging: nothing outside the configured directories"

echo "webhook_secret = operator-edited" >>"$I_ETC/strapi-live.conf"
inst install
grep -q operator-edited "$I_ETC/strapi-live.conf"
ok $? "a second install keeps the operator's config"
inst uninstall
ok $? "make uninstall succeeds"
[ -f "$I_ETC/strapi-live.conf" ]
ok $? "uninstall keeps an edited config"
is "$(find "$T/inst" -type f | grep -v strapi-live.conf$ | wc -l)" 0 \
    "uninstall removes everything else"
rm -f "$I_ETC/strapi-live.conf"
inst install && inst uninstall
is "$(find "$T/inst" -type f | wc -l)" 0 "an unchanged config is removed too"
done_testing
