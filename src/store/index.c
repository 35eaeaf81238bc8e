/* index.c: the secondary-key extractors: by_time, by_category, by_slug, by_id */
#include "config.h"

#include <string.h>

#include <db.h>

#include "store/store_int.h"

/* The key in b as the secondary key sk (libdb frees it). Returns 0. */
static int
sk_take(DBT *sk, struct buf *b)
{
	memset(sk, 0, sizeof(*sk));
	sk->size = (u_int32_t)b->len;
	sk->data = buf_take(b);
	sk->flags = DB_DBT_APPMALLOC;
	return 0;
}

/*
 * The by_time and by_category keys: collection, locale, [category,]
 * inverted publishedAt, documentId. Entries without a category are not
 * in by_category.
 */
static int
extract_list(const DBT *pk, const DBT *pd, DBT *sk, int by_category)
{
	struct store_pkey k;
	struct store_val v;
	struct buf b;
	char coll[128], locale[64], doc[STORE_MAX_ID + 1];
	char cat[STORE_MAX_CATEGORY + 1];

	if (store_key_parse_primary(pk->data, pk->size, &k) == -1 ||
	    store_val_decode(pd->data, pd->size, &v) == -1 ||
	    (by_category && v.category == NULL) || k.coll_len >= sizeof(coll) ||
	    k.locale_len >= sizeof(locale) || k.doc_len >= sizeof(doc) ||
	    v.category_len >= sizeof(cat))
		return DB_DONOTINDEX;
	memcpy(coll, k.coll, k.coll_len);
	coll[k.coll_len] = '\0';
	memcpy(locale, k.locale, k.locale_len);
	locale[k.locale_len] = '\0';
	memcpy(doc, k.doc, k.doc_len);
	doc[k.doc_len] = '\0';
	if (by_category) {
		memcpy(cat, v.category, v.category_len);
		cat[v.category_len] = '\0';
	}
	buf_init(&b);
	store_key_list_pos(&b, coll, locale, by_category ? cat : NULL,
	    v.published_at, doc);
	return sk_take(sk, &b);
}

int
store_index_time(DB *sec UNUSED, const DBT *pk, const DBT *pd, DBT *sk)
{

	return extract_list(pk, pd, sk, 0);
}

int
store_index_category(DB *sec UNUSED, const DBT *pk, const DBT *pd, DBT *sk)
{

	return extract_list(pk, pd, sk, 1);
}

int
store_index_slug(DB *sec UNUSED, const DBT *pk, const DBT *pd, DBT *sk)
{
	struct store_pkey k;
	struct store_val v;
	struct buf b;

	if (store_key_parse_primary(pk->data, pk->size, &k) == -1 ||
	    store_val_decode(pd->data, pd->size, &v) == -1 || v.slug == NULL)
		return DB_DONOTINDEX;
	buf_init(&b);
	buf_add(&b, k.coll, k.coll_len);
	buf_addc(&b, '\0');
	buf_add(&b, k.locale, k.locale_len);
	buf_addc(&b, '\0');
	buf_add(&b, v.slug, v.slug_len);
	return sk_take(sk, &b);
}

/* The id reader of this process (store_set_id_reader), or NULL. */
static store_id_fn id_reader;

void
store_set_id_reader(store_id_fn fn)
{
	id_reader = fn;
}

int
store_has_id_reader(void)
{
	return id_reader != NULL;
}

/*
 * The by_id key (store_key_id_pos) of an entry: its Strapi id, as the
 * reader the program set takes it from the JSON. An entry without one
 * sorts first (SQL's nulls), as the scan's order puts it.
 */
int
store_index_id(DB *sec UNUSED, const DBT *pk, const DBT *pd, DBT *sk)
{
	struct store_pkey k;
	struct store_val v;
	struct buf b;
	int64_t id;

	if (id_reader == NULL ||
	    store_key_parse_primary(pk->data, pk->size, &k) == -1 ||
	    store_val_decode(pd->data, pd->size, &v) == -1)
		return DB_DONOTINDEX;
	if (id_reader(v.json, v.json_len, &id) == -1)
		id = INT64_MIN;
	buf_init(&b);
	store_key_id_pos(&b, k.coll, k.coll_len, k.locale, k.locale_len, id,
	    k.doc, k.doc_len);
	return sk_take(sk, &b);
}

/* The attribute reader of this process (store_set_attr_reader), or NULL. */
static store_attr_fn attr_reader;

void
store_set_attr_reader(store_attr_fn fn)
{
	attr_reader = fn;
}

/*
 * The key of an entry in the index of a: its locale, NUL, the reader's
 * bytes for the attribute (its value and id), its documentId. Entries
 * of other collections are not in it.
 */
int
store_index_attr_of(const struct store_attr *a, const DBT *pk, const DBT *pd,
    DBT *sk)
{
	struct store_pkey k;
	struct store_val v;
	struct buf b;

	if (attr_reader == NULL || a == NULL ||
	    store_key_parse_primary(pk->data, pk->size, &k) == -1 ||
	    k.coll_len != strlen(a->collection) ||
	    memcmp(k.coll, a->collection, k.coll_len) != 0 ||
	    store_val_decode(pd->data, pd->size, &v) == -1)
		return DB_DONOTINDEX;
	buf_init(&b);
	buf_add(&b, k.locale, k.locale_len);
	buf_addc(&b, '\0');
	if (attr_reader(v.json, v.json_len, a->attr, a->cls, &b) == -1) {
		buf_clear(&b);
		return DB_DONOTINDEX;
	}
	buf_add(&b, k.doc, k.doc_len);
	return sk_take(sk, &b);
}

/* DB->associate's callback: the index is the handle's app_private. */
int
store_index_attr(DB *sec, const DBT *pk, const DBT *pd, DBT *sk)
{
	return store_index_attr_of(sec->app_private, pk, pd, sk);
}
