/* sync_schema.c: what a schema adds: a type's populate, the media library */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/rich.h"
#include "model/normalize.h"
#include "util/log.h"
#include "upstream/seen.h"
#include "upstream/strapi.h"
#include "upstream/sync_int.h"
#include "util/xmalloc.h"

/* The media library, as the store keeps it (rich.h). */
static char files_name[] = RICH_MEDIA_COLLECTION;
static char files_plural[] = "upload/files";
const struct collection sync_files_coll = {
	.name = files_name,
	.plural = files_plural,
};

/* Strapi's locales (the i18n plugin's own rows), as the result names them. */
static char locales_name[] = "i18n-locale";
static char locales_plural[] = "i18n/locales";
const struct collection sync_locales_coll = {
	.name = locales_name,
	.plural = locales_plural,
};

/* What a locale row must have to be served: a code and a name (strings). */
static int
locale_row_ok(struct json_object *row)
{
	struct json_object *v;
	size_t n;

	if (!json_object_is_type(row, json_type_object) ||
	    !json_object_object_get_ex(row, "code", &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n > RICH_LOCALE_MAX)
		return 0;
	return json_object_object_get_ex(row, "name", &v) &&
	    json_object_is_type(v, json_type_string);
}

/*
 * The locales pass: Strapi's /api/i18n/locales (a bare array of the
 * i18n plugin's rows: id, documentId, name, code, isDefault, times),
 * which no delivery carries, kept whole in the store for query.fcgi's
 * /api/i18n/locales (blob RICH_LOCALES_BLOB). A Strapi that does not let
 * the token read it (403) or has no i18n plugin (404) leaves what the
 * store kept: query.fcgi then answers from the configured codes. Returns
 * 0, or -1 when the pass failed (counted incomplete).
 */
int
sync_run_locales(struct sync_pass *p)
{
	const char *name = RICH_LOCALES_BLOB, *text;
	struct json_object *root = NULL;
	enum strapi_status s;
	struct buf kept;
	size_t i, n, len;
	int r, rc = 0;

	s = strapi_get_json(p->api, "/api/i18n/locales", &root);
	if (s == STRAPI_ERR_AUTH ||
	    (s == STRAPI_ERR_HTTP && strapi_last_status(p->api) == 404)) {
		log_info("sync: %s: Strapi answered %ld; the locales' own rows "
		         "are not kept (the token, or the Public role without "
		         "one, needs i18n's listLocales)",
		    sync_where(p), strapi_last_status(p->api));
		return 0;
	}
	if (s != STRAPI_OK) {
		log_warnx("sync: GET %s: %s", sync_where(p),
		    strapi_why(p->api));
		p->c->complete = 0;
		return -1;
	}
	n = json_object_is_type(root, json_type_array)
	    ? json_object_array_length(root)
	    : 0;
	for (i = 0; i < n; i++)
		if (!locale_row_ok(json_object_array_get_idx(root, (int)i)))
			break;
	if (n == 0 || i < n) {
		log_warnx("sync: %s: not an array of locales with a code and "
		          "a name; nothing kept",
		    sync_where(p));
		p->c->invalid++;
		p->c->complete = 0;
		json_object_put(root);
		return -1;
	}
	p->c->fetched = n;
	text = json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	buf_init(&kept);
	r = store_blob_get(p->store, name, &kept);
	if (r == 0 && kept.len == len && memcmp(kept.data, text, len) == 0)
		p->c->unchanged = 1;
	else if (r == -1 ||
	    (!p->o->dry_run &&
	        store_blob_set(p->store, &name, &text, &len, 1) == -1)) {
		sync_fail(p->res, SYNC_STORE,
		    "the store failed while writing %s", sync_where(p));
		p->c->complete = 0;
		rc = -1;
	} else
		p->c->upserted = 1;
	buf_clear(&kept);
	json_object_put(root);
	return rc;
}

/*
 * The media library pass: /api/upload/files (one bare array, no pages)
 * into media rows, as media.* deliveries store them; a file Strapi no
 * longer lists is deleted, as media.delete does. Returns as run_pass.
 */
int
sync_run_files(struct sync_pass *p)
{
	struct strapi_page pg;
	struct norm_media *m;
	struct store_doc *docs;
	char(*ids)[24];
	struct rich_batch b;
	enum strapi_status s;
	const char *why;
	size_t n, i, k = 0;
	int rc = 0;

	if (store_last_seq(p->store, &p->start_seq) == -1) {
		sync_fail(p->res, SYNC_STORE, "the store could not be read");
		return -1;
	}
	if ((s = strapi_get_files(p->api, &pg)) != STRAPI_OK) {
		sync_fail(p->res, sync_status_of(s), "GET %s: %s",
		    sync_where(p), strapi_why(p->api));
		return -1;
	}
	n = json_object_array_length(pg.data);
	m = xcalloc(n + 1, sizeof(*m));
	docs = xcalloc(n + 1, sizeof(*docs));
	ids = xcalloc(n + 1, sizeof(*ids));
	rich_batch_init(&b);
	for (i = 0; i < n; i++) {
		if (normalize_media(&m[k],
		        json_object_array_get_idx(pg.data, (int)i),
		        &why) == -1) {
			p->c->invalid++;
			p->incomplete = 1;
			log_warnx("sync: %s: [%zu]: %s; nothing will be pruned",
			    sync_where(p), i, why);
			continue;
		}
		rich_media_doc(&docs[k], &m[k], ids[k]);
		seen_add(&p->seen, ids[k]);
		rich_batch_add_doc(&b, STORE_OP_UPSERT, &docs[k]);
		k++;
	}
	p->c->fetched += n;
	if (sync_apply(p, b.w, b.nw) == -1)
		rc = -1;
	for (i = 0; i < b.nw && rc == 0; i++)
		rc = sync_count(p, b.w[i].result);
	(void)seen_finish(&p->seen);
	if (rc == 0 && !p->incomplete && !p->o->no_prune)
		rc = sync_reconcile(p);
	if (p->incomplete)
		p->c->complete = 0;
	if (rc == -1)
		sync_fail(p->res, SYNC_STORE,
		    "the store failed while writing %s", sync_where(p));
	rich_batch_clear(&b);
	for (i = 0; i < k; i++)
		norm_media_clear(&m[i]);
	free(m);
	free(docs);
	free(ids);
	strapi_page_clear(&pg);
	return rc;
}

/* Appends s to b, percent-encoding all but letters, digits, "_" and "-". */
static void
add_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
			buf_addc(b, *s);
		else
			buf_printf(b, "%%%02X", (unsigned char)*s);
	}
}

