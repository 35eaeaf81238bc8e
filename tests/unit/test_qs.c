/* test_qs.c: query-string decoding and the Strapi subset */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "model/entry.h"
#include "api/qs.h"
#include "util/utf8.h"
#include "tap.h"

static const struct collection *coll;

/* clang-format off */
static const struct {
	const char *query;
	const char *message; /* NULL: accepted; else the start of the error */
	const char *key;     /* "Invalid key" details, or NULL */
} rows[] = {
	{ "", NULL, NULL },
	{ "pagination[page]=2&pagination[pageSize]=2&sort=publishedAt:desc", NULL, NULL },
	{ "pagination%5Bpage%5D=2", NULL, NULL },
	{ "filters[slug][$eq]=a+b", NULL, NULL },
	{ "filters[slug]=x", NULL, NULL },
	{ "filters%5Bcategory%5D%5B%24eq%5D=tech", NULL, NULL },
	{ "fields[0]=title&fields[1]=slug", NULL, NULL },
	{ "fields=title,slug", NULL, NULL },
	{ "fields[]=title", NULL, NULL },
	{ "sort[0]=publishedAt:desc", NULL, NULL },
	{ "sort=publishedAt", NULL, NULL },
	{ "sort=publishedAt:DESC", NULL, NULL },
	{ "sort[publishedAt]=asc", NULL, NULL },
	{ "locale=fr", NULL, NULL },
	{ "status=published", NULL, NULL },
	{ "category=caf%C3%A9", NULL, NULL },
	{ "pagination[start]=0&pagination[limit]=2", NULL, NULL },
	{ "pagination[limit]=-1", NULL, NULL },
	{ "&&pagination[page]=1&", NULL, NULL },
	{ "foo=bar", "Invalid key foo", "foo" },
	{ "populate=*", "Invalid key populate", "populate" },
	/* filters beyond slug and category: kept for api/qlang.c (test_filter) */
	{ "filters[title][$eq]=1", NULL, NULL },
	{ "filters[slug][$contains]=x", NULL, NULL },
	{ "filters[$or][0][title][$containsi]=a&filters[$or][1][slug]=b", NULL, NULL },
	{ "fields[0]=nope", "Invalid key nope", "nope" },
	{ "sort=title:asc", NULL, NULL },
	{ "sort=publishedAt:desc,id:asc", NULL, NULL },
	{ "sort[0]=title:desc&sort[1]=id", NULL, NULL },
	/* a sort's names are qlang_plan's to check (test_filter) */
	{ "sort=nope:asc", NULL, NULL },
	{ "sort[nope]=asc", NULL, NULL },
	{ "sort=a.b:desc", NULL, NULL },
	{ "sort=a..b", "Invalid key a..b", "a..b" },
	{ "sort[a$]=asc", "Invalid key a$", "a$" },
	{ "pagination[total]=5", "Invalid key total", "total" },
	{ "sort=publishedAt:sideways", "Invalid order", NULL },
	{ "sort=", "Invalid sort parameter", NULL },
	{ "sort=:desc", "Field cannot be empty", NULL },
	{ "pagination[page]=abc", "Invalid 'page' parameter", NULL },
	{ "pagination[page]=1.5", "Invalid 'page' parameter", NULL },
	{ "pagination[page]=", "Invalid 'page' parameter", NULL },
	{ "pagination[page]=99999999999999999999", "Invalid 'page' parameter", NULL },
	{ "pagination[limit]=0", "Invalid 'limit' parameter", NULL },
	{ "pagination[limit]=-2", "Invalid 'limit' parameter", NULL },
	{ "pagination[page]=1&pagination[start]=0", "Invalid pagination parameters", NULL },
	{ "pagination[page]=1&pagination[page]=2", "Duplicate parameter", NULL },
	{ "filters[slug]=a&filters[slug][$eq]=b", "Duplicate parameter", NULL },
	{ "filters[category][$eq]=a&filters[category][$eq]=b", "Duplicate parameter", NULL },
	{ "filters[slug][$eq]=%zz", "Malformed percent-encoding", NULL },
	{ "filters[slug][$eq]=%4", "Malformed percent-encoding", NULL },
	{ "filters[slug][$eq]=a%00b", "Malformed percent-encoding", NULL },
	{ "filters[slug][$eq]=%C3%28", "Malformed percent-encoding or UTF-8", NULL },
	{ "filters[slug][$eq]=%C0%AF", "Malformed percent-encoding or UTF-8", NULL },
	{ "filters[slug][$eq]=%ED%A0%80", "Malformed percent-encoding or UTF-8", NULL },
	{ "filters[slug][$eq]=%F4%90%80%80", "Malformed percent-encoding or UTF-8", NULL },
	{ "%zz=1", "Malformed percent-encoding", NULL },
	{ "filters[slug=1", "Invalid key filters[slug", "filters[slug" },
	{ "status=draft", "Invalid status", NULL },
	{ "locale=*", "Invalid locale", NULL },
	{ "cursor=abc&pagination[page]=2", "cursor continues a list", NULL },
	{ "category=a&filters[category][$eq]=b", "category and filters", NULL },
};
/* clang-format on */

