/* test_store_key.c: key order and value layout round trips */
#include "config.h"

#include <string.h>

#include "api/entry_doc.h"
#include "model/entry.h"
#include "store/store_key.h"
#include "tap.h"

static int
cmp(const struct buf *a, const struct buf *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);

	return c != 0 ? c : (a->len < b->len ? -1 : a->len > b->len);
}

int
main(void)
{
	struct buf a, b, c;
	struct entry e;
	struct store_doc d;
	struct store_val v;
	struct store_pkey pk;
	struct collection coll = { 0 };
	int64_t t;
	const char *doc;
	size_t dl;

	buf_init(&a);
	buf_init(&b);
	buf_init(&c);
	store_key_list_pos(&a, "article", "", NULL, 2000, "x");
	store_key_list_pos(&b, "article", "", NULL, 1000, "x");
	ok(cmp(&a, &b) < 0, "newer publishedAt sorts first (newest-first walk)");
	store_key_list_pos(&c, "article", "", NULL, -5, "x");
	ok(cmp(&b, &c) < 0, "negative times sort after positive ones");
	store_key_list_pos(&a, "article", "", NULL, 1000, "a");
	ok(cmp(&a, &b) < 0, "equal times order by documentId");
	store_key_list_pos(&a, "article", "", "tech", 5, "a");
	store_key_list_prefix(&b, "article", "", "tech");
	ok(a.len > b.len && memcmp(a.data, b.data, b.len) == 0,
	    "a category key starts with its prefix");
	store_key_list_prefix(&c, "article", "", "tec");
	ok(!(a.len > c.len && memcmp(a.data, c.data, c.len) == 0),
	    "category 'tec' is not a prefix of 'tech' keys");
	ok(store_key_list_parse_pos(a.data, a.len, b.len, &t, &doc, &dl) == 0 &&
	    t == 5 && dl == 1 && doc[0] == 'a',
	    "position parses back to time and documentId");

	store_key_primary(&a, "article", "doc1", "fr");
	ok(store_key_parse_primary(a.data, a.len, &pk) == 0 &&
	    pk.coll_len == 7 && pk.doc_len == 4 && pk.locale_len == 2 &&
	    memcmp(pk.locale, "fr", 2) == 0, "primary key round trip");
	ok(store_key_parse_primary("abc", 3, &pk) == -1,
	    "a key without separators is rejected");

	entry_init(&e);
	coll.name = (char *)"article";
	e.coll = &coll;
	e.published_at = 123456;
	e.updated_at = 99;
	e.slug = (char *)"hello";
	e.category = NULL;
	e.json = (char *)"{\"a\":1}";
	e.json_len = 7;
	entry_doc(&d, &e);
	store_val_encode(&a, &d, 42);
	ok(store_val_decode(a.data, a.len, &v) == 0 && v.published_at == 123456 &&
	    v.updated_at == 99 && v.seq == 42 && v.slug_len == 5 &&
	    v.category == NULL && v.json_len == 7 &&
	    memcmp(v.json, "{\"a\":1}", 7) == 0, "value round trip");
	ok(store_val_decode(a.data, 10, &v) == -1, "truncated value rejected");
	a.data[0] = 9;
	ok(store_val_decode(a.data, a.len, &v) == -1,
	    "unknown value format rejected");
	buf_clear(&a);
	buf_clear(&b);
	buf_clear(&c);
	return tap_done();
}
