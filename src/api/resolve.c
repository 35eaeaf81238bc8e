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
 * The related rows a request reads, by (collection, documentId, locale):
 * a list whose 25 entries share a category reads it once. Per request
 * (resolve_memo_begin .. resolve_memo_end), or kept across a process's
 * requests (resolve_cache_new): then the rows are the store's as of the
 * sequence the cache was last brought to, and each request first brings
 * it to the sequence of its own snapshot, dropping the rows the change
 * log names since (all of them when the log no longer holds every change
 * since, or holds more of them than the cache has rows). Bounded in rows
 * and bytes: past them, a request's rows are read again, not kept, and a
 * process's cache starts again empty.
 */
#define MEMO_SLOTS     256 /* a request's, a power of 2 */
#define MEMO_MAX_ROWS  2048
#define MEMO_MAX_BYTES (8u << 20)
#define MEMO_MAX_KEY   512

struct memo_row {
	struct memo_row *next;
	uint32_t hash;
	enum populate_found f; /* FOUND or MISSING */
	size_t key_len, len, plain_len;
	char *key; /* collection NUL documentId NUL locale */
	char *json;
	char *plain; /* json as populate_plain renders it, or NULL */
};

struct resolve_memo {
	struct memo_row **slot;
	size_t mask; /* slots - 1 */
	size_t rows, bytes, max_rows, max_bytes;
	int kept;     /* a process's cache: emptied, not left, when full */
	int synced;   /* seq is set */
	uint64_t seq; /* the store's sequence the rows are of (kept) */
};

static struct resolve_memo *
memo_new(size_t slots, size_t max_rows, size_t max_bytes)
{
	struct resolve_memo *m = xcalloc(1, sizeof(*m));

	m->slot = xcalloc(slots, sizeof(*m->slot));
	m->mask = slots - 1;
	m->max_rows = max_rows;
	m->max_bytes = max_bytes;
	return m;
}

static void
memo_row_free(struct memo_row *r)
{
	free(r->key);
	free(r->json);
	free(r->plain);
	free(r);
}

/* Forgets every row of m. */
static void
memo_empty(struct resolve_memo *m)
{
	struct memo_row *r, *next;
	size_t i;

	for (i = 0; i <= m->mask; i++) {
		for (r = m->slot[i]; r != NULL; r = next) {
			next = r->next;
			memo_row_free(r);
		}
		m->slot[i] = NULL;
	}
	m->rows = m->bytes = 0;
}

static void
memo_free(struct resolve_memo *m)
{
	if (m == NULL)
		return;
	memo_empty(m);
	free(m->slot);
	free(m);
}

/*
 * A process's cache of at most rows related rows and bytes bytes (rows
 * 0: none, NULL).
 */
struct resolve_memo *
resolve_cache_new(size_t rows, size_t bytes)
{
	struct resolve_memo *m;
	size_t slots = 1;

	if (rows == 0)
		return NULL;
	while (slots < rows && slots < ((size_t)1 << 20))
		slots <<= 1;
	m = memo_new(slots, rows, bytes);
	m->kept = 1;
	return m;
}

