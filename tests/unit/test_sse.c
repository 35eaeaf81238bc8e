/* test_sse.c: SSE framing and Last-Event-ID parsing */
#include "config.h"

#include <string.h>

#include "util/buf.h"
#include "api/sse.h"
#include "tap.h"

static int
frame_is(uint64_t id, const char *event, const char *data, const char *want)
{
	struct buf b;
	int r;

	buf_init(&b);
	sse_event(&b, id, event, data, strlen(data));
	r = strcmp(b.data, want) == 0;
	if (!r)
		tap_diag("got [%s]", b.data);
	buf_clear(&b);
	return r;
}

int
main(void)
{
	struct store_change ch;
	struct buf b;
	uint64_t v = 7;

	ok(frame_is(3, "upsert", "{\"a\":1}",
	    "id: 3\nevent: upsert\ndata: {\"a\":1}\n\n"), "one-line event");
	ok(frame_is(0, NULL, "x", "data: x\n\n"), "no id, no event name");
	ok(frame_is(1, "m", "a\nb\r\nc\rd",
	    "id: 1\nevent: m\ndata: a\ndata: b\ndata: c\ndata: d\n\n"),
	    "newlines in data become separate data lines (no injection)");
	ok(frame_is(0, NULL, "", "data: \n\n"), "empty data");

	ok(sse_parse_id("42", &v) == 0 && v == 42, "plain id parses");
	ok(sse_parse_id(" 9 ", &v) == 0 && v == 9, "blanks around id");
	ok(sse_parse_id("", &v) == -1, "empty id refused");
	ok(sse_parse_id("12a", &v) == -1, "trailing junk refused");
	ok(sse_parse_id("-1", &v) == -1, "negative refused");
	ok(sse_parse_id("99999999999999999999", &v) == -1, "overflow refused");
	ok(sse_parse_id("9223372036854775807", &v) == 0, "largest id parses");
	ok(sse_parse_id("9223372036854775808", &v) == -1, "2^63 refused");
	ok(sse_parse_id(NULL, &v) == -1, "NULL refused");

	memset(&ch, 0, sizeof(ch));
	ch.seq = 5;
	ch.op = STORE_OP_UPSERT;
	ch.collection = "article";
	ch.document_id = "d\"1";
	ch.locale = "";
	ch.json = "{\"title\":\"t\"}";
	ch.json_len = strlen(ch.json);
	buf_init(&b);
	sse_change_json(&b, &ch, "articles");
	ok(strcmp(b.data, "{\"seq\":5,\"op\":\"upsert\",\"collection\":"
	    "\"articles\",\"documentId\":\"d\\\"1\",\"locale\":\"\","
	    "\"entry\":{\"title\":\"t\"}}") == 0, "change JSON, escaped id");
	buf_reset(&b);
	ch.op = STORE_OP_REMOVE;
	ch.json = NULL;
	sse_change_event(&b, &ch, NULL);
	ok(strncmp(b.data, "id: 5\nevent: remove\ndata: {\"seq\":5,\"op\":"
	    "\"remove\",\"collection\":\"article\"", 67) == 0 &&
	    strstr(b.data, "\"entry\":null}\n\n") != NULL,
	    "remove frame: entry null, model name without plural");
	buf_reset(&b);
	sse_reset_event(&b, 77);
	ok(strcmp(b.data, "id: 77\nevent: reset\ndata: {\"seq\":77}\n\n") == 0,
	    "reset frame carries the newest seq as id");
	buf_reset(&b);
	sse_comment(&b, "hb\nevil");
	ok(strcmp(b.data, ": hb\n\n") == 0, "comment cut at newline");
	buf_reset(&b);
	sse_retry(&b, 2000);
	ok(strcmp(b.data, "retry: 2000\n\n") == 0, "retry field");
	buf_clear(&b);
	return tap_done();
}