static void
table(void)
{
	struct qs_spec *sp = malloc(sizeof(*sp));
	struct qs_error err;
	size_t i;
	int r;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = qs_parse(sp, rows[i].query, coll, &err);
		if (rows[i].message == NULL) {
			ok(r == 0, "accepted: %s", rows[i].query);
			if (r != 0)
				tap_diag("error: %s", err.message);
			continue;
		}
		ok(r == -1 && strncmp(err.message, rows[i].message,
		    strlen(rows[i].message)) == 0, "refused (%s): %s",
		    rows[i].message, rows[i].query);
		if (r == 0)
			tap_diag("was accepted");
		else if (strncmp(err.message, rows[i].message,
		    strlen(rows[i].message)) != 0)
			tap_diag("message: %s", err.message);
		if (rows[i].key != NULL)
			ok(r == -1 && strcmp(err.key, rows[i].key) == 0,
			    "details.key is '%s'", rows[i].key);
	}
	free(sp);
}

static void
semantics(void)
{
	struct qs_spec *sp = malloc(sizeof(*sp));
	struct qs_error err;
	char big[QS_MAX_QUERY + 16];
	int r;

	r = qs_parse(sp, "", coll, &err);
	ok(r == 0 && sp->paging == QS_PAGING_PAGE && sp->page == 1 &&
	    sp->page_size == 25 && sp->nsort == 0,
	    "defaults: page 1, pageSize 25, no sort (Strapi's default order)");
	r = qs_parse(sp, "pagination[pageSize]=1000", coll, &err);
	ok(r == 0 && sp->page_size == 100, "pageSize clamped to 100 "
	    "(Strapi's maxLimit)");
	r = qs_parse(sp, "pagination[pageSize]=0&pagination[page]=-3", coll,
	    &err);
	ok(r == 0 && sp->page_size == 1 && sp->page == 1,
	    "pageSize and page raised to 1, as Strapi's Math.max(1, …)");
	r = qs_parse(sp, "", coll, &err);
	ok(r == 0 && !sp->no_count, "withCount: counted by default");
	r = qs_parse(sp, "pagination[withCount]=false", coll, &err);
	ok(r == 0 && sp->no_count, "pagination[withCount]=false: no count");
	r = qs_parse(sp, "pagination[withCount]=true", coll, &err);
	ok(r == 0 && !sp->no_count, "pagination[withCount]=true: counted");
	r = qs_parse(sp, "pagination[withCount]=maybe", coll, &err);
	ok(r == -1 && strstr(err.message, "Expected a boolean") != NULL,
	    "pagination[withCount]=maybe: 400 saying a boolean is expected");
	r = qs_parse(sp, "pagination[start]=-5&pagination[limit]=-1", coll,
	    &err);
	ok(r == 0 && sp->paging == QS_PAGING_OFFSET && sp->start == 0 &&
	    sp->limit == 100, "offset paging: start >= 0, limit -1 is 100");
	r = qs_parse(sp, "filters[slug][$eq]=caf%C3%A9+au+lait", coll, &err);
	ok(r == 0 && sp->slug != NULL &&
	    strcmp(sp->slug, "caf\xc3\xa9 au lait") == 0,
	    "slug percent-decoded, + is a space, UTF-8 kept");
	r = qs_parse(sp, "category=a%2Bb%26c", coll, &err);
	ok(r == 0 && strcmp(sp->category, "a+b&c") == 0,
	    "encoded + and & stay in the value");
	r = qs_parse(sp, "fields=title,%20slug&sort=publishedAt:asc", coll,
	    &err);
	ok(r == 0 && sp->nfields == 2 && strcmp(sp->fields[1], "slug") == 0 &&
	    sp->ascending, "field list split on commas; sort asc");
	r = qs_parse(sp, "fields=*", coll, &err);
	ok(r == 0 && sp->nfields == 0, "fields=* is every field");
	r = qs_parse(sp, "filters[slug][$eq]=x&category=c&cursor=Zz", coll,
	    &err);
	ok(r == 0 && (sp->seen & QS_SEEN_FILTERS) &&
	    (sp->seen & QS_SEEN_CATEGORY) && (sp->seen & QS_SEEN_CURSOR) &&
	    strcmp(sp->cursor, "Zz") == 0, "families seen are reported");
	r = qs_parse(sp, "sort[0]=title:desc&sort[1]=id", coll, &err);
	ok(r == 0 && sp->nsort == 2 && strcmp(sp->sort[0].field, "title") == 0 &&
	    sp->sort[0].desc && strcmp(sp->sort[1].field, "id") == 0 &&
	    !sp->sort[1].desc && !sp->ascending,
	    "sort[0]=title:desc&sort[1]=id: two keys in order");
	r = qs_parse(sp, "sort=title,%20createdAt:DESC&sort[slug]=desc", coll,
	    &err);
	ok(r == 0 && sp->nsort == 3 && !sp->sort[0].desc &&
	    strcmp(sp->sort[1].field, "createdAt") == 0 && sp->sort[1].desc &&
	    strcmp(sp->sort[2].field, "slug") == 0 && sp->sort[2].desc,
	    "sort=a,b:desc and sort[c]=desc: keys split, order case-free");
	r = qs_parse(sp,
	    "filters[$or][0][title][$containsi]=a&filters[slug][$eq]=s&"
	    "filters[slug][$ne]=t",
	    coll, &err);
	ok(r == 0 && sp->nfilters == 2 &&
	    strcmp(sp->filters[0].key, "filters[$or][0][title][$containsi]") ==
	        0 &&
	    strcmp(sp->filters[0].val, "a") == 0 &&
	    strcmp(sp->filters[1].val, "t") == 0 && strcmp(sp->slug, "s") == 0,
	    "filters: the indexed slug apart, the others kept with their keys");
	memset(big, 'a', sizeof(big));
	memcpy(big, "category=", 9);
	big[9 + ENTRY_MAX_CATEGORY + 1] = '\0';
	r = qs_parse(sp, big, coll, &err);
	ok(r == -1, "over-long category refused");
	big[9 + QS_MAX_VALUE + 10] = 'a';
	big[sizeof(big) - 1] = '\0';
	r = qs_parse(sp, big, coll, &err);
	ok(r == -1 && strstr(err.message, "longer than") != NULL,
	    "over-long query string refused");
	free(sp);
}