void
resolve_cache_free(struct resolve_memo *m)
{
	memo_free(m);
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

/* A row's key into key (MEMO_MAX_KEY bytes): its length, or 0. */
static size_t
memo_key(char *key, const char *coll, const char *doc, const char *locale)
{
	size_t cl = strlen(coll), dl = strlen(doc), ll = strlen(locale);

	if (cl + 1 + dl + 1 + ll > MEMO_MAX_KEY)
		return 0;
	memcpy(key, coll, cl + 1);
	memcpy(key + cl + 1, doc, dl + 1);
	memcpy(key + cl + 1 + dl + 1, locale, ll);
	return cl + 1 + dl + 1 + ll;
}

/* The link to key's row in m (*link NULL: none). */
static struct memo_row **
memo_find(struct resolve_memo *m, const char *key, size_t kl, uint32_t h)
{
	struct memo_row **l;

	for (l = &m->slot[h & m->mask]; *l != NULL; l = &(*l)->next)
		if ((*l)->hash == h && (*l)->key_len == kl &&
		    memcmp((*l)->key, key, kl) == 0)
			break;
	return l;
}

/* A change since a cache's seq: the row it names dropped. */
static int
memo_drop(void *arg, const struct store_change *ch)
{
	struct resolve_memo *m = arg;
	struct memo_row **l, *r;
	char key[MEMO_MAX_KEY];
	size_t kl;
	uint32_t h;

	kl = memo_key(key, ch->collection, ch->document_id, ch->locale);
	if (kl > 0) {
		h = memo_hash(key, kl);
		if (*(l = memo_find(m, key, kl, h)) != NULL) {
			r = *l;
			*l = r->next;
			m->rows--;
			m->bytes -= r->len + r->plain_len;
			memo_row_free(r);
		}
	}
	return 0;
}

/*
 * Brings m to the sequence of the snapshot st holds: 0, or -1 when none
 * is held (m is then not to be used by this request).
 */
static int
memo_sync(struct resolve_memo *m, struct store *st)
{
	uint64_t seq;

	if (store_read_seq(st, &seq) == -1)
		return -1;
	if (m->synced && seq == m->seq)
		return 0;
	if (!m->synced || seq < m->seq || seq - m->seq > m->max_rows)
		memo_empty(m);
	else if (store_changes_between(st, m->seq, seq, memo_drop, m) != 0)
		memo_empty(m);
	m->seq = seq;
	m->synced = 1;
	return 0;
}

/*
 * Starts keeping the rows ctx reads (until resolve_memo_end): in ctx's
 * cache when it has one and a snapshot is held, else for this request.
 */
void
resolve_memo_begin(struct resolve_ctx *ctx)
{
	if (ctx->memo != NULL)
		return;
	if (ctx->cache != NULL && memo_sync(ctx->cache, ctx->store) == 0)
		ctx->memo = ctx->cache;
	else
		ctx->memo = memo_new(MEMO_SLOTS, MEMO_MAX_ROWS, MEMO_MAX_BYTES);
}

/* Forgets a request's rows (a cache's are kept). */
void
resolve_memo_end(struct resolve_ctx *ctx)
{
	if (ctx->memo != ctx->cache)
		memo_free(ctx->memo);
	ctx->memo = NULL;
}

/*
 * store_get through the memo when there is one: the stored form of
 * (coll, doc, locale) into out. row (when not NULL): the memo's row, or
 * NULL when not kept; a kept row with its plain form is not copied.
 */
static enum populate_found
get(struct resolve_ctx *ctx, const char *coll, const char *doc,
    const char *locale, struct buf *out, struct memo_row **row)
{
	struct resolve_memo *mm = ctx->memo;
	struct memo_row *m;
	char key[MEMO_MAX_KEY];
	size_t kl;
	enum populate_found f;
	uint32_t h;

	if (row != NULL)
		*row = NULL;
	if (mm == NULL || (kl = memo_key(key, coll, doc, locale)) == 0)
		return found(
		    store_get(ctx->store, coll, doc, locale, out, NULL));
	h = memo_hash(key, kl);
	if ((m = *memo_find(mm, key, kl, h)) != NULL) {
		if (row != NULL)
			*row = m;
		if (m->f == POPULATE_FOUND &&
		    (row == NULL || m->plain == NULL)) {
			buf_reset(out);
			buf_add(out, m->json, m->len);
		}
		return m->f;
	}
	f = found(store_get(ctx->store, coll, doc, locale, out, NULL));
	if (f == POPULATE_ERR || out->len > mm->max_bytes)
		return f;
	if (mm->rows == mm->max_rows || mm->bytes + out->len > mm->max_bytes) {
		if (!mm->kept)
			return f;
		memo_empty(mm);
	}
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
	m->next = mm->slot[h & mm->mask];
	mm->slot[h & mm->mask] = m;
	mm->rows++;
	mm->bytes += m->len;
	if (row != NULL)
		*row = m;
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
entry_at(struct resolve_ctx *ctx, const struct schema_type *t, const char *doc,
    const char *locale, struct buf *out, struct memo_row **row)
{
	const struct collection *c;

	if (row != NULL)
		*row = NULL;
	if ((c = conf_collection_by_uid(ctx->conf, t->uid, NULL)) == NULL)
		return POPULATE_UNSERVED;
	if (!entry_valid_key_string(doc, strlen(doc), ENTRY_MAX_ID))
		return POPULATE_MISSING;
	if (!resolve_localized(c))
		locale = "";
	dep(ctx, c->name, doc, locale);
	return get(ctx, c->name, doc, locale, out, row);
}

static enum populate_found
res_entry(void *arg, const struct schema_type *t, const char *doc,
    const char *locale, struct buf *out)
{
	return entry_at(arg, t, doc, locale, out, NULL);
}

/* The entry's plain form: kept beside its row in the memo. */
static enum populate_found
res_entry_plain(void *arg, const struct schema_type *t, const char *doc,
    const char *locale, struct buf *out)
{
	struct resolve_ctx *ctx = arg;
	struct memo_row *m;
	struct buf b;
	enum populate_found f;
	size_t at = out->len;

	buf_init(&b);
	f = entry_at(ctx, t, doc, locale, &b, &m);
	if (f == POPULATE_FOUND && m != NULL && m->plain != NULL)
		buf_add(out, m->plain, m->plain_len);
	else if (f == POPULATE_FOUND) {
		if (populate_plain(out, t, b.data, b.len) == -1) {
			out->len = at; /* cut back, as the renderer cuts */
			if (out->data != NULL)
				out->data[at] = '\0';
			f = POPULATE_ERR;
		} else if (m != NULL &&
		    ctx->memo->bytes + (out->len - at) <=
		        ctx->memo->max_bytes) {
			m->plain_len = out->len - at;
			m->plain = xmalloc(m->plain_len + 1);
			memcpy(m->plain, out->data + at, m->plain_len);
			ctx->memo->bytes += m->plain_len;
		}
	}
	buf_clear(&b);
	return f;
}

/*
 * id in decimal into out (21 bytes at least), as "%" PRId64 writes it: a
 * media file's key, once per file a page populates, where snprintf was a
 * twentieth of the page's time.
 */
static void
id_key(char *out, int64_t id)
{
	char tmp[24];
	size_t n = 0;
	uint64_t v = id < 0 ? 0 - (uint64_t)id : (uint64_t)id;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (id < 0)
		*out++ = '-';
	while (n > 0)
		*out++ = tmp[--n];
	*out = '\0';
}

static enum populate_found
res_media(void *arg, int64_t id, struct buf *out)
{
	struct resolve_ctx *ctx = arg;
	char doc[32];

	id_key(doc, id);
	dep(ctx, QUERY_MEDIA, doc, "");
	return get(ctx, QUERY_MEDIA, doc, "", out, NULL);
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
	r->entry_plain = res_entry_plain;
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
