#!/bin/sh
# t0900-rich-sync.sh: `strapi-live sync` and sync.fcgi with a schema pull
# the recorded blog app (tests/fake_strapi.py --rich serves its recorded
# REST answers): relations, media, components, dynamic zones, single
# types, both locales and the media library, stored as webhook.fcgi
# stores the 83 recorded deliveries, so that query.fcgi answers the same
# from either store; a sync after the deliveries changes nothing;
# reconciling removes per type and per locale.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
[ -x "$SYNC_FCGI" ] || skip_all "sync.fcgi not built (--disable-sync)"

rich_env

fake_strapi_start --rich

# answer STORE URI: query.fcgi's answer from STORE, as sorted JSON, less
# meta.seq (the store's own change counter, not content).
answer() {
	local uri=$2 qs=""
	case $uri in *\?*) qs=${uri#*\?} ;; esac
	env STRAPI_LIVE_STORE_DIR="$1" REQUEST_METHOD=GET \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI="$uri" QUERY_STRING="$qs" \
	    SCRIPT_NAME="" PATH_INFO="${uri%%\?*}" "$QUERY_FCGI" </dev/null \
	    2>>"$T/stderr" >"$T/resp"
	printf '%s ' "$(cgi_status <"$T/resp")"
	cgi_body <"$T/resp" |
	    python3 -c 'import json,sys
d = json.load(sys.stdin)
if isinstance(d, dict) and isinstance(d.get("meta"), dict):
    d["meta"].pop("seq", None)
print(json.dumps(d, sort_keys=True))'
}

# The 83 recorded deliveries through webhook.fcgi into one store.
export STRAPI_LIVE_STORE_DIR="$T/delivered"
bad=0
for f in "$RICH"/[0-9][0-9]-*.json; do
	case $(deliver_cgi "$f") in 2??) ;; *) bad=$((bad + 1)) ;; esac
done
is "$bad" 0 "the 83 recorded deliveries are taken"

# A sync into an empty store.
export STRAPI_LIVE_STORE_DIR="$T/synced"
"$STRAPI_LIVE" sync --json >"$T/sync1" 2>>"$T/stderr"
ok $? "sync with a schema into an empty store"
is "$(json "$T/sync1" '[(c, v["fetched"], v["upserted"], v["complete"]) for c, v in d["collections"].items()]')" \
    '[["articles", 5, 5, true], ["authors", 1, 1, true], ["categories", 5, 5, true], ["globals", 1, 1, true], ["abouts", 1, 1, true], ["upload/files", 3, 0, true], ["i18n/locales", 2, 1, true]]' \
    "every type, both locales, the single types, the media library and the locales' rows"
is "$(json "$T/sync1" 'd["status"]')" ok "status ok"

# The same answers from both stores, for the recorded requests (lists in
# publishedAt order: ours are newest first by default, Strapi's by id).
asc=
for f in rest-articles.json rest-articles-populate-star.json \
    rest-articles-populate-deep-everything.json \
    rest-articles-populate-blocks-star.json \
    rest-articles-populate-blocks-on-fragments.json \
    rest-articles-populate-cover-author-avatar.json \
    rest-articles-populate-category-fields-name.json \
    rest-articles-fields-title-cover-url.json rest-articles-locale-fr.json \
    rest-articles-locale-star.json rest-articles-filter-slug.json \
    rest-article-by-documentId-populate-star.json \
    rest-article-by-documentId-locale-fr-populate-star.json \
    rest-article-by-documentId-deleted.json \
    rest-authors-populate-star.json rest-categories.json \
    rest-categories-populate-star.json rest-categories-locale-fr.json \
    rest-categories-populate-articles-count.json rest-global.json \
    rest-global-populate-star.json rest-global-populate-seo-shareImage.json \
    rest-about-populate-star.json rest-about-populate-blocks-star.json \
    rest-upload-files.json rest-upload-file-by-id.json; do
	uri=$(json "$RICH/$f" 'd["request"]["path"]')
	case $uri in
	/api/articles\?*|/api/categories\?*) uri="$uri&$asc" ;;
	/api/articles|/api/categories) uri="$uri?$asc" ;;
	esac
	is "$(answer "$T/synced" "$uri")" "$(answer "$T/delivered" "$uri")" \
	    "synced and delivered stores answer the same: $uri"
done

# The locales' own rows, which no delivery carries: Strapi's, as recorded,
# in the synced store (the delivered one can only make them up).
is "$(answer "$T/synced" /api/i18n/locales)" \
    "$(json "$RICH/rest-i18n-locales.json" '"%d %s" % (d["status"], json.dumps(d["body"], sort_keys=True))')" \
    "a sync keeps Strapi's /api/i18n/locales: ids, documentIds, names, times"

