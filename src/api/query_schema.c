/* query_schema.c: single types, upload/files and i18n/locales (a schema) */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/error.h"
#include "api/query_int.h"
#include "api/resolve.h"
#include "api/rich.h"
#include "util/fnv.h"
#include "util/xmalloc.h"

/* The first item of a list (a single type has one entry at most). */
static int
first_item(void *arg, const struct store_item *it)
{
	struct buf *json = arg;

	buf_add(json, it->json, it->json_len);
	return 1;
}

/*
 * A single type: {"data":{…},"meta":{"seq":N}} (Strapi's meta is empty;
 * seq is ours, as on every envelope), or 404 when none is stored.
 */
void
query_do_single(struct req_state *s)
{
	struct store_list_query lq;
	struct buf json;
	enum store_result res = STORE_OK;
	uint64_t total, seq = 0;

	buf_init(&json);
	memset(&lq, 0, sizeof(lq));
	lq.collection = s->m.coll->name;
	lq.locale = query_locale_of(s);
	lq.limit = 1;
	query_reads_begin(s);
	if (store_list(s->ctx->store, &lq, first_item, &json, &total, &seq) ==
	    -1)
		res = STORE_ERR;
	else if (json.len == 0)
		res = STORE_NOTFOUND;
	/* its collection's seq: a single type's one entry and what else */
	query_single(s, res, &json, 0, NULL);
	query_reads_end(s);
	buf_clear(&json);
}

/* A media row as REST gives it: the file, and "isUrlSigned": false. */
static void
file_row(struct buf *out, const char *json, size_t len)
{
	while (len > 0 && json[len - 1] != '}')
		len--;
	if (len < 2) {
		buf_adds(out, "null");
		return;
	}
	buf_add(out, json, len - 1);
	buf_adds(out,
	    len > 2 ? ",\"isUrlSigned\":false}" : "\"isUrlSigned\":false}");
}

struct files {
	struct {
		int64_t id;
		char *json;
		size_t len;
	} * row;
	size_t n, cap;
};

