#!/bin/sh
# t0710-cli-options.sh: strapi-live's options: global ones, then each
# command's; an unknown or incomplete option is named, with the usage, exit 2.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ -x "$STRAPI_LIVE" ] || skip_all "strapi-live not built"
SL="$STRAPI_LIVE"

# run ARGS...: exit status in $rc, stdout in $T/out, stderr in $T/err
run() {
	"$SL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# --- global options ----------------------------------------------------------
run
is "$rc" 2 "no command: exit 2"
check "no command: the usage on stderr" \
    grep -q '^usage: strapi-live \[--dump-config\] COMMAND' "$T/err"
check "no command: nothing on stdout" test ! -s "$T/out"

run --help
is "$rc" 0 "--help: exit 0"
cmds="backup dump events gen-types import repl-node repl-sites replay stats trim verify"
for c in $cmds; do
	grep -q "^  $c " "$T/out" || diag "--help does not list $c"
done
check "--help lists every command on stdout" sh -c "
	for c in $cmds; do grep -q \"^  \$c \" '$T/out' || exit 1; done"

run --bogus
is "$rc" 2 "an unknown global option: exit 2"
check "it is named" grep -q "^strapi-live: unknown option '--bogus'$" "$T/err"
check "the usage follows on stderr" grep -q '^usage: strapi-live' "$T/err"
check "nothing on stdout" test ! -s "$T/out"

run --dump-config
is "$rc" 0 "--dump-config: exit 0"
check "--dump-config lists the settings" \
    grep -q "^store_dir = $T/store$" "$T/out"

for c in $cmds; do
	run "$c" --help
	[ "$rc" -eq 0 ] && grep -q "^usage: strapi-live $c" "$T/out" ||
	    diag "$c --help: exit $rc"
done
check "every command's --help prints its usage, exit 0" sh -c "
	for c in $cmds; do
		'$SL' \$c --help 2>/dev/null | grep -q \"^usage: strapi-live \$c\" ||
		    exit 1
	done"

# --- a command's options -------------------------------------------------------
run stats
is "$rc" 0 "stats on a new store: exit 0"

run dump --bogus
is "$rc" 2 "dump --bogus: exit 2"
check "the command and the option are named" \
    grep -q "^strapi-live dump: unknown option '--bogus'$" "$T/err"
check "then the command's usage" \
    grep -q '^usage: strapi-live dump \[--collection NAME\]$' "$T/err"

run events --limit
is "$rc" 2 "events --limit without its value: exit 2"
check "the missing value is named" \
    grep -q "^strapi-live events: option '--limit' needs a value$" "$T/err"

run events --limit=1 --failed
is "$rc" 0 "events --limit=1 --failed (--opt=value form): exit 0"

run events --raw=1
is "$rc" 2 "a value to an option without one: exit 2"
check "it is named" \
    grep -q "^strapi-live events: option '--raw=1' takes no value$" "$T/err"

run trim --keep-changes many
is "$rc" 2 "trim --keep-changes many: exit 2"
check "the option and what is wrong are named" \
    grep -q "^strapi-live trim: --keep-changes: invalid$" "$T/err"

run stats extra
is "$rc" 2 "stats takes no operand: exit 2"
check "with its usage" grep -q '^usage: strapi-live stats$' "$T/err"

run verify -q
is "$rc" 2 "verify takes no option: exit 2"
check "it is named" grep -q "^strapi-live verify: unknown option '-q'$" \
    "$T/err"

run gen-types -o
is "$rc" 2 "gen-types -o without FILE: exit 2"
check "the short option is named" \
    grep -q "^strapi-live gen-types: option '-o' needs a value$" "$T/err"

run import --collection nope "$T/none.json"
is "$rc" 2 "import --collection of an unknown collection: exit 2"
check "the collection is named" \
    grep -q "^strapi-live import: no collection 'nope'$" "$T/err"

run backup
is "$rc" 2 "backup without DIR: exit 2"
check "with its usage" grep -q '^usage: strapi-live backup DIR$' "$T/err"

done_testing