# etag STORE URI [IF-NONE-MATCH]: "<status> <ETag>" of query.fcgi's answer.
etag() {
	env STRAPI_LIVE_STORE_DIR="$1" REQUEST_METHOD=GET \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI="$2" QUERY_STRING= \
	    SCRIPT_NAME="" PATH_INFO="$2" ${3:+HTTP_IF_NONE_MATCH="$3"} \
	    "$QUERY_FCGI" </dev/null 2>>"$T/stderr" >"$T/resp"
	printf '%s %s' "$(cgi_status <"$T/resp")" \
	    "$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$T/resp")"
}

# `strapi-live import` of the same recorded answers normalizes them as
# sync and webhook.fcgi do: the same answers as the synced store.
export STRAPI_LIVE_STORE_DIR="$T/imported"
for x in article:rest-articles-populate-deep-everything.json \
    article:rest-articles-locale-fr.json author:rest-authors-populate-star.json \
    category:rest-categories-populate-star.json \
    category:rest-categories-locale-fr.json \
    global:rest-global-populate-seo-shareImage.json \
    about:rest-about-populate-blocks-star.json; do
	check "import ${x#*:}" "$STRAPI_LIVE" import --collection "${x%%:*}" \
	    "$RICH/${x#*:}"
done
for uri in "/api/articles?populate[blocks][populate]=*&$asc" \
    "/api/articles?populate=*&locale=fr&$asc" /api/authors?populate=* \
    "/api/categories?populate=*&$asc" \
    "/api/global?populate[favicon]=true&populate[defaultSeo][populate]=*" \
    "/api/about?populate[blocks][populate]=*" /api/upload/files/1; do
	is "$(answer "$T/imported" "$uri")" "$(answer "$T/synced" "$uri")" \
	    "imported and synced stores answer the same: $uri"
done

# A sync after the deliveries changes no entry; it brings the locales'
# rows the deliveries could not.
export STRAPI_LIVE_STORE_DIR="$T/delivered"
seq0=$("$STRAPI_LIVE" stats | json - 'd["lastSeq"]')
tag0=$(etag "$T/delivered" /api/i18n/locales)
# A FastCGI worker with its answer cache (the default) on the same store,
# asked before the sync and after it.
if lighttpd_start "$(fcgi_entry /api/ "$QUERY_FCGI" 1)"; then
	fcgi_locales() {
		curl -s "http://127.0.0.1:$LIGHTTPD_PORT/api/i18n/locales" |
		    json - 'sorted((e["code"], e["documentId"]) for e in d)'
	}
	before=$(fcgi_locales)
	is "$(fcgi_locales)" "$before" "query.fcgi: the made-up locales, asked twice"
fi
"$STRAPI_LIVE" sync --json >"$T/sync2" 2>>"$T/stderr"
ok $? "sync over the delivered store"
is "$(json "$T/sync2" '[(c, v["upserted"], v["removed"], v["stale"], v["unchanged"] == v["fetched"]) for c, v in d["collections"].items()]')" \
    '[["articles", 0, 0, 0, true], ["authors", 0, 0, 0, true], ["categories", 0, 0, 0, true], ["globals", 0, 0, 0, true], ["abouts", 0, 0, 0, true], ["upload/files", 0, 0, 0, true], ["i18n/locales", 1, 0, 0, false]]' \
    "every entry and file UNCHANGED: nothing written, nothing removed; the locales' rows written"
is "$("$STRAPI_LIVE" stats | json - 'd["lastSeq"]')" "$seq0" \
    "no change recorded"
