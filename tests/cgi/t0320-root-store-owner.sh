#!/bin/sh
# t0320-root-store-owner.sh: every strapi-live command run as root against a
# store that belongs to the web programs' user runs as that user: the store
# keeps only that user's files, and webhooks still succeed afterwards. A
# missing store is created for the owner of the configuration; a program of
# the wrong user refuses at once, naming the user to run as and files
# another user left behind.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v setpriv >/dev/null 2>&1 || skip_all "setpriv not installed"
U=
for u in www-data nobody; do
	id "$u" >/dev/null 2>&1 && { U=$u; break; }
done
[ -n "$U" ] || skip_all "no www-data or nobody user"
G=$(id -gn "$U")
chmod 755 "$T"
install -d -o "$U" -g "$G" -m 700 "$T/store"
install -d -o "$U" -g "$G" -m 755 "$T/backups"
# $U runs copies of the programs: the build tree may lie in a directory
# only root may enter (a clone in a mktemp -d directory).
install -d -m 755 "$T/bin"
install -m 755 "$STRAPI_LIVE" "$T/bin/strapi-live"
install -m 755 "$WEBHOOK_FCGI" "$T/bin/webhook.fcgi"
SL=$T/bin/strapi-live
WEBHOOK_FCGI=$T/bin/webhook.fcgi

as_u() {
	setpriv --reuid="$U" --regid="$G" --init-groups "$@"
}
hook() { # hook FIXTURE: deliver a recorded webhook as CGI, as $U
	fixture_body "$FIXTURES/$1" "$T/body"
	chmod 644 "$T/body"
	as_u env REQUEST_METHOD=POST CONTENT_LENGTH="$(wc -c <"$T/body")" \
	    GATEWAY_INTERFACE=CGI/1.1 CONTENT_TYPE=application/json \
	    HTTP_AUTHORIZATION="Bearer $SECRET" "$WEBHOOK_FCGI" \
	    <"$T/body" 2>>"$T/hook.err" | cgi_status
}
foreign() { # files in the store that are not $U's
	find "$T/store" ! -user "$U" | head -3
}

is "$(hook 04-entry.publish.json)" 200 "a webhook as $U creates the store"
is "$(foreign)" "" "the store holds only $U's files"

# Every command, as root (as an administrator or a cron line runs them).
"$SL" stats >"$T/stats.json" 2>"$T/err"
ok $? "stats as root exits 0"
json "$T/stats.json" 'd["collections"]["articles"]["entries"]' | grep -qx 1
ok $? "stats as root reads the store"
check "verify as root" "$SL" verify
"$SL" dump >"$T/dump.jsonl" 2>>"$T/err"
ok $? "dump as root exits 0"
is "$(wc -l <"$T/dump.jsonl")" 1 "dump as root prints the entry"
check "events as root" "$SL" events
check "trim as root" "$SL" trim --keep-changes 100 --keep-events 100
check "replay --all as root" "$SL" replay --all
chmod 644 "$T/dump.jsonl"
check "import as root" "$SL" import "$T/dump.jsonl"
check "backup as root into a directory of $U" "$SL" backup "$T/backups/snap"
is "$(find "$T/backups/snap" ! -user "$U" | head -3)" "" \
    "the backup copy belongs to $U"
STRAPI_URL=http://127.0.0.1:9 STRAPI_LIVE_STRAPI_TIMEOUT=1 \
    "$SL" sync >/dev/null 2>&1
is $? 4 "sync as root (Strapi unreachable) exits 4, and touches nothing"
check "gen-types as root (no store)" "$SL" gen-types
is "$(foreign)" "" "after every command as root, the store holds only $U's files"
is "$(hook 13-entry.publish.json)" 200 "a webhook as $U still succeeds"
is "$(as_u "$SL" dump | wc -l)" 2 "and $U reads both entries"

# A store that does not exist yet: root creates it for the owner of the
# configuration (the web programs' user, who must read it).
printf 'webhook_secret = %s\n' "$SECRET" >"$T/strapi-live.conf"
chmod 600 "$T/strapi-live.conf"
chown "$U:$G" "$T/strapi-live.conf"
STRAPI_LIVE_CONFIG=$T/strapi-live.conf STRAPI_LIVE_STORE_DIR=$T/new \
    "$SL" stats >/dev/null 2>"$T/new.err"
ok $? "stats as root on a missing store, config owned by $U: exits 0"
is "$(stat -c '%U %a' "$T/new")" "$U 700" "the store is created for $U, mode 0700"
is "$(find "$T/new" ! -user "$U" | head -3)" "" "with only $U's files"
# With no config file (or root's), the setup is root's, and so the store.
STRAPI_LIVE_STORE_DIR=$T/rootnew "$SL" stats >/dev/null 2>&1
is "$(stat -c %U "$T/rootnew")" root "no config file: root's store"

# A program of another user refuses at once, and names the user.
mkdir -m 700 "$T/rootstore"
start=$(date +%s)
out=$(as_u env STRAPI_LIVE_STORE_DIR="$T/rootstore" "$SL" stats 2>&1)
is $? 3 "$U on root's store: exit 3"
[ $(($(date +%s) - start)) -lt 3 ]
ok $? "at once (no retries)"
case $out in
*"belongs to root"*"runuser -u root"*) ok 0 "the message names the owner" ;;
*) ok 1 "the message names the owner"; diag "$out" ;;
esac

# A file another user left in the store (an older version run as root).
touch "$T/store/log.0000000099"
out=$(hook 15-entry.publish.json)
[ "$out" != 200 ]
ok $? "a webhook refuses a store holding root's file"
grep -q "log.0000000099 belongs to root.*chown -R $U $T/store" "$T/hook.err"
ok $? "the log names the file and the chown that gives it back"
rm -f "$T/store/log.0000000099"
is "$(hook 15-entry.publish.json)" 200 "after the chown the webhook succeeds"
done_testing
