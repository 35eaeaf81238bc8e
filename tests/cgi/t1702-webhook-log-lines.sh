#!/bin/sh
# t1702-webhook-log-lines.sh: what an admin reads: time-stamped log lines,
# one distinct line per credential failure (with the client, never the
# value), and an event log in ISO time with no raw byte for the terminal
. "${top_srcdir:-.}/tests/lib.sh"
SL=$STRAPI_LIVE
fixture_body "$FIXTURES/13-entry.publish.json" "$T/pub.json"
hook() { # hook BODYFILE [VAR=VAL...]: status; stderr appended to $T/err
	local b=$1
	shift
	cgi_run "$WEBHOOK_FCGI" POST "$b" CONTENT_TYPE=application/json \
	    REMOTE_ADDR=192.0.2.7 "$@" 2>>"$T/err" | cgi_status
}

is "$(hook "$T/pub.json")" 401 "no Authorization: 401"
is "$(hook "$T/pub.json" HTTP_AUTHORIZATION='Basic c2VjcmV0LXZhbHVl')" 401 "Basic instead of Bearer: 401"
is "$(hook "$T/pub.json" HTTP_AUTHORIZATION='Bearer guessed-value-42')" 401 "wrong secret: 401"
grep -q 'refused (401) from 192.0.2.7: no secret header (Apache passes Authorization to FastCGI only with CGIPassAuth On)' "$T/err"
ok $? "a missing header says so, with the client and the CGIPassAuth hint"
grep -q 'refused (401) from 192.0.2.7: Authorization is not "Bearer <secret>"' "$T/err"
ok $? "a missing Bearer says so"
grep -q 'refused (401) from 192.0.2.7: wrong secret' "$T/err"
ok $? "a wrong secret says so"
ok $(grep -q 'guessed-value-42\|c2VjcmV0LXZhbHVl' "$T/err" && echo 1 || echo 0) "no credential value is logged"
bad=$(grep -cv '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}Z webhook\.fcgi\[[0-9]*\]: ' "$T/err")
is "$bad" 0 "every program line starts with an ISO 8601 UTC time, the program and its pid"

# An authenticated delivery that fails, with a body full of what a
# terminal would act on (ESC, C1, DEL, a right-to-left override, é), and
# an X-Strapi-Event header that is not an event name.
printf '{"event":"entry.publish","model":"no\\u001b[31m","entry":{},"x":"\302\233\177\342\200\256 caf\303\251 \360\237\230\200"}' >"$T/evil.json"
is "$(hook "$T/evil.json" HTTP_AUTHORIZATION="Bearer $SECRET" HTTP_X_STRAPI_EVENT="$(printf 'entry.publish\033]0;owned\007')")" 422 \
    "a model that is not a name: 422"
"$SL" events --raw >"$T/events" 2>/dev/null
ok $(LC_ALL=C grep -q '[^ -~]' "$T/events" && echo 1 || echo 0) "events prints printable ASCII only"
is "$(json "$T/events" 'json.loads(d["raw"])["x"]')" "$(printf '\302\233\177\342\200\256 caf\303\251 \360\237\230\200')" \
    "the kept body round-trips through the escapes"
is "$(json "$T/events" 'd["event"]')" entry.publish "the event name comes from the body"
json "$T/events" 'd["time"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
ok $? "the event log shows ISO 8601 times"
printf '{"event":"entry.publish\\u001b]0;x","model":"article","entry":{}}' >"$T/evil2.json"
is "$(hook "$T/evil2.json" HTTP_AUTHORIZATION="Bearer $SECRET")" 422 "an event that is not a name: 422"
printf '{"event":' >"$T/trunc.json"
is "$(hook "$T/trunc.json" HTTP_AUTHORIZATION="Bearer $SECRET" HTTP_X_STRAPI_EVENT="$(head -c 5000 /dev/zero | tr '\0' x)")" 400 "truncated JSON: 400"
is "$("$SL" events | tail -1 | json - '(d["event"], d["status"])')" '[null, 400]' \
    "a 5000-byte X-Strapi-Event header is not stored"
is "$(hook "$T/trunc.json" HTTP_AUTHORIZATION="Bearer $SECRET" HTTP_X_STRAPI_EVENT=entry.publish)" 400 "truncated JSON again: 400"
is "$("$SL" events | tail -1 | json - 'd["event"]')" entry.publish \
    "an X-Strapi-Event that is an event name is kept"
done_testing
