/* cmd_import.c: strapi-live import: upsert entries from a Strapi REST file */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "api/entry_doc.h"
#include "api/prog.h"
#include "api/rich.h"
#include "model/entry.h"
#include "model/normalize.h"
#include "util/xmalloc.h"

/*
 * Accepts, in one file (or "-" for stdin):
 *   - a Strapi REST answer: {"data":[…]} or {"data":{…}};
 *   - a recorded fixture: {"request":…,"body":{"data":…}};
 *   - a JSON array of entries;
 *   - JSON lines, one entry per line (what `strapi-live dump` prints).
 * Entries go through store_apply (origin sync) in batches, like a sync
 * page; drafts (publishedAt null) are skipped, since only published
 * versions are stored. An entry of a type the schema describes is
 * normalized and written as a webhook delivery of it is (rich.h): its
 * stored form, references and the media rows of the files it carries (a
 * stored form, as dump prints it, normalizes to itself: normalize_stored).
 */

#define IMPORT_BATCH 500

struct import {
	struct cmd_ctx *ctx;
	const struct collection *coll;
	const struct schema_type *t; /* the schema's type, or NULL: flat */
	struct collection rcoll;     /* coll, with the schema's index fields */
	struct entry batch[IMPORT_BATCH];
	struct norm norm[IMPORT_BATCH];
	struct store_doc doc[IMPORT_BATCH];
	size_t at[IMPORT_BATCH]; /* each entry's write in the batch */
	size_t n;
	size_t upserted, unchanged, stale, drafts, invalid;
	int failed;
};

static int
flush_batch(struct import *im)
{
	struct store_event ev;
	struct rich_batch b;
	enum store_result r;
	size_t i;
	int rc = 0;

	if (im->n == 0)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.origin = STORE_ORIGIN_SYNC;
	ev.event = "import";
	ev.model = im->coll->name;
	ev.status = 200;
	ev.outcome = "imported";
	rich_batch_init(&b);
	for (i = 0; i < im->n; i++) {
		entry_doc(&im->doc[i], &im->batch[i]);
		if (im->t != NULL)
			im->at[i] = rich_batch_add(&b, im->ctx->schema,
			    STORE_OP_UPSERT, &im->doc[i], &im->norm[i]);
		else
			im->at[i] = rich_batch_add_doc(&b, STORE_OP_UPSERT,
			    &im->doc[i]);
	}
	if (store_apply_batch(im->ctx->store, b.w, b.nw, &ev) == -1) {
		im->failed = 1;
		rc = -1;
	} else
		for (i = 0; i < im->n; i++) {
			r = b.w[im->at[i]].result;
			if (r == STORE_OK)
				im->upserted++;
			else if (r == STORE_UNCHANGED)
				im->unchanged++;
			else
				im->stale++;
		}
	rich_batch_clear(&b);
	for (i = 0; i < im->n; i++) {
		entry_clear(&im->batch[i]);
		norm_clear(&im->norm[i]);
	}
	im->n = 0;
	return rc;
}

static int
add_entry(struct import *im, struct json_object *o)
{
	const char *why;
	struct entry *e = &im->batch[im->n];
	struct norm *n = &im->norm[im->n];

	entry_init(e);
	norm_init(n);
	if (entry_from_json(e, im->coll, o, &why) == -1 ||
	    (im->t != NULL &&
	        normalize_stored(n, im->ctx->schema, im->t, o, &why) == -1)) {
		fprintf(stderr, "strapi-live import: entry skipped: %s\n", why);
		entry_clear(e);
		norm_clear(n);
		im->invalid++;
		return 0;
	}
	if (!entry_is_published(e)) {
		entry_clear(e);
		norm_clear(n);
		im->drafts++;
		return 0;
	}
	if (++im->n == IMPORT_BATCH)
		return flush_batch(im);
	return 0;
}

/* Entries of a parsed document (answer, fixture, array or one entry). */
static int
add_document(struct import *im, struct json_object *doc)
{
	struct json_object *v;
	size_t i, n;

	if (json_object_is_type(doc, json_type_object) &&
	    json_object_object_get_ex(doc, "body", &v) && v != NULL &&
	    json_object_object_get_ex(doc, "request", NULL))
		doc = v; /* a recorded fixture */
	if (json_object_is_type(doc, json_type_object) &&
	    json_object_object_get_ex(doc, "data", &v) && v != NULL)
		doc = v;
	if (json_object_is_type(doc, json_type_array)) {
		n = json_object_array_length(doc);
		for (i = 0; i < n; i++)
			if (add_entry(im, json_object_array_get_idx(doc, i)) ==
			    -1)
				return -1;
		return 0;
	}
	return add_entry(im, doc);
}

static int
read_all(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "strapi-live import: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "strapi-live import: %s: read error\n", path);
		rc = -1;
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Parses text as one JSON document, else as JSON lines. */
static int
import_text(struct import *im, const char *text, size_t len)
{
	struct json_object *o;
	const char *why, *p, *nl, *end = text + len;
	size_t lineno = 0;

	if ((o = entry_parse_json(text, len, &why)) != NULL) {
		add_document(im, o);
		json_object_put(o);
		return 0;
	}
	for (p = text; p < end && !im->failed; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (strspn(p, " \t\r") >= (size_t)(nl - p))
			continue;
		if ((o = entry_parse_json(p, (size_t)(nl - p), &why)) == NULL) {
			fprintf(stderr, "strapi-live import: line %zu: %s\n",
			    lineno, why);
			im->invalid++;
			continue;
		}
		add_document(im, o);
		json_object_put(o);
	}
	return 0;
}

int
cmd_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct collection *coll;
	struct import *im;
	struct buf text;
	const char *path;
	int n, rc = CMD_EXIT_OK;

	coll = conf_collection(ctx->conf, 0);
	if ((n = cmd_collection_opt(ctx, argc, argv, &coll)) == -1)
		return CMD_EXIT_USAGE;
	if (n != 1)
		return cmd_usage(ctx);
	path = argv[optind];
	im = xcalloc(1, sizeof(*im));
	im->ctx = ctx;
	im->coll = coll;
	if ((im->t = rich_type(ctx->schema, coll)) != NULL) {
		im->rcoll = *coll;
		rich_index_fields(&im->rcoll, im->t);
		im->coll = &im->rcoll;
	}
	store_set_durable(ctx->store, conf_bool(ctx->conf, CFG_DURABLE));
	prog_set_retention(ctx->conf, ctx->store);
	buf_init(&text);
	if (read_all(path, &text) == -1) {
		rc = CMD_EXIT_USAGE;
		goto out;
	}
	import_text(im, text.data != NULL ? text.data : "", text.len);
	flush_batch(im);
	printf("upserted %zu, unchanged %zu, stale %zu, drafts skipped %zu, "
	       "invalid %zu\n",
	    im->upserted, im->unchanged, im->stale, im->drafts, im->invalid);
	if (im->failed)
		rc = CMD_EXIT_STORE;
	else if (im->invalid > 0)
		rc = CMD_EXIT_FAIL;
out:
	buf_clear(&text);
	free(im);
	return rc;
}