static void
decode(void)
{
	char out[8];
	size_t n;

	ok(qs_decode("abc", 3, 0, out, sizeof(out), &n) == 0 && n == 3,
	    "plain text decodes to itself");
	ok(qs_decode("a+b", 3, 0, out, sizeof(out), &n) == 0 &&
	    strcmp(out, "a+b") == 0, "+ stays + in a path");
	ok(qs_decode("%2F", 3, 0, out, sizeof(out), &n) == 0 &&
	    strcmp(out, "/") == 0, "an encoded slash decodes to /");
	ok(qs_decode("123456789", 9, 0, out, sizeof(out), &n) == -2,
	    "output too small is -2, not an overflow");
	ok(qs_decode("%", 1, 0, out, sizeof(out), &n) == -1 &&
	    qs_decode("%a", 2, 0, out, sizeof(out), &n) == -1,
	    "truncated escapes are malformed");
	ok(utf8_valid("\xf0\x9f\x98\x80", 4), "4-byte UTF-8 is valid");
	ok(!utf8_valid("\xf0\x9f\x98", 3), "truncated UTF-8 is invalid");
	ok(!utf8_valid("\xe0\x80\xaf", 3), "overlong UTF-8 is invalid");
	ok(!utf8_valid("\xff", 1), "0xff is invalid");
}

/* qs_next(), the iterator every query-string parser walks with. */
static void
iterate(void)
{
	struct qs_iter it;
	struct qs_pair pr;
	char val[8];
	static const char q[] = "a+b=c%20d&&=x&flag&k=%zz&u=%ff&long=123456789";

	qs_iter_init(&it, q, strlen(q), 0);
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_PAIR &&
	    strcmp(pr.key, "a b") == 0 && strcmp(pr.val, "c d") == 0 &&
	    pr.has_value, "key and value decoded, + is a space");
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_PAIR && pr.klen == 0 &&
	    !pr.has_value, "an empty pair is given, without a value");
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_PAIR && pr.klen == 0 &&
	    pr.has_value && pr.vlen == 0, "=x: empty key, value not decoded");
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_PAIR &&
	    strcmp(pr.key, "flag") == 0 && !pr.has_value && *pr.val == '\0',
	    "a key without '=' has an empty value");
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_VALUE_BAD &&
	    strcmp(pr.key, "k") == 0 && pr.rawlen == 3 &&
	    strncmp(pr.raw, "%zz", 3) == 0,
	    "a malformed escape is refused, the value as sent kept");
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_VALUE_UTF8 &&
	    pr.vlen == 1 && (unsigned char)pr.val[0] == 0xff,
	    "invalid UTF-8 is told apart, the value decoded");
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_VALUE_LONG,
	    "a value over the buffer is refused");
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_END, "then the end");
	qs_iter_init(&it, "k%41=v&w", 8, 1);
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_PAIR &&
	    strcmp(pr.key, "k%41") == 0 && strcmp(pr.val, "v&w") == 0 &&
	    qs_next(&it, &pr, val, sizeof(val)) == QS_END,
	    "decoded input: one pair, split at '=' only, not decoded again");
	qs_iter_init(&it, "%C3%28=1", 8, 0);
	ok(qs_next(&it, &pr, val, sizeof(val)) == QS_KEY_BAD,
	    "a key that is not UTF-8 is refused");
}

int
main(void)
{
	struct conf *c = conf_new();
	char *cause = NULL;

	if (conf_finish(c, &cause) == -1) {
		printf("Bail out! %s\n", cause);
		return 1;
	}
	coll = conf_collection(c, 0);
	table();
	semantics();
	decode();
	iterate();
	conf_free(c);
	return tap_done();
}
