/* resolve.c: populate's resolver over the store (entries, media, referrers) */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"
#include "api/resolve.h"
#include "model/entry.h"
#include "util/xmalloc.h"

/*
 * What api/populate.c reaches through struct populate_resolver, read from
 * the store: an entry by (type, documentId, locale), a media row
 * (upload.file) by id, the locales a type is served in, and the referrer
 * index. Shared by query.fcgi and the sidecar's live queries, which also
 * listen (dep) to what a render read, to re-render when it changes.
 */

/* 1 when the collection is served in locales (not just ""). */
int
resolve_localized(const struct collection *c)
{
	return !(c->nlocales == 1 && c->locales[0][0] == '\0');
}

static enum populate_found
found(enum store_result r)
{
	return r == STORE_OK ? POPULATE_FOUND
	    : r == STORE_ERR ? POPULATE_ERR
	                     : POPULATE_MISSING;
}

/*
 * The rows one request read, by (collection, documentId, locale): a list
 * whose 25 entries share a category reads it once. Per request only
 * (resolve_memo_begin .. resolve_memo_end), so a change is seen by the
 * next request; bounded in rows and bytes (past them, rows are read
 * again, not kept).
 */
#define MEMO_SLOTS     256 /* a power of 2 */
#define MEMO_MAX_ROWS  2048
#define MEMO_MAX_BYTES (8u << 20)
#define MEMO_MAX_KEY   512

struct memo_row {
	struct memo_row *next;
	uint32_t hash;
	enum populate_found f; /* FOUND or MISSING */
	size_t key_len, len;
	char *key; /* collection NUL documentId NUL locale */
	char *json;
};

struct resolve_memo {
	struct memo_row *slot[MEMO_SLOTS];
	size_t rows, bytes;
};

/* Starts keeping the rows ctx reads (until resolve_memo_end). */
void
resolve_memo_begin(struct resolve_ctx *ctx)
{
	if (ctx->memo == NULL)
		ctx->memo = xcalloc(1, sizeof(*ctx->memo));
}

/* Forgets them. */
void
resolve_memo_end(struct resolve_ctx *ctx)
{
	struct memo_row *m, *next;
	size_t i;

	if (ctx->memo == NULL)
		return;
	for (i = 0; i < MEMO_SLOTS; i++)
		for (m = ctx->memo->slot[i]; m != NULL; m = next) {
			next = m->next;
			free(m->key);
			free(m->json);
			free(m);
		}
	free(ctx->memo);
	ctx->memo = NULL;
}

