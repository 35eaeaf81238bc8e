/* test_store_cseq.c: a collection's and a slug's last change (cseq.c) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/entry_doc.h"
#include "model/entry.h"
#include "util/buf.h"
#include "util/log.h"
#include "store/store.h"
#include "tap.h"

static struct collection article, page;

/* Writes doc of c at version ua with slug (NULL: null); op. */
static enum store_result
put(struct store *st, const struct collection *c, enum store_op op,
    const char *doc, int ua, const char *slug)
{
	char json[512], t[64], sl[80];
	struct json_object *o;
	struct entry e;
	struct store_doc d;
	enum store_result r;
	const char *why;
	uint64_t seq;

	entry_format_time(1700000000000LL + ua * 1000LL, t);
	if (slug != NULL)
		snprintf(sl, sizeof(sl), "\"%s\"", slug);
	snprintf(json, sizeof(json),
	    "{\"id\":1,\"documentId\":\"%s\",\"title\":\"T\",\"slug\":%s,"
	    "\"category\":null,\"createdAt\":\"%s\",\"updatedAt\":\"%s\","
	    "\"publishedAt\":\"%s\"}",
	    doc, slug != NULL ? sl : "null", t, t, t);
	o = entry_parse_json(json, strlen(json), &why);
	entry_init(&e);
	if (o == NULL || entry_from_json(&e, c, o, &why) == -1)
		fatalx("bad test entry: %s", why);
	json_object_put(o);
	entry_doc(&d, &e);
	r = store_apply(st, op, &d, NULL, &seq);
	entry_clear(&e);
	return r;
}

static uint64_t
cseq(struct store *st, const char *coll)
{
	uint64_t s = 999;

	if (store_coll_seq(st, coll, &s) == -1)
		fatalx("store_coll_seq");
	return s;
}

static uint64_t
sseq(struct store *st, const char *slug)
{
	uint64_t s = 999;

	if (store_slug_seq(st, "article", "", slug, &s) == -1)
		fatalx("store_slug_seq");
	return s;
}

static void
coll_init(struct collection *c, const char *name, const char *plural)
{
	c->name = (char *)name;
	c->plural = (char *)plural;
	c->uid = (char *)"api::x.x";
	c->slug_field = (char *)"slug";
	c->category_field = (char *)"category";
}

int
main(void)
{
	struct store *st;
	struct buf json;
	char dir[256], cmd[512];
	uint64_t seq;

	log_init("test_store_cseq", LOG_LEVEL_WARN);
	coll_init(&article, "article", "articles");
	coll_init(&page, "page", "pages");
	tap_tmpdir(dir, sizeof(dir), "sl-cseq");
	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open");
	store_set_durable(st, 0);
	buf_init(&json);

	ok(cseq(st, "article") == 0, "a new store: a collection's seq is 0");
	put(st, &article, STORE_OP_UPSERT, "a", 1, "sa");
	put(st, &article, STORE_OP_UPSERT, "b", 1, "sb");
	put(st, &page, STORE_OP_UPSERT, "p", 1, NULL);
	ok(cseq(st, "article") == 2 && cseq(st, "page") == 3,
	    "each collection's seq is its last change's (2, 3)");
	ok(cseq(st, "other") == 0, "a collection never written: 0");
	ok(sseq(st, "sa") == 1 && sseq(st, "sb") == 2,
	    "each slug's seq is its holder's change");
	ok(store_get(st, "page", "p", "", &json, &seq) == STORE_OK &&
	        store_got_seq(st) == 3 && seq == 3,
	    "store_got_seq: the change that wrote the entry got");
	ok(put(st, &article, STORE_OP_UPSERT, "a", 1, "sa") ==
	            STORE_UNCHANGED &&
	        cseq(st, "article") == 2 && sseq(st, "sa") == 1,
	    "a duplicate changes no seq");
	put(st, &article, STORE_OP_UPSERT, "b", 2, "sa");
	ok(sseq(st, "sa") == 4 && sseq(st, "sb") == 4,
	    "a slug moved: the slug it left and the one it took (4)");
	ok(cseq(st, "article") == 4 && cseq(st, "page") == 3,
	    "its collection's seq, not the other's");
	ok(store_get(st, "article", "a", "", &json, &seq) == STORE_OK &&
	        store_got_seq(st) == 1,
	    "the other entry keeps its own seq (1)");
	ok(store_get_by_slug(st, "article", "", "sb", &json, &seq) ==
	            STORE_NOTFOUND &&
	        store_got_seq(st) == 0,
	    "store_got_seq is 0 when nothing was found");
	put(st, &article, STORE_OP_DELETE, "a", 3, "sa");
	ok(sseq(st, "sa") == 5 && cseq(st, "article") == 5,
	    "a delete: its slug's and its collection's seq (5)");
	ok(store_read_begin(st) == 0, "a snapshot is held");
	put(st, &page, STORE_OP_UPSERT, "p", 2, NULL);
	ok(cseq(st, "page") == 3, "a seq is read in the held snapshot");
	store_read_end(st);
	ok(cseq(st, "page") == 6, "and the write is seen after it");

	buf_clear(&json);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
