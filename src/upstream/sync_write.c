/* sync_write.c: a pass's writes: a page of entries into the store, counted */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/entry_doc.h"
#include "api/rich.h"
#include "model/entry.h"
#include "model/normalize.h"
#include "util/log.h"
#include "upstream/seen.h"
#include "upstream/strapi.h"
#include "upstream/sync_int.h"
#include "util/xmalloc.h"

void
sync_fail(struct sync_result *r, enum sync_status s, const char *fmt, ...)
{
	va_list ap;

	if (r->error != NULL)
		return;
	r->status = s;
	va_start(ap, fmt);
	if (vasprintf(&r->error, fmt, ap) < 0)
		fatalx("vasprintf");
	va_end(ap);
}

int
sync_apply(struct sync_pass *p, struct store_write *w, size_t n)
{
	if (n == 0)
		return 0;
	if (p->o->dry_run)
		return store_apply_batch_dry(p->store, w, n);
	/* No event record: an unchanged page must write nothing at all. */
	return store_apply_batch(p->store, w, n, NULL);
}

const char *
sync_where(const struct sync_pass *p)
{
	return strapi_last_url(p->api);
}

/* Counts a written entry's result. -1: the store failed it. */
int
sync_count(struct sync_pass *p, enum store_result r)
{
	switch (r) {
	case STORE_OK:
		p->c->upserted++;
		break;
	case STORE_UNCHANGED:
		p->c->unchanged++;
		break;
	case STORE_STALE:
		p->c->stale++;
		break;
	default:
		return -1;
	}
	return 0;
}

/*
 * Validates and writes one page. An entry of a type the schema describes
 * is normalized and written as a webhook delivery of it is (rich.h), with
 * the media rows it carries. Returns 0, or -1 (store failed).
 */
int
sync_store_page(struct sync_pass *p, const struct strapi_page *pg)
{
	size_t n = json_object_array_length(pg->data), i, k = 0;
	struct entry *e = xcalloc(n > 0 ? n : 1, sizeof(*e));
	struct norm *nm = xcalloc(n > 0 ? n : 1, sizeof(*nm));
	size_t *at = xcalloc(n > 0 ? n : 1, sizeof(*at));
	struct store_doc *doc = xcalloc(n > 0 ? n : 1, sizeof(*doc));
	struct json_object *o;
	struct rich_batch b;
	const char *why;
	int rc = 0;

	rich_batch_init(&b);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(pg->data, (int)i);
		entry_init(&e[k]);
		norm_init(&nm[k]);
		if (entry_from_json(&e[k], p->coll, o, &why) == -1 ||
		    (p->t != NULL &&
		        normalize_entry(&nm[k], p->o->schema, p->t, o, &why) ==
		            -1)) {
			p->c->invalid++;
			p->incomplete = 1;
			log_warnx("sync: %s: data[%zu]: %s; nothing will be "
			          "pruned",
			    sync_where(p), i, why);
			entry_clear(&e[k]);
			norm_clear(&nm[k]);
			continue;
		}
		seen_add(&p->seen, e[k].document_id);
		if (!entry_is_published(&e[k])) {
			/* A draft (status=draft is never asked): not public. */
			entry_clear(&e[k]);
			norm_clear(&nm[k]);
			continue;
		}
		if (p->locale[0] != '\0' &&
		    strcmp(e[k].locale, p->locale) != 0) {
			/* Types without a locale key in the answer. */
			free(e[k].locale);
			e[k].locale = xstrdup(p->locale);
		}
		entry_doc(&doc[k], &e[k]);
		if (p->t != NULL)
			at[k] = rich_batch_add(&b, p->o->schema,
			    STORE_OP_UPSERT, &doc[k], &nm[k]);
		else
			at[k] =
			    rich_batch_add_doc(&b, STORE_OP_UPSERT, &doc[k]);
		k++;
	}
	p->c->fetched += n;
	if (sync_apply(p, b.w, b.nw) == -1) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < k; i++)
		if (sync_count(p, b.w[at[i]].result) == -1)
			rc = -1;
out:
	rich_batch_clear(&b);
	for (i = 0; i < k; i++) {
		entry_clear(&e[i]);
		norm_clear(&nm[i]);
	}
	free(e);
	free(nm);
	free(at);
	free(doc);
	return rc;
}

enum sync_status
sync_status_of(enum strapi_status s)
{
	switch (s) {
	case STRAPI_OK:
		return SYNC_OK;
	case STRAPI_ERR_AUTH:
		return SYNC_AUTH;
	case STRAPI_ERR_PARSE:
		return SYNC_BAD_ANSWER;
	case STRAPI_ERR_NET:
	case STRAPI_ERR_HTTP:
		break;
	}
	return SYNC_UPSTREAM;
}
