#!/bin/sh
# t2950-doc-install.sh: the system-administration blocks of docs/operations.md
# ("sh norun": install, the store's directory, the config's owner and mode,
# runuser, the upgrade), which t2900 does not run, are run here into a staging
# root $R: ./configure's directories become make's variables (the tree is
# already built), every absolute path is taken under $R, service managers
# are left out. Then: the config the docs chown is where make install put
# it, the store directory the docs create is the default the installed
# config names, runuser runs the command as the store's owner, and the
# upgrade's make install keeps the operator's config.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MAKE:=make}"
[ "$(id -u)" = 0 ] || skip_all "the blocks are run as root, as the docs say"
id www-data >/dev/null 2>&1 || skip_all "no www-data user"
unset STRAPI_LIVE_STORE_DIR STRAPI_LIVE_WEBHOOK_SECRET
R=$T/root
chmod 755 "$T"

python3 - "$top_srcdir/docs/operations.md" "$T/blocks" <<'PY'
# The "sh norun" blocks of the walk-through, then those of "Which user runs
# strapi-live" (they need the installed tree), one command a line.
import re, sys
text = open(sys.argv[1]).read()
def section(title):
    s = text[text.index("## " + title):]
    return s[:s.index("\n## ", 1)]
with open(sys.argv[2], "w") as out:
    for title in ("A walk-through", "Which user runs"):
        for block in re.findall(r"```sh norun\n(.*?)```", section(title), re.S):
            out.write(block)
PY
[ -s "$T/blocks" ]
ok $? "the walk-through has system-administration blocks"

VARS=
under() { # under ARGS...: each absolute path argument taken under $R
	local a out=
	for a in "$@"; do
		case $a in
		/*) out="$out $R$a" ;;
		*) out="$out $a" ;;
		esac
	done
	echo "$out"
}
n=0
while read -r cmd; do
	[ -n "$cmd" ] || continue
	n=$((n + 1))
	# shellcheck disable=SC2086
	set -- $cmd
	case $1 in
	./configure)
		shift
		p=/usr/local e= l=
		for a in "$@"; do
			case $a in
			--prefix=*) p=${a#*=} ;;
			--sysconfdir=*) e=${a#*=} ;;
			--localstatedir=*) l=${a#*=} ;;
			*) echo "Bail out! unknown configure option $a"; exit 1 ;;
			esac
		done
		SYSCONF=${e:-$p/etc}
		STATE=${l:-$p/var}
		VARS="prefix=$p exec_prefix=$p bindir=$p/bin libexecdir=$p/libexec
		    cgibindir=$p/libexec/strapi-live/cgi-bin sysconfdir=$SYSCONF
		    localstatedir=$STATE datarootdir=$p/share datadir=$p/share
		    mandir=$p/share/man"
		PKGDATA=$p/share/strapi-live
		BIN=$p/bin
		rc=0
		;;
	make)
		if [ $# = 1 ]; then
			rc=0 # built already, by make check
		else
			# shellcheck disable=SC2086
			env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE -C "$top_builddir" \
			    "$2" $VARS DESTDIR="$R" >>"$T/make.log" 2>&1
			rc=$?
		fi
		;;
	install | chown | chmod)
		c=$1
		shift
		# shellcheck disable=SC2046
		"$c" $(under "$@")
		rc=$?
		;;
	runuser)
		# The command, on the staged config and store.
		env STRAPI_LIVE_CONFIG="$R$SYSCONF/strapi-live.conf" \
		    STRAPI_LIVE_STORE_DIR="$R$STATE/lib/strapi-live" \
		    runuser -u "$3" -- "$R$BIN/$5" "$6" >"$T/runuser.out" 2>&1
		rc=$?
		;;
	systemctl) continue ;;
	*) echo "Bail out! no translation for: $cmd"; exit 1 ;;
	esac
	ok $rc "docs: $cmd"
	[ $rc = 0 ] || sed 's/^/# /' "$T/make.log" "$T/runuser.out" 2>/dev/null | tail -10
	# The first install: the operator edits the config, as the docs say.
	if [ "$cmd" = "chmod 600 $SYSCONF/strapi-live.conf" ]; then
		echo "webhook_secret = operator-secret" >>"$R$SYSCONF/strapi-live.conf"
	fi
done <"$T/blocks"
[ "$n" -gt 6 ]
ok $? "every command of the blocks was run ($n)"

conf=$R$SYSCONF/strapi-live.conf
is "$(stat -c '%U %a' "$conf")" "www-data 600" \
    "the config the docs chown is where make install put it: www-data, 0600"
grep -qx "#store_dir = $STATE/lib/strapi-live" "$conf"
ok $? "the config's default store_dir is the directory the docs create"
is "$(stat -c '%U %a' "$R$STATE/lib/strapi-live")" "www-data 700" \
    "that directory: www-data, 0700"
grep -q '"lastSeq":0' "$T/runuser.out"
ok $? "runuser -u www-data -- strapi-live stats reads the store"
is "$(find "$R$STATE/lib/strapi-live" -type f ! -user www-data | wc -l)" 0 \
    "the store's files are www-data's"
grep -q "^FcgidInitialEnv STRAPI_LIVE_CONFIG $SYSCONF/strapi-live.conf$" \
    "$R$PKGDATA/examples/apache-fcgid.conf"
ok $? "the installed examples name that config"
grep -q operator-secret "$conf"
ok $? "the upgrade's make install kept the operator's config"
done_testing