static int
file_item(void *arg, const struct store_item *it)
{
	struct files *f = arg;

	if (f->n == f->cap) {
		f->cap = f->cap > 0 ? 2 * f->cap : 16;
		f->row = xreallocarray(f->row, f->cap, sizeof(*f->row));
	}
	f->row[f->n].id = strtoll(it->document_id, NULL, 10);
	f->row[f->n].json = xstrndup(it->json, it->json_len);
	f->row[f->n++].len = it->json_len;
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* upload/files: every media row, by id, as a bare array (R6). */
void
query_do_files(struct req_state *s)
{
	struct files f;
	uint64_t seq;
	size_t i;

	memset(&f, 0, sizeof(f));
	if (store_last_seq(s->ctx->store, &seq) == -1 ||
	    store_iter_entries(s->ctx->store, QUERY_MEDIA, file_item, &f) ==
	        -1) {
		query_answer_error(s, 503, "The store is unavailable");
		goto out;
	}
	if (f.n > 0)
		qsort(f.row, f.n, sizeof(*f.row), file_cmp);
	http_resp_json(s->r, 200);
	buf_addc(&s->r->body, '[');
	for (i = 0; i < f.n; i++) {
		if (i > 0)
			buf_addc(&s->r->body, ',');
		file_row(&s->r->body, f.row[i].json, f.row[i].len);
	}
	buf_addc(&s->r->body, ']');
	query_cache_headers(s, seq);
out:
	for (i = 0; i < f.n; i++)
		free(f.row[i].json);
	free(f.row);
}

/* upload/files/<id>: one media row, a bare object, or 404. */
void
query_do_file(struct req_state *s)
{
	struct buf json;
	enum store_result res = STORE_NOTFOUND;
	uint64_t seq = 0;
	size_t i;

	buf_init(&json);
	for (i = 0;
	     i < s->m.arg_len && s->m.arg[i] >= '0' && s->m.arg[i] <= '9'; i++)
		;
	if (i == s->m.arg_len && i > 0 && i < 20)
		res = store_get(s->ctx->store, QUERY_MEDIA, s->m.arg, "", &json,
		    &seq);
	else if (store_last_seq(s->ctx->store, &seq) == -1)
		res = STORE_ERR;
	if (res == STORE_ERR)
		query_answer_error(s, 503, "The store is unavailable");
	else if (res != STORE_OK) {
		strapi_error(s->r, 404, NULL, "Not Found", NULL);
		query_cache_headers(s, seq);
	} else {
		http_resp_json(s->r, 200);
		file_row(&s->r->body, json.data, json.len);
		query_cache_headers(s, seq);
	}
	buf_clear(&json);
}

/* Language names for i18n/locales ("English (en)"), the common ones. */
static const struct {
	const char *code, *name;
} languages[] = {
	{ "ar", "Arabic" },
	{ "cs", "Czech" },
	{ "da", "Danish" },
	{ "de", "German" },
	{ "el", "Greek" },
	{ "en", "English" },
	{ "es", "Spanish" },
	{ "fi", "Finnish" },
	{ "fr", "French" },
	{ "he", "Hebrew" },
	{ "hi", "Hindi" },
	{ "hu", "Hungarian" },
	{ "id", "Indonesian" },
	{ "it", "Italian" },
	{ "ja", "Japanese" },
	{ "ko", "Korean" },
	{ "nl", "Dutch" },
	{ "pl", "Polish" },
	{ "pt", "Portuguese" },
	{ "ro", "Romanian" },
	{ "ru", "Russian" },
	{ "sk", "Slovak" },
	{ "sv", "Swedish" },
	{ "th", "Thai" },
	{ "tr", "Turkish" },
	{ "uk", "Ukrainian" },
	{ "vi", "Vietnamese" },
	{ "zh", "Chinese" },
};

/*
 * The locales the deliveries can tell: every locale a collection is
 * configured with, the first localized collection's default first, as
 * Strapi's bare array (R6). What only Strapi knows is made up the same
 * way each time: id is the position (1, 2, ...), documentId the code,
 * the times null, and the name "<Language> (<code>)" for common
 * languages, else the code.
 */
static void
made_up_locales(const struct conf *conf, struct buf *b)
{
	const struct collection *c;
	const char *seen[QUERY_MAX_SEGS], *name;
	char label[128];
	size_t i, j, k, n = 0, nc = conf_ncollections(conf);

	for (i = 0; i < nc; i++) {
		c = conf_collection(conf, i);
		for (j = 0; resolve_localized(c) && j < c->nlocales; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(seen[k], c->locales[j]) == 0)
					break;
			if (k == n && n < QUERY_MAX_SEGS)
				seen[n++] = c->locales[j];
		}
	}
	buf_addc(b, '[');
	for (k = 0; k < n; k++) {
		name = NULL;
		for (i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
			if (strcmp(languages[i].code, seen[k]) == 0)
				name = languages[i].name;
		buf_printf(b, "%s{\"id\":%zu,\"documentId\":", k > 0 ? "," : "",
		    k + 1);
		buf_add_json_string(b, seen[k], strlen(seen[k]));
		if (name != NULL)
			snprintf(label, sizeof(label), "%s (%s)", name,
			    seen[k]);
		else
			snprintf(label, sizeof(label), "%s", seen[k]);
		buf_adds(b, ",\"name\":");
		buf_add_json_string(b, label, strlen(label));
		buf_adds(b, ",\"code\":");
		buf_add_json_string(b, seen[k], strlen(seen[k]));
		buf_printf(b,
		    ",\"createdAt\":null,\"updatedAt\":null,"
		    "\"publishedAt\":null,\"isDefault\":%s}",
		    k == 0 ? "true" : "false");
	}
	buf_addc(b, ']');
}

/*
 * i18n/locales: Strapi's own rows when a sync kept them
 * (RICH_LOCALES_BLOB), else the ones made up from the configuration. The
 * answer changes without the store's seq moving (a sync that brought new
 * locales and no entry, a configuration edited), so its ETag names the
 * seq and a hash of the body (64-bit FNV-1a: a validator, not a secret),
 * the route is kept out of the answer cache and of the seq's early 304
 * (query.c), and If-None-Match is answered here.
 */
void
query_do_locales(struct req_state *s)
{
	const char *inm = http_req_header(s->req, "If-None-Match");
	struct buf *b = &s->r->body;
	uint64_t seq, h;
	char tag[64];
	int r;

	if (store_last_seq(s->ctx->store, &seq) == -1 ||
	    (r = store_blob_get(s->ctx->store, RICH_LOCALES_BLOB, b)) == -1) {
		buf_reset(b);
		query_answer_error(s, 503, "The store is unavailable");
		return;
	}
	if (r == 1)
		made_up_locales(s->ctx->conf, b);
	h = fnv1a(FNV1A_INIT, b->data, b->len);
	snprintf(tag, sizeof(tag), "%" PRIu64 "-%016" PRIx64, seq, h);
	http_resp_json(s->r, 200);
	query_cache_headers_tag(s, seq, tag);
	if (inm != NULL && query_etag_matches(inm, tag)) {
		s->r->status = 304;
		s->r->note = "304";
		buf_reset(b);
	}
}
