/* sse.c: Server-Sent Events framing and Last-Event-ID parsing (pure) */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/sse.h"

/*
 * Appends one event: "id:" (when id is not 0), "event:" (when not NULL),
 * one "data:" line per line of data, and the blank line that dispatches
 * it. CR, LF and CRLF in data all end a line, as the SSE parser reads
 * them, so no payload can inject fields. Can't fail.
 */
void
sse_event(struct buf *b, uint64_t id, const char *event, const char *data,
    size_t len)
{
	size_t i, start = 0;

	if (id != 0)
		buf_printf(b, "id: %" PRIu64 "\n", id);
	if (event != NULL)
		buf_printf(b, "event: %s\n", event);
	for (i = 0; i <= len; i++) {
		if (i < len && data[i] != '\n' && data[i] != '\r')
			continue;
		buf_adds(b, "data: ");
		buf_add(b, data + start, i - start);
		buf_addc(b, '\n');
		if (i + 1 < len && data[i] == '\r' && data[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	buf_addc(b, '\n');
}

/* Appends a comment line (": text"), which clients ignore: a heartbeat. */
void
sse_comment(struct buf *b, const char *text)
{
	size_t n = strcspn(text, "\r\n");

	buf_adds(b, ": ");
	buf_add(b, text, n);
	buf_adds(b, "\n\n");
}

/* Appends the reconnection-delay field. */
void
sse_retry(struct buf *b, unsigned ms)
{

	buf_printf(b, "retry: %u\n\n", ms);
}

/*
 * Appends the JSON of one change:
 * {"seq":N,"op":"upsert"|"remove","collection":"<plural>",
 * "documentId":"…","locale":"…","entry":{…}|null}. The stored entry JSON
 * is spliced in as is. plural names the collection as the REST routes
 * do; NULL uses the model name from the change.
 */
void
sse_change_json(struct buf *b, const struct store_change *ch,
    const char *plural)
{
	const char *coll = plural != NULL ? plural : ch->collection;

	buf_printf(b,
	    "{\"seq\":%" PRIu64 ",\"op\":\"%s\",\"collection\":", ch->seq,
	    ch->op == STORE_OP_UPSERT ? "upsert" : "remove");
	buf_add_json_string(b, coll, strlen(coll));
	buf_adds(b, ",\"documentId\":");
	buf_add_json_string(b, ch->document_id, strlen(ch->document_id));
	buf_adds(b, ",\"locale\":");
	buf_add_json_string(b, ch->locale, strlen(ch->locale));
	buf_adds(b, ",\"entry\":");
	if (ch->op == STORE_OP_UPSERT && ch->json != NULL && ch->json_len > 0)
		buf_add(b, ch->json, ch->json_len);
	else
		buf_adds(b, "null");
	buf_addc(b, '}');
}

/* Appends the SSE frame of a change: id = seq, event = upsert|remove. */
void
sse_change_event(struct buf *b, const struct store_change *ch,
    const char *plural)
{
	struct buf d;

	buf_init(&d);
	sse_change_json(&d, ch, plural);
	sse_event(b, ch->seq, ch->op == STORE_OP_UPSERT ? "upsert" : "remove",
	    d.data, d.len);
	buf_clear(&d);
}

/*
 * Appends "event: reset": the resume point was trimmed from the change
 * log (or is from another store), so the client must refetch. Its id is
 * the newest seq, from which the stream continues.
 */
void
sse_reset_event(struct buf *b, uint64_t seq)
{
	char d[64];
	int n;

	n = snprintf(d, sizeof(d), "{\"seq\":%" PRIu64 "}", seq);
	sse_event(b, seq, "reset", d, (size_t)n);
}

/*
 * Parses a Last-Event-ID (or lastEventId) value: decimal digits only,
 * surrounding blanks allowed, at most 2^63-1. Returns 0 and sets *id, or
 * -1 for anything else (the caller then starts from now).
 */
int
sse_parse_id(const char *s, uint64_t *id)
{
	uint64_t v = 0;
	int digits = 0;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v >
		    (UINT64_C(0x7fffffffffffffff) - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		digits++;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (digits == 0 || digits > 19 || *s != '\0')
		return -1;
	*id = v;
	return 0;
}