/*
 * The populate query for a type: every relation and media one level (a
 * relation's target as documentId and locale, a media's file objects),
 * and every component and dynamic zone with populate=* inside, which
 * reaches the relations and media of their components (what a webhook
 * payload carries). NULL when the type has nothing to populate.
 */
char *
sync_populate_query(const struct schema_type *t)
{
	const struct schema_attr *a;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < t->nattrs; i++) {
		a = &t->attrs[i];
		if (a->private ||
		    (a->kind == SCHEMA_RELATION && a->target[0] == '\0') ||
		    a->kind == SCHEMA_SCALAR)
			continue;
		if (b.len > 0)
			buf_addc(&b, '&');
		buf_adds(&b, "populate%5B");
		add_escaped(&b, a->name);
		if (a->kind == SCHEMA_COMPONENT ||
		    a->kind == SCHEMA_DYNAMICZONE)
			buf_adds(&b, "%5D%5Bpopulate%5D=*");
		else
			buf_adds(&b, "%5D=true");
	}
	if (b.len == 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Sets up p for one (collection, locale) of co, as the schema has it. */
void
sync_pass_init(struct sync_pass *p, struct collection *rcoll,
    const struct collection *co, const struct sync_opts *o)
{
	p->coll = co;
	p->gone_op = STORE_OP_REMOVE;
	p->whole = co->single;
	if ((p->t = rich_type(o->schema, co)) != NULL) {
		*rcoll = *co;
		rich_index_fields(rcoll, p->t);
		p->coll = rcoll;
	}
}