/* FNV-1a */
static uint32_t
memo_hash(const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

/*
 * store_get through the memo when there is one: the stored form of
 * (coll, doc, locale) into out.
 */
static enum populate_found
get(struct resolve_ctx *ctx, const char *coll, const char *doc,
    const char *locale, struct buf *out)
{
	struct resolve_memo *mm = ctx->memo;
	struct memo_row *m;
	char key[MEMO_MAX_KEY];
	size_t cl = strlen(coll), dl = strlen(doc), ll = strlen(locale), kl;
	enum populate_found f;
	uint32_t h;

	kl = cl + 1 + dl + 1 + ll;
	if (mm == NULL || kl > sizeof(key))
		return found(
		    store_get(ctx->store, coll, doc, locale, out, NULL));
	memcpy(key, coll, cl + 1);
	memcpy(key + cl + 1, doc, dl + 1);
	memcpy(key + cl + 1 + dl + 1, locale, ll);
	h = memo_hash(key, kl);
	for (m = mm->slot[h & (MEMO_SLOTS - 1)]; m != NULL; m = m->next)
		if (m->hash == h && m->key_len == kl &&
		    memcmp(m->key, key, kl) == 0) {
			if (m->f == POPULATE_FOUND) {
				buf_reset(out);
				buf_add(out, m->json, m->len);
			}
			return m->f;
		}
	f = found(store_get(ctx->store, coll, doc, locale, out, NULL));
	if (f == POPULATE_ERR || mm->rows == MEMO_MAX_ROWS ||
	    mm->bytes + out->len > MEMO_MAX_BYTES)
		return f;
	m = xcalloc(1, sizeof(*m));
	m->hash = h;
	m->f = f;
	m->key_len = kl;
	m->key = xmalloc(kl);
	memcpy(m->key, key, kl);
	if (f == POPULATE_FOUND) {
		m->len = out->len;
		m->json = xmalloc(out->len + 1);
		memcpy(m->json, out->data, out->len);
	}
	m->next = mm->slot[h & (MEMO_SLOTS - 1)];
	mm->slot[h & (MEMO_SLOTS - 1)] = m;
	mm->rows++;
	mm->bytes += out->len;
	return f;
}

static void
dep(const struct resolve_ctx *ctx, const char *coll, const char *doc,
    const char *locale)
{
	if (ctx->dep != NULL)
		ctx->dep(ctx->dep_arg, coll, doc, locale);
}

static size_t
res_locales(void *arg, const struct schema_type *t, const char *const **ls)
{
	struct resolve_ctx *ctx = arg;
	const struct collection *c;

	if ((c = conf_collection_by_uid(ctx->conf, t->uid, NULL)) == NULL)
		return 0;
	*ls = (const char *const *)c->locales;
	return c->nlocales;
}

static enum populate_found
res_entry(void *arg, const struct schema_type *t, const char *doc,
    const char *locale, struct buf *out)
{
	struct resolve_ctx *ctx = arg;
	const struct collection *c;

	if ((c = conf_collection_by_uid(ctx->conf, t->uid, NULL)) == NULL)
		return POPULATE_UNSERVED;
	if (!entry_valid_key_string(doc, strlen(doc), ENTRY_MAX_ID))
		return POPULATE_MISSING;
	if (!resolve_localized(c))
		locale = "";
	dep(ctx, c->name, doc, locale);
	return get(ctx, c->name, doc, locale, out);
}

static enum populate_found
res_media(void *arg, int64_t id, struct buf *out)
{
	struct resolve_ctx *ctx = arg;
	char doc[32];

	snprintf(doc, sizeof(doc), "%" PRId64, id);
	dep(ctx, QUERY_MEDIA, doc, "");
	return get(ctx, QUERY_MEDIA, doc, "", out);
}

struct ref_walk {
	const char *coll, *attr;
	struct buf *out;
	size_t n;
};

static int
ref_item(void *arg, const char *coll, const char *doc, const char *locale,
    const char *attr)
{
	struct ref_walk *w = arg;

	if (strcmp(coll, w->coll) != 0 || strcmp(attr, w->attr) != 0)
		return 0;
	buf_adds(w->out, w->n++ > 0 ? ",{\"documentId\":" : "{\"documentId\":");
	buf_add_json_string(w->out, doc, strlen(doc));
	if (*locale != '\0') {
		buf_adds(w->out, ",\"locale\":");
		buf_add_json_string(w->out, locale, strlen(locale));
	}
	buf_addc(w->out, '}');
	return 0;
}

/* The entries of type from whose attribute attr refers to the target. */
static enum populate_found
res_referrers(void *arg, const struct schema_type *t, const char *doc,
    const char *locale, const struct schema_type *from, const char *attr,
    struct buf *out)
{
	struct resolve_ctx *ctx = arg;
	const struct collection *c, *fc;
	struct ref_walk w;

	if ((c = conf_collection_by_uid(ctx->conf, t->uid, NULL)) == NULL ||
	    (fc = conf_collection_by_uid(ctx->conf, from->uid, NULL)) == NULL)
		return POPULATE_UNSERVED;
	w.coll = fc->name;
	w.attr = attr;
	w.out = out;
	w.n = 0;
	/* any entry of from may start or stop referring to the target */
	dep(ctx, fc->name, NULL, "");
	buf_addc(out, '[');
	if (store_referrers(ctx->store, c->name, doc,
	        resolve_localized(c) ? locale : "", ref_item, &w) == -1)
		return POPULATE_ERR;
	buf_addc(out, ']');
	return POPULATE_FOUND;
}

/*
 * Sets r up to read from store with conf's collections through ctx
 * (which must outlive r; its dep is left NULL), budget lookups at most
 * (NULL: no bound). Can't fail.
 */
void
resolve_init(struct populate_resolver *r, struct resolve_ctx *ctx,
    const struct conf *conf, struct store *st, size_t *budget)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->conf = conf;
	ctx->store = st;
	memset(r, 0, sizeof(*r));
	r->arg = ctx;
	r->entry = res_entry;
	r->media = res_media;
	r->locales = res_locales;
	r->referrers = res_referrers;
	r->budget = budget;
}

/*
 * A filter's related entry (filter_fetch_fn's terms) from the store: the
 * entry of type uid, documentId doc, in locale (ignored for a type
 * without locales). *coll (when not NULL) is its collection, or NULL.
 * Returns 1 found, 0 not stored or not served, -1 the store failed.
 */
int
resolve_get_uid(const struct conf *conf, struct store *st, const char *uid,
    const char *doc, const char *locale, struct buf *out,
    const struct collection **coll)
{
	const struct collection *c;
	enum store_result r;
	uint64_t seq;

	if (coll != NULL)
		*coll = NULL;
	if ((c = conf_collection_by_uid(conf, uid, NULL)) == NULL ||
	    !entry_valid_key_string(doc, strlen(doc), ENTRY_MAX_ID))
		return 0;
	if (coll != NULL)
		*coll = c;
	r = store_get(st, c->name, doc, resolve_localized(c) ? locale : "", out,
	    &seq);
	return r == STORE_OK ? 1 : r == STORE_ERR ? -1 : 0;
}
