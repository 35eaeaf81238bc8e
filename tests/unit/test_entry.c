/* test_entry.c: entry validation and time parsing, table-driven */
#include "config.h"

#include <string.h>

#include "conf/conf.h"
#include "model/entry.h"
#include "tap.h"

/* clang-format off */
static const struct {
	const char *json;
	int valid;
	const char *name;
} rows[] = {
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"publishedAt\":\"2026-11-22T22:24:19.733Z\",\"slug\":\"s\",\"category\":\"tech\"}", 1, "published entry" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"publishedAt\":null}", 1, "draft entry" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"publishedAt\":\"x\"}", 0, "publishedAt not a time" },
	{ "{\"updatedAt\":\"2026-11-22T22:24:19.716Z\"}", 0, "documentId missing" },
	{ "{\"documentId\":5,\"updatedAt\":\"2026-11-22T22:24:19.716Z\"}", 0, "documentId a number" },
	{ "{\"documentId\":\"\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\"}", 0, "documentId empty" },
	{ "{\"documentId\":\"a/b\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\"}", 0, "documentId with a slash" },
	{ "{\"documentId\":\"a\\u0000b\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\"}", 0, "documentId with NUL" },
	{ "{\"documentId\":\"abc\"}", 0, "updatedAt missing" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":17}", 0, "updatedAt a number" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"slug\":[1]}", 0, "slug an array" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"slug\":null}", 1, "slug null" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"category\":{\"a\":1}}", 0, "category an object" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"slug\":\"a\\nb\"}", 0, "slug with a newline" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"locale\":\"fr\"}", 1, "locale string" },
	{ "{\"documentId\":\"abc\",\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"locale\":7}", 0, "locale a number" },
	{ "[1,2]", 0, "an array, not an object" },
};
static const struct {
	const char *text;
	long long ms;
} times[] = {
	{ "1970-01-01T00:00:00.000Z", 0 },
	{ "2026-11-22T22:24:19.733Z", 1795386259733LL },
	{ "2026-11-22T22:24:19Z", 1795386259000LL },
	{ "2026-11-22T23:24:19.733+01:00", 1795386259733LL },
	{ "2026-11-22T22:24:19.7Z", 1795386259700LL },
	{ "2026-13-22T22:24:19.733Z", -1 },
	{ "2026-11-22 22:24", -1 },
	{ "garbage-garbage-garbage", -1 },
	{ "2026-11-22T22:24:19.733", -1 },
};
/* clang-format on */

int
main(void)
{
	struct collection coll = { 0 };
	struct entry e;
	struct json_object *o;
	const char *why = NULL;
	size_t i;
	char out[64];
	char deep[200];

	coll.name = (char *)"article";
	coll.slug_field = (char *)"slug";
	coll.category_field = (char *)"category";
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		entry_init(&e);
		o = entry_parse_json(rows[i].json, strlen(rows[i].json), &why);
		ok(o != NULL && (entry_from_json(&e, &coll, o, &why) == 0) ==
		    rows[i].valid, "%s is %s", rows[i].name,
		    rows[i].valid ? "accepted" : "rejected");
		json_object_put(o);
		entry_clear(&e);
	}
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		ok(entry_parse_time(times[i].text) == times[i].ms,
		    "time '%s' parses to %lld", times[i].text, times[i].ms);
	entry_format_time(1795386259733LL, out);
	ok(strcmp(out, "2026-11-22T22:24:19.733Z") == 0,
	    "time formats back to Strapi's form");

	o = entry_parse_json(rows[0].json, strlen(rows[0].json), &why);
	entry_init(&e);
	ok(entry_from_json(&e, &coll, o, &why) == 0 &&
	    strcmp(e.slug, "s") == 0 && strcmp(e.category, "tech") == 0 &&
	    e.published_at == 1795386259733LL && strcmp(e.locale, "") == 0,
	    "fields extracted from a published entry");
	json_object_put(o);
	entry_clear(&e);

	ok(entry_parse_json("{\"a\":", 5, &why) == NULL &&
	    strstr(why, "truncated") != NULL, "truncated JSON is reported");
	ok(entry_parse_json("{\"a\":\"\xff\"}", 8, &why) == NULL,
	    "invalid UTF-8 is rejected");
	ok(entry_parse_json("{\"a\":1} x", 9, &why) == NULL,
	    "trailing garbage is rejected");
	ok((o = entry_parse_json("{\"a\":1}\n", 8, &why)) != NULL,
	    "trailing newline is fine");
	json_object_put(o);
	memset(deep, '[', sizeof(deep));
	ok(entry_parse_json(deep, sizeof(deep), &why) == NULL &&
	    strstr(why, "deeply") != NULL, "deep nesting is refused");
	ok(entry_parse_json("{\"a\":\"x\0y\"}", 11, &why) == NULL,
	    "raw NUL byte is refused");
	/*
	 * Duplicate keys are refused: json-c keeps the last, another reader
	 * of the same body may keep the first (Strapi never sends them).
	 */
	ok(entry_parse_json("{\"a\":1,\"a\":2}", 13, &why) == NULL &&
	    strstr(why, "duplicate") != NULL, "duplicate keys are refused");
	ok(entry_parse_json("{\"o\":{\"a\":1,\"b\":[{\"a\":2,\"a\":3}]}}",
	    33, &why) == NULL, "a duplicate key deep inside is refused");
	ok((o = entry_parse_json("{\"a\":\"x:y\\\":\",\"b\":{\"a\":1}}", 26,
	    &why)) != NULL, "colons inside strings and the same key in "
	    "another object are fine");
	json_object_put(o);
	ok(entry_parse_json("{\"a\":\"\xc0\xaf\"}", 10, &why) == NULL &&
	    strstr(why, "UTF-8") != NULL, "overlong UTF-8 is refused");
	ok(entry_parse_json("{\"a\":\"\xed\xa0\x80\"}", 11, &why) == NULL,
	    "an encoded surrogate is refused");
	return tap_done();
}
