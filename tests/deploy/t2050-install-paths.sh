#!/bin/sh
# t2050-install-paths.sh: make install writes the configured paths into the
# installed examples and config. Installed as README's --prefix=/usr
# --sysconfdir=/etc would, but with make's variables (prefix=/opt/...,
# sysconfdir outside the prefix, localstatedir), into DESTDIR: every path
# the examples name is one of those directories, none is the default
# prefix's, and make uninstall with the same variables removes everything.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
P=/opt/strapi-live-t2050
E=/etc/opt/strapi-live-t2050
V=/var/opt/strapi-live-t2050
# configure's MULTIWATCH (where multiwatch is), as make's variable
MW=/opt/multiwatch-t2050/bin/multiwatch
inst() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE -C "$top_builddir" "$@" \
	    prefix=$P exec_prefix=$P sysconfdir=$E localstatedir=$V \
	    bindir=$P/bin libexecdir=$P/libexec datarootdir=$P/share \
	    datadir=$P/share mandir=$P/share/man \
	    cgibindir=$P/libexec/strapi-live/cgi-bin MULTIWATCH=$MW \
	    DESTDIR="$T/inst" \
	    >>"$T/install.log" 2>&1
}
inst install
ok $? "make install with another prefix, sysconfdir outside it"
X=$T/inst$P/share/strapi-live/examples
[ -f "$T/inst$E/strapi-live.conf" ]
ok $? "the config is in that sysconfdir"
out=$(grep -l '/usr/local' "$X"/* "$T/inst$E/strapi-live.conf" | head -3)
is "$out" "" "no example names the default prefix's paths"

grep -q "^FcgidInitialEnv STRAPI_LIVE_CONFIG $E/strapi-live.conf$" "$X/apache-fcgid.conf" &&
    grep -q "^Alias /api $P/libexec/strapi-live/cgi-bin/query.fcgi$" "$X/apache-fcgid.conf" &&
    grep -q "^<Directory $P/libexec/strapi-live/cgi-bin>$" "$X/apache-fcgid.conf" &&
    grep -q "^Alias /strapi-live/ $P/share/strapi-live/www/$" "$X/apache-fcgid.conf"
ok $? "apache-fcgid.conf: the configured cgi-bin, config and www paths"
grep -q "^CGIBIN=$P/libexec/strapi-live/cgi-bin$" "$X/spawn-fcgi.sh" &&
    grep -q "^export STRAPI_LIVE_CONFIG=$E/strapi-live.conf$" "$X/spawn-fcgi.sh"
ok $? "spawn-fcgi.sh: the configured paths"
grep -q "^ExecStart=$P/bin/strapi-live-push$" "$X/strapi-live-push.service" &&
    grep -q "^Environment=STRAPI_LIVE_CONFIG=$E/strapi-live.conf$" "$X/strapi-live-push.service" &&
    grep -q "^ReadWritePaths=$V/lib/strapi-live$" "$X/strapi-live-push.service"
ok $? "the unit: ExecStart, STRAPI_LIVE_CONFIG and ReadWritePaths"
grep -q "\"bin-path\" => \"$MW -f 2 -r 1000 -s TERM -- $P/libexec/strapi-live/cgi-bin/webhook.fcgi\"" "$X/lighttpd.conf" &&
    grep -q "\"bin-path\" => \"$MW -f 4 -r 1000 -s TERM -- $P/libexec/strapi-live/cgi-bin/query.fcgi\"" "$X/lighttpd-static.conf"
ok $? "lighttpd.conf, lighttpd-static.conf: the configured multiwatch and bin-path"
grep -q "alias $P/share/strapi-live/www/;" "$X/nginx.conf"
ok $? "nginx.conf: the configured www path"
is "$(sed -n 's/^#store_dir = //p' "$T/inst$E/strapi-live.conf")" "$V/lib/strapi-live" \
    "the config's store_dir is \$localstatedir/lib/strapi-live"

inst uninstall
ok $? "make uninstall with the same variables"
is "$(find "$T/inst" -type f | wc -l)" 0 "it removes everything it installed"
done_testing
