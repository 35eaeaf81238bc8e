/* populate_resolve.c: the renderer's calls to the resolver: the lookup budget, the rows it gives */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "api/populate.h"
#include "api/populate_int.h"
#include "model/jscan.h"

/* 1 when a lookup may be made (and counts it against the budget). */
int
populate_lookup(struct render *rd)
{
	size_t *b = rd->r->budget;

	if (b == NULL)
		return 1;
	if (*b == 0) {
		rd->over = 1;
		return 0;
	}
	(*b)--;
	return 1;
}

/*
 * The object at the start of json, trailing blanks cut: 0, or -1 when it
 * does not look like one. Stored bytes are not checked further before
 * they are spliced (as a list without populate splices them); what is
 * walked is checked as it is walked.
 */
int
populate_object_at(const char *json, size_t len, struct jspan *o)
{
	const char *p = jscan_ws(json, json + len), *e = json + len;

	while (e > p &&
	    (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	if (e - p < 2 || *p != '{' || e[-1] != '}')
		return -1;
	o->p = p;
	o->n = (size_t)(e - p);
	return 0;
}

/* What a resolver appended to b as a row: 1, or 0 (failed if bad). */
int
populate_resolved(struct render *rd, enum populate_found f, const struct buf *b,
    struct jspan *row)
{
	if (f == POPULATE_ERR)
		rd->failed = 1;
	if (f != POPULATE_FOUND)
		return 0;
	if (b->data == NULL || populate_object_at(b->data, b->len, row) == -1) {
		rd->failed = 1;
		return 0;
	}
	return 1;
}

/* filter_fetch_fn through the resolver: a relation filter's related row. */
int
populate_fetch(void *arg, const char *uid, const char *doc, const char *locale,
    struct buf *out)
{
	struct render *rd = arg;
	const struct schema_type *t = schema_type(rd->schema, uid);
	enum populate_found f;

	if (t == NULL || !populate_lookup(rd))
		return 0;
	f = rd->r->entry(rd->r->arg, t, doc, locale, out);
	return f == POPULATE_FOUND ? 1 : f == POPULATE_ERR ? -1 : 0;
}
