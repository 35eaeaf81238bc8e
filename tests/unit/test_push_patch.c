/* test_push_patch.c: a live query's result as a patch of the last one */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "model/patch.h"
#include "tap.h"

/* The patch of old -> nw as a string ("-1" when none). */
static const char *
patch(const char *old, const char *nw)
{
	static char out[4096];
	struct buf b;

	buf_init(&b);
	if (push_patch_build(old, strlen(old), nw, strlen(nw), &b) == -1) {
		buf_clear(&b);
		return "-1";
	}
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data);
	buf_clear(&b);
	return out;
}

/* The member key of the object s as a string ("-1" when none). */
static const char *
member(const char *s, const char *key)
{
	static char out[256];
	size_t off, len;

	if (push_patch_member(s, strlen(s), key, &off, &len) == -1)
		return "-1";
	snprintf(out, sizeof(out), "%.*s", (int)len, s + off);
	return out;
}

int
main(void)
{
	static const char env[] =
	    "{\"data\":[{\"meta\":{\"pagination\":1},\"t\":\"\\\"data\\\"\"},"
	    "{\"x\":[]}],\"meta\":{\"pagination\":{\"page\":2,"
	    "\"nextCursor\":null},\"seq\":7}}";
	char big[8192];
	size_t n = 0;
	int i;

	ok(strcmp(patch("[{\"a\":1},{\"b\":2}]", "[{\"a\":1},{\"b\":3}]"),
	       "[0,{\"b\":3}]") == 0,
	    "one entry changed: the other is an index");
	ok(strcmp(patch("[{\"a\":1},{\"b\":2}]",
	              "[{\"c\":0},{\"a\":1},{\"b\":2}]"),
	       "[{\"c\":0},0,1]") == 0,
	    "an entry inserted first: the old ones move");
	ok(strcmp(patch("[{\"a\":1},{\"b\":2},{\"c\":3}]",
	              "[{\"a\":1},{\"c\":3}]"),
	       "[0,2]") == 0,
	    "an entry removed");
	ok(strcmp(patch("[{\"s\":\"],{\\\"x\\\":[1,2]}\"},{\"b\":[{}]}]",
	              "[{\"s\":\"],{\\\"x\\\":[1,2]}\"},{\"b\":[{},1]}]"),
	       "[0,{\"b\":[{},1]}]") == 0,
	    "brackets, commas and escaped quotes inside strings and nesting");
	ok(strcmp(patch("[ {\"a\":1} , {\"b\":2} ]", "[{\"a\":1}]"), "[0]") ==
	        0,
	    "white space around elements");
	ok(strcmp(patch("[{\"a\":1}]", "[{\"b\":2}]"), "-1") == 0,
	    "nothing kept: no patch");
	ok(strcmp(patch("[]", "[{\"b\":2}]"), "-1") == 0,
	    "from an empty result: no patch");
	ok(strcmp(patch("{\"a\":1}", "[{\"a\":1}]"), "-1") == 0,
	    "not an array: no patch");
	ok(strcmp(patch("[{\"a\":1}", "[{\"a\":1}]"), "-1") == 0,
	    "truncated: no patch");
	big[n++] = '[';
	for (i = 0; i <= PUSH_PATCH_MAX; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s{\"i\":%d}",
		    i > 0 ? "," : "", i);
	big[n++] = ']';
	big[n] = '\0';
	ok(strcmp(patch(big, big), "-1") == 0,
	    "more than PUSH_PATCH_MAX entries: no patch");
	ok(strcmp(member(env, "data"),
	       "[{\"meta\":{\"pagination\":1},\"t\":\"\\\"data\\\"\"},"
	       "{\"x\":[]}]") == 0,
	    "member: the data array of a list envelope");
	ok(strcmp(member(env, "meta"),
	       "{\"pagination\":{\"page\":2,\"nextCursor\":null},\"seq\":7}") ==
	        0,
	    "member: meta, not the one nested in an entry");
	ok(strcmp(member(member(env, "meta"), "pagination"),
	       "{\"page\":2,\"nextCursor\":null}") == 0,
	    "member: meta.pagination");
	ok(strcmp(member(member(env, "meta"), "seq"), "7") == 0,
	    "member: a number last in its object");
	ok(strcmp(member(env, "dat"), "-1") == 0 &&
	        strcmp(member("{ \"a\" : 1 , \"data\" : [ ] }", "data"),
	            "[ ]") == 0,
	    "member: names match whole; white space around");
	ok(strcmp(member("[1]", "data"), "-1") == 0 &&
	        strcmp(member("{\"data\":[1}", "data"), "-1") == 0 &&
	        strcmp(member("{}", "data"), "-1") == 0,
	    "member: not an object, truncated, or absent: none");
	ok(push_patch_count(member(env, "data"), strlen(member(env, "data"))) ==
	            2 &&
	        push_patch_count("[]", 2) == 0 &&
	        push_patch_count("[1,", 3) == -1,
	    "count: the entries of an array");
	return tap_done();
}