# The seq did not move, the answer did: its ETag moves with it, and the
# client's old one gets the new rows, not a 304.
tag1=$(etag "$T/delivered" /api/i18n/locales)
is "${tag0%% *} ${tag1%% *} $([ "${tag0#* }" != "${tag1#* }" ] && echo moved)" \
    "200 200 moved" "the locales' ETag moves with their rows, the seq still"
is "$(etag "$T/delivered" /api/i18n/locales "${tag0#* }" | cut -d' ' -f1)" 200 \
    "If-None-Match with the old ETag: 200 with the new rows"
is "$(etag "$T/delivered" /api/i18n/locales "${tag1#* }" | cut -d' ' -f1)" 304 \
    "If-None-Match with the current ETag: 304"
is "$(answer "$T/delivered" /api/i18n/locales)" \
    "$(answer "$T/synced" /api/i18n/locales)" \
    "and the delivered store answers Strapi's rows too"
if [ -n "${LIGHTTPD_PID:-}" ]; then
	is "$(fcgi_locales)" \
	    '[["en", "sg9tu46dvermlnaj1tjrzqmg"], ["fr", "oagyi8g07iugvk26depgp5yn"]]' \
	    "query.fcgi, its answer cache on: Strapi's rows at once, the seq unmoved"
	kill "$LIGHTTPD_PID"
	wait "$LIGHTTPD_PID" 2>/dev/null
	LIGHTTPD_PID=
else
	tap_skip "lighttpd did not start"
fi
"$STRAPI_LIVE" sync --json >"$T/sync2b" 2>>"$T/stderr"
is "$(json "$T/sync2b" 'd["collections"]["i18n/locales"]["unchanged"]')" 1 \
    "the same rows again: unchanged, not written"
# A token that may not read the locales (403): the sync goes on, the rows
# kept stay.
fake_ctl locales_status=403
"$STRAPI_LIVE" sync --json >"$T/sync2c" 2>>"$T/stderr"
is "$(json "$T/sync2c" 'd["status"], d["collections"]["i18n/locales"]["fetched"]')" \
    '["ok", 0]' "locales refused with 403: the sync is ok, nothing fetched"
is "$(answer "$T/delivered" /api/i18n/locales)" \
    "$(answer "$T/synced" /api/i18n/locales)" "the rows kept stay"
fake_ctl locales_status=200

# Reconcile, per locale and per type: the fr row of the first article
# and the single type global are gone upstream.
fake_post '{"plural":"articles","remove":["ps7ajq06b9x40es6l4z2jnsw@fr"],"lose":true}' >/dev/null
fake_post '{"plural":"global","remove":["global"],"lose":true}' >/dev/null
export STRAPI_LIVE_STORE_DIR="$T/synced"
"$STRAPI_LIVE" sync --json >"$T/sync3" 2>>"$T/stderr"
is "$(json "$T/sync3" '[(c, v["removed"]) for c, v in d["collections"].items()]')" \
    '[["articles", 1], ["authors", 0], ["categories", 0], ["globals", 1], ["abouts", 0], ["upload/files", 0], ["i18n/locales", 0]]' \
    "sync removes what Strapi no longer has: one locale, one single type"
a=$(answer "$T/synced" /api/articles/ps7ajq06b9x40es6l4z2jnsw?locale=fr)
is "${a%% *}" 404 "the fr row is gone"
a=$(answer "$T/synced" /api/articles/ps7ajq06b9x40es6l4z2jnsw)
is "${a%% *}" 200 "the en row stays"
a=$(answer "$T/synced" /api/global)
is "${a%% *}" 404 "the single type is gone"

# sync.fcgi takes the schema too.
export STRAPI_LIVE_STORE_DIR="$T/fcgi"
export STRAPI_LIVE_SYNC_SECRET=admin-sync-secret-456
cgi_run "$SYNC_FCGI" POST "" HTTP_AUTHORIZATION="Bearer $STRAPI_LIVE_SYNC_SECRET" \
    >"$T/r" 2>>"$T/stderr"
is "$(cgi_status <"$T/r")" 200 "sync.fcgi: 200"
uri="/api/articles?populate[blocks][populate]=*&$asc"
is "$(answer "$T/fcgi" "$uri")" "$(answer "$T/synced" "$uri")" \
    "sync.fcgi stores what strapi-live sync stores"

# An incomplete delivery ("entry": null, which Strapi can send when the
# row is gone before it reads it back), without strapi_url: refused with
# the reason and kept with its body in the event log, for replay (with
# strapi_url it is re-fetched: t0910).
export STRAPI_LIVE_STORE_DIR="$T/delivered"
printf '%s' '{"event":"entry.publish","createdAt":"2026-12-03T08:20:00.000Z","model":"article","uid":"api::article.article","entry":null}' \
    >"$T/null.body"
cgi_run "$WEBHOOK_FCGI" POST "$T/null.body" CONTENT_TYPE=application/json \
    "HTTP_AUTHORIZATION=Bearer $SECRET" HTTP_X_STRAPI_EVENT=entry.publish STRAPI_URL= \
    >"$T/r" 2>>"$T/stderr"
is "$(cgi_status <"$T/r") $(cgi_body <"$T/r" | json - 'd["error"]["message"]')" \
    "422 entry: null (Strapi could not read the entry back); kept for replay: run a sync, or replay this delivery" \
    "entry: null: 422 with the reason"
is "$("$STRAPI_LIVE" events --failed | tail -n 1 | json - 'd["rawBytes"] > 0')" \
    true "and kept in the event log with its body"

# Without a schema: the old flat sync (no populate, no media library).
unset STRAPI_LIVE_SCHEMA_DIR
export STRAPI_LIVE_COLLECTIONS=article
# (without a schema, the flat settings: the collection's own locales, and no
# category filter, since this app's category is a relation)
export STRAPI_LIVE_COLLECTION_ARTICLE_LOCALES="en fr"
export STRAPI_LIVE_COLLECTION_ARTICLE_CATEGORY_FIELD=
export STRAPI_LIVE_STORE_DIR="$T/flat"
"$STRAPI_LIVE" sync --json >"$T/sync4" 2>>"$T/stderr"
is "$(json "$T/sync4" 'list(d["collections"])')" '["articles"]' \
    "without a schema: the configured collections only, no media library"
a=$(answer "$T/flat" "/api/articles?locale=en&$asc")
is "$(echo "${a#* }" | json - '"cover" in d["data"][0], "blocks" in d["data"][0]')" \
    '[true, true]' "without a schema: entries stored as they came"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr")" 0 \
    "no sanitizer reports on stderr"
done_testing
