/* test_subscription.c: which reactive queries a change touches */
#include "config.h"

#include <string.h>

#include "util/buf.h"
#include "conf/conf.h"
#include "model/subscription.h"
#include "tap.h"

static struct store_change
change(const char *coll, const char *os, const char *oc, const char *ns,
    const char *nc)
{
	struct store_change ch;

	memset(&ch, 0, sizeof(ch));
	ch.seq = 1;
	ch.collection = coll;
	ch.document_id = "doc";
	ch.locale = "";
	ch.old_slug = os;
	ch.old_category = oc;
	ch.new_slug = ns;
	ch.new_category = nc;
	return ch;
}

int
main(void)
{
	struct conf *conf;
	struct subscription_spec tech, list, slug, s;
	struct store_change ch;
	struct buf k1, k2;
	const char *why = NULL;
	char *cause = NULL;

	conf = conf_new();
	if (conf_finish(conf, &cause) == -1) {
		tap_diag("conf: %s", cause);
		return 1;
	}
	subscription_spec_init(&tech);
	tech.coll = conf_collection_by_name(conf, "article");
	ok(subscription_spec_set(&tech, "category", "tech", &why) == 0,
	    "category accepted");
	subscription_spec_init(&list);
	list.coll = tech.coll;
	subscription_spec_init(&slug);
	slug.coll = tech.coll;
	ok(subscription_spec_set(&slug, "slug", "hello", &why) == 0,
	    "slug accepted");

	ch = change("article", NULL, NULL, "a", "design");
	ok(!subscription_touches(&tech, &ch),
	    "design change does not touch tech");
	ok(subscription_touches(&list, &ch), "any change touches the list");
	ch = change("article", "a", "tech", "a", "ops");
	ok(subscription_touches(&tech, &ch), "moving out of tech touches tech");
	ch = change("article", "a", "design", "a", "tech");
	ok(subscription_touches(&tech, &ch), "moving into tech touches tech");
	ch = change("article", "hello", "tech", NULL, NULL);
	ok(subscription_touches(&slug, &ch),
	    "removing the slug's entry touches it");
	ch = change("article", "old", NULL, "hello", NULL);
	ok(subscription_touches(&slug, &ch), "slug handed over touches it");
	ch = change("article", "x", "tech", "y", "tech");
	ok(!subscription_touches(&slug, &ch), "other slug does not touch");
	ch = change("page", NULL, "tech", NULL, "tech");
	ok(!subscription_touches(&tech, &ch),
	    "other collection does not touch");
	ch = change("article", NULL, "tech", NULL, "tech");
	ch.locale = "fr";
	ok(!subscription_touches(&tech, &ch), "other locale does not touch");

	subscription_spec_init(&s);
	ok(subscription_spec_set(&s, "pageSize", "0", &why) == 0 &&
	        s.page_size == 1,
	    "pageSize 0 clamped to 1, as REST does");
	ok(subscription_spec_set(&s, "pageSize", "101", &why) == 0 &&
	        s.page_size == 100,
	    "pageSize 101 clamped to 100, as REST does");
	ok(subscription_spec_set(&s, "pageSize", "ten", &why) == -1 &&
	        strstr(why, "pageSize") != NULL,
	    "pageSize not an integer refused");
	ok(subscription_spec_set(&s, "pageSize", "10", &why) == 0 &&
	        s.page_size == 10,
	    "pageSize 10 accepted");
	ok(subscription_spec_set(&s, "title", "x", &why) == -1 &&
	        strcmp(why, "unknown query parameter") == 0,
	    "unknown key refused");
	ok(subscription_spec_set(&s, "category", "", &why) == -1,
	    "empty category refused");
	ok(subscription_spec_set(&s, "category", "a\nb", &why) == -1,
	    "control characters refused");
	ok(subscription_spec_set(&s, "sort", "title:desc,id", &why) == 0 &&
	        strcmp(s.sort, "title:desc,id") == 0,
	    "sort kept as REST takes it (checked against the type later)");
	ok(subscription_spec_set(&s, "sort", "a[b]=1", &why) == -1 &&
	        subscription_spec_set(&s, "sort", "", &why) == -1,
	    "a sort that is no list of fields refused");
	ok(subscription_spec_check(&s, &why) == -1 &&
	        strcmp(why, "unknown collection") == 0,
	    "no collection refused");
	s.coll = tech.coll;
	(void)subscription_spec_set(&s, "category", "tech", &why);
	(void)subscription_spec_set(&s, "slug", "x", &why);
	ok(subscription_spec_check(&s, &why) == -1,
	    "slug and category refused");

	buf_init(&k1);
	buf_init(&k2);
	subscription_key(&tech, &k1);
	subscription_spec_clear(&s);
	subscription_spec_init(&s);
	s.coll = tech.coll;
	(void)subscription_spec_set(&s, "filters[category][$eq]", "tech", &why);
	subscription_key(&s, &k2);
	ok(strcmp(k1.data, k2.data) == 0, "same query, same key");
	(void)subscription_spec_set(&s, "sort", "publishedAt:desc", &why);
	buf_reset(&k2);
	subscription_key(&s, &k2);
	ok(strcmp(k1.data, k2.data) != 0, "another sort, another key");
	ok(subscription_spec_set(&s, "filters[title][$containsi]", "a b",
	       &why) == 0 &&
	        subscription_spec_set(&s, "filters[$or][0][n][$lt]", "7",
	            &why) == 0 &&
	        strcmp(s.qlang,
	            "filters[title][%24containsi]=a%20b&"
	            "filters[%24or][0][n][%24lt]=7") == 0,
	    "filters kept as REST's pairs (checked against the type later)");
	buf_reset(&k1);
	subscription_key(&s, &k1);
	ok(strcmp(k1.data, k2.data) != 0, "other filters, another key");
	buf_reset(&k2);
	subscription_key(&list, &k2);
	ok(strcmp(k1.data, k2.data) != 0, "different query, different key");
	buf_clear(&k1);
	buf_clear(&k2);

	/* Pages beyond the first, as REST takes them. */
	{
		struct subscription_spec a, b;
		struct buf ka, kb;

		subscription_spec_init(&a);
		subscription_spec_init(&b);
		a.coll = b.coll = tech.coll;
		buf_init(&ka);
		buf_init(&kb);
		ok(subscription_spec_set(&a, "pagination[page]", "2", &why) ==
		            0 &&
		        a.page == 2 && !a.offset &&
		        subscription_spec_check(&a, &why) == 0,
		    "pagination[page] sets the page");
		ok(subscription_spec_set(&b, "page", "-3", &why) == 0 &&
		        b.page == 1,
		    "a page below 1 is page 1, as REST does");
		subscription_key(&a, &ka);
		subscription_key(&b, &kb);
		ok(strcmp(ka.data, kb.data) != 0,
		    "page 2 and page 1: two keys");
		(void)subscription_spec_set(&b, "page", "2", &why);
		buf_reset(&kb);
		subscription_key(&b, &kb);
		ok(strcmp(ka.data, kb.data) == 0,
		    "page and pagination[page]: "
		    "one key");
		ok(subscription_spec_set(&b, "page", "two", &why) == -1 &&
		        strstr(why, "page") != NULL && b.page == 2,
		    "a page that is not an integer is refused");
		subscription_spec_clear(&b);
		subscription_spec_init(&b);
		b.coll = tech.coll;
		ok(subscription_spec_set(&b, "pagination[start]", "25", &why) ==
		            0 &&
		        subscription_spec_set(&b, "limit", "-1", &why) == 0 &&
		        b.offset && b.start == 25 && b.limit == 100 &&
		        subscription_size(&b) == 100,
		    "start/limit: offset paging, limit -1 is 100");
		ok(subscription_spec_set(&b, "limit", "0", &why) == -1 &&
		        strstr(why, "limit") != NULL,
		    "limit 0 refused, as REST does");
		buf_reset(&kb);
		subscription_key(&b, &kb);
		ok(strcmp(ka.data, kb.data) != 0, "start/limit: its own key");
		(void)subscription_spec_set(&b, "pageSize", "10", &why);
		ok(subscription_spec_check(&b, &why) == -1 &&
		        strstr(why, "start/limit") != NULL,
		    "page/pageSize mixed with start/limit refused");
		buf_clear(&ka);
		buf_clear(&kb);
		subscription_spec_clear(&a);
		subscription_spec_clear(&b);
	}

	/* Values restricted to what exists (push_page_sizes, locales). */
	{
		static const uint64_t sizes[] = { 10, 50 };
		struct conf *lc;
		struct subscription_spec r;

		subscription_spec_init(&r);
		r.coll = tech.coll;
		(void)subscription_spec_set(&r, "pageSize", "50", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == 0,
		    "a listed page size is allowed");
		(void)subscription_spec_set(&r, "pageSize", "25", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == 0,
		    "the default page size is always allowed");
		(void)subscription_spec_set(&r, "pageSize", "37", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == -1 &&
		        strstr(why, "pageSize") != NULL,
		    "an unlisted page size is refused");
		(void)subscription_spec_set(&r, "pageSize", "10", &why);
		(void)subscription_spec_set(&r, "locale", "xx", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == 0 &&
		        r.locale == NULL,
		    "locale dropped for a collection without locales");
		subscription_spec_clear(&r);
		subscription_spec_init(&r);
		r.coll = tech.coll;
		(void)subscription_spec_set(&r, "limit", "37", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == -1 &&
		        strstr(why, "limit") != NULL,
		    "an unlisted limit is refused");
		(void)subscription_spec_set(&r, "limit", "50", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == 0,
		    "a listed limit is allowed");
		subscription_spec_clear(&r);

		lc = conf_new();
		if (conf_parse_text(lc, "collection.article.locales = en, fr\n",
		        "test", &cause) == -1 ||
		    conf_finish(lc, &cause) == -1) {
			tap_diag("conf: %s", cause);
			return 1;
		}
		subscription_spec_init(&r);
		r.coll = conf_collection_by_name(lc, "article");
		(void)subscription_spec_set(&r, "locale", "fr", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == 0 &&
		        strcmp(r.locale, "fr") == 0,
		    "a configured locale is kept");
		(void)subscription_spec_set(&r, "locale", "de", &why);
		ok(subscription_spec_restrict(&r, sizes, 2, &why) == -1 &&
		        strstr(why, "locale") != NULL,
		    "a locale the collection lacks is refused");
		subscription_spec_clear(&r);
		conf_free(lc);
	}
	{
		/* populate and fields: kept as a query string, in the key */
		struct subscription_spec a, b;
		struct buf ka, kb;
		char big[SUBSCRIPTION_MAX_POPULATE + 1];

		subscription_spec_init(&a);
		subscription_spec_init(&b);
		a.coll = b.coll = tech.coll;
		buf_init(&ka);
		buf_init(&kb);
		ok(subscription_spec_set(&a, "populate[author]", "true",
		       &why) == 0 &&
		        subscription_spec_set(&a, "fields[0]", "a b&c", &why) ==
		            0 &&
		        strcmp(a.populate,
		            "populate[author]=true&fields[0]=a%20b%26c") == 0,
		    "populate and fields kept, encoded, in order");
		ok(subscription_spec_set(&a, "populatex", "1", &why) == -1,
		    "a key that only starts with populate is unknown");
		subscription_key(&a, &ka);
		subscription_key(&b, &kb);
		ok(strcmp(ka.data, kb.data) != 0,
		    "with and without populate: two keys");
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ok(subscription_spec_set(&b, "populate", big, &why) == -1 &&
		        b.populate == NULL && strstr(why, "populate") != NULL,
		    "populate too long refused");
		buf_clear(&ka);
		buf_clear(&kb);
		subscription_spec_clear(&a);
		subscription_spec_clear(&b);
	}
	subscription_spec_clear(&s);
	subscription_spec_clear(&tech);
	subscription_spec_clear(&list);
	subscription_spec_clear(&slug);
	conf_free(conf);
	return tap_done();
}
