/* test_filter.c: filters and sorts (api/qlang.c, model/filter.c) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/qlang.h"
#include "api/qs.h"
#include "conf/conf.h"
#include "model/filter.h"
#include "tap.h"

static struct conf *cf;
static const struct collection *coll;

/* The entries every filter below is tried on (the seeds' article). */
static const char *const entries[] = {
	"{\"id\":1,\"documentId\":\"a\",\"title\":\"Hello World\","
	"\"slug\":\"hello\",\"publishedAt\":\"2026-01-02T03:04:05.678Z\"}",
	"{\"id\":2,\"documentId\":\"b\",\"title\":\"\\u00c9mile 50% off\","
	"\"slug\":\"emile\",\"publishedAt\":\"2026-01-02T03:04:05Z\"}",
	"{\"id\":3,\"documentId\":\"c\",\"title\":null,\"slug\":\"none\","
	"\"publishedAt\":\"2026-06-01T00:00:00.000Z\"}",
	"{\"id\":4,\"documentId\":\"d\",\"slug\":\"absent\","
	"\"publishedAt\":\"2025-12-31T23:59:59.999Z\"}",
};
#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

/* The ids (as "1,3") the query's filters keep, or "400: message". */
static void
run(const char *query, char *out, size_t outsz)
{
	struct qs_spec *sp = malloc(sizeof(*sp));
	struct qs_error err;
	struct list_plan plan;
	struct filter_row row;
	size_t i, o = 0;

	out[0] = '\0';
	if (qs_parse(sp, query, coll, &err) == -1 ||
	    qlang_plan(&plan, sp, cf, coll, NULL, NULL, &err) == -1) {
		snprintf(out, outsz, "400: %.200s", err.message);
		free(sp);
		return;
	}
	for (i = 0; i < NENTRIES; i++)
		if (filter_match(plan.filter, &plan.sort, entries[i],
		        strlen(entries[i]), NULL, NULL, &row) == 1) {
			o += (size_t)snprintf(out + o, outsz - o, "%s%zu",
			    o > 0 ? "," : "", i + 1);
			filter_row_clear(&row);
		}
	qlang_plan_clear(&plan);
	free(sp);
}

/* clang-format off */
static const struct {
	const char *query, *want;
} rows[] = {
	{ "filters[title][$eq]=Hello+World", "1" },
	{ "filters[title]=Hello+World", "1" },
	{ "filters[title][$eqi]=hello+world", "1" },
	/* LOWER folds ASCII only: É is not é */
	{ "filters[title][$eqi]=%C3%A9mile+50%25+off", "" },
	{ "filters[title][$containsi]=%C3%89MILE", "2" },
	{ "filters[title][$containsi]=%C3%A9mile", "" },
	/* SQLite's LIKE ignores ASCII case: $contains too */
	{ "filters[title][$contains]=WORLD", "1" },
	/* % and _ stay wildcards */
	{ "filters[title][$contains]=H_llo", "1" },
	{ "filters[title][$contains]=50%25", "2" },
	{ "filters[title][$startsWith]=hel", "1" },
	{ "filters[title][$endsWith]=OFF", "2" },
	/* three-valued logic: a null title is never != nor NOT = */
	{ "filters[title][$ne]=Hello+World", "2" },
	{ "filters[title][$nei]=hello+world", "2" },
	{ "filters[$not][title][$eq]=Hello+World", "2" },
	{ "filters[title][$notContains]=x", "1,2" },
	{ "filters[title][$notIn][0]=x", "1,2" },
	{ "filters[title][$null]=true", "3,4" },
	{ "filters[title][$null]=false", "1,2" },
	{ "filters[title][$notNull]=t", "1,2" },
	{ "filters[title][$in][0]=Hello+World&filters[title][$in][1]=x", "1" },
	{ "filters[title][0]=Hello+World&filters[title][1]=x", "1" },
	/* an array for a one-value operator: any of them */
	{ "filters[title][$containsi][0]=world&filters[title][$containsi][1]=mile", "1,2" },
	{ "filters[$or][0][slug][$eq]=none&filters[$or][1][title][$containsi]=world", "1,3" },
	{ "filters[$and][0][id][$gt]=1&filters[$and][1][id][$lt]=4", "2,3" },
	{ "filters[title][$not][$containsi]=world", "2" },
	/* numbers cast: "2.0" is 2, "-1e1" is -10 */
	{ "filters[id][$eq]=2.0", "2" },
	{ "filters[id][$gte]=-1e1&filters[id][$lte]=1", "1" },
	{ "filters[id][$between][0]=2&filters[id][$between][1]=3", "2,3" },
	/* dates are instants, with or without milliseconds or an offset */
	{ "filters[publishedAt][$eq]=2026-01-02T03:04:05.000Z", "2" },
	{ "filters[publishedAt][$eq]=2026-01-02T05:04:05%2B02:00", "2" },
	{ "filters[publishedAt][$lt]=2026-01-01", "4" },
	{ "filters[publishedAt][$gt]=1767323045000", "1,3" },
	{ "filters[nope][$eq]=1", "400: Invalid key nope" },
	{ "filters[title][$nope]=1", "400: Invalid key $nope" },
	{ "filters[$foo][title]=1", "400: Invalid key $foo" },
	{ "filters[$or][title]=1", "400: Operator $or must be an array" },
	{ "filters[id][$eq]=one", "400: Invalid value 'one'" },
	{ "filters[publishedAt][$gt]=yesterday", "400: Invalid value 'yesterday'" },
	{ "filters[id][$between]=1", "400: Invalid filters[id][$between]" },
	{ "sort=nope", "400: Invalid key nope" },
	{ "sort[nope]=asc", "400: Invalid key nope" },
	{ "sort=title,nope:desc", "400: Invalid key nope" },
	{ "sort=title.x", "400: Invalid key title.x" },
};
/* clang-format on */

static void
sorting(void)
{
	struct qs_spec *sp = malloc(sizeof(*sp));
	struct qs_error err;
	struct list_plan plan, again;
	struct filter_row r[NENTRIES], back;
	struct buf cur;
	size_t i, j;
	int ok_order = 1;

	/* title ascending: NULLs first (SQLite), then bytes; ties by id */
	if (qs_parse(sp, "sort=title:asc,id:desc", coll, &err) == -1 ||
	    qlang_plan(&plan, sp, cf, coll, NULL, NULL, &err) == -1) {
		ok(0, "sort plan: %s", err.message);
		free(sp);
		return;
	}
	for (i = 0; i < NENTRIES; i++)
		filter_match(NULL, &plan.sort, entries[i], strlen(entries[i]),
		    NULL, NULL, &r[i]);
	/* want: 4 (absent, id 4), 3 (null, id 3), 1 (Hello), 2 (É...) */
	{
		static const size_t want[] = { 3, 2, 0, 1 };

		for (i = 0; i + 1 < NENTRIES; i++)
			if (filter_row_cmp(&plan.sort, &r[want[i]],
			        &r[want[i + 1]]) >= 0)
				ok_order = 0;
	}
	ok(ok_order,
	    "sort=title:asc,id:desc: nulls first, then by bytes, "
	    "the second key breaking the tie of two nulls");
	buf_init(&cur);
	filter_cursor_encode(&plan.sort, &r[0], &cur);
	ok(filter_cursor_decode(&plan.sort, buf_cstr(&cur), &back) == 0 &&
	        filter_row_cmp(&plan.sort, &back, &r[0]) == 0,
	    "a cursor decodes to the row it was made after");
	filter_row_clear(&back);
	if (qs_parse(sp, "sort=title:desc", coll, &err) == 0 &&
	    qlang_plan(&again, sp, cf, coll, NULL, NULL, &err) == 0) {
		ok(filter_cursor_decode(&again.sort, buf_cstr(&cur), &back) ==
		        -1,
		    "a cursor of another sort is refused");
		qlang_plan_clear(&again);
	}
	ok(filter_cursor_decode(&plan.sort, "sAAAA", &back) == -1 &&
	        filter_cursor_decode(&plan.sort, "x", &back) == -1,
	    "a forged cursor is refused");
	buf_clear(&cur);
	for (j = 0; j < NENTRIES; j++)
		filter_row_clear(&r[j]);
	qlang_plan_clear(&plan);
	free(sp);
}

static void
add_text(void *arg, const char *v)
{
	struct buf *b = arg;

	buf_printf(b, "%s%s",
	    b->len > 0 && b->data[b->len - 1] != ';' ? "," : "", v);
}

/*
 * The index key of each query ("attr=v1|v2", or "none") and what every
 * entry has there (model/filter_index.c): the sidecar looks up a change's
 * row by it, so a key must be a condition every match meets.
 */
static void
index_keys(void)
{
	static const struct {
		const char *query, *key, *vals;
	} ikeys[] = {
		{ "filters[documentId][$eq]=a", "documentId=a", "a;b;c;d" },
		{ "filters[title][$containsi]=o&filters[slug][$in][0]=a&"
		  "filters[slug][$in][1]=none",
		    "slug=a|none", "hello;emile;none;absent" },
		{ "filters[title][$eq]=x", "title=x",
		    "Hello World;\xc3\x89mile "
		    "50% off;;" },
		{ "filters[$or][0][slug][$eq]=a&filters[$or][1][slug][$eq]=b",
		    "none", "" },
		{ "filters[$not][slug][$eq]=a", "none", "" },
		{ "filters[title][$eqi]=x", "none", "" },
	};
	struct qs_spec *sp = malloc(sizeof(*sp));
	struct qs_error err;
	struct list_plan plan;
	struct filter_ikey k;
	struct filter_doc *d;
	struct buf got, v;
	size_t i, j, e;

	buf_init(&got);
	buf_init(&v);
	for (i = 0; i < sizeof(ikeys) / sizeof(ikeys[0]); i++) {
		buf_reset(&got);
		buf_reset(&v);
		if (qs_parse(sp, ikeys[i].query, coll, &err) == -1 ||
		    qlang_plan(&plan, sp, cf, coll, NULL, NULL, &err) == -1) {
			ok(0, "%s: %s", ikeys[i].query, err.message);
			continue;
		}
		if (!filter_ikey_of(plan.filter, &k))
			buf_adds(&got, "none");
		else {
			buf_printf(&got, "%s=", k.attr);
			for (j = 0; j < k.nval; j++)
				buf_printf(&got, "%s%s", j > 0 ? "|" : "",
				    k.val[j].text);
			for (e = 0; e < NENTRIES; e++) {
				d = filter_doc_parse(entries[e],
				    strlen(entries[e]));
				if (e > 0)
					buf_addc(&v, ';');
				filter_doc_values(d, &k, NULL, NULL, add_text,
				    &v);
				filter_doc_free(d);
			}
		}
		ok(strcmp(buf_cstr(&got), ikeys[i].key) == 0 &&
		        strcmp(buf_cstr(&v), ikeys[i].vals) == 0,
		    "index key of %s: %s (values %s)", ikeys[i].query,
		    ikeys[i].key, ikeys[i].vals);
		if (strcmp(buf_cstr(&got), ikeys[i].key) != 0 ||
		    strcmp(buf_cstr(&v), ikeys[i].vals) != 0)
			tap_diag("got %s, values %s", buf_cstr(&got),
			    buf_cstr(&v));
		qlang_plan_clear(&plan);
	}
	buf_clear(&got);
	buf_clear(&v);
	free(sp);
}

/* The strings of up to 3 characters of alphabet into out; their count. */
static size_t
strings(const char *alphabet, char out[][8])
{
	size_t a = strlen(alphabet), n = 0, len, i, k, x;

	for (len = 0; len <= 3; len++) {
		for (k = 1, i = 0; i < len; i++)
			k *= a;
		for (x = 0; x < k; x++) {
			size_t y = x;

			for (i = 0; i < len; i++, y /= a)
				out[n][i] = alphabet[y % a];
			out[n++][len] = '\0';
		}
	}
	return n;
}

static int
like_in_agrees(void)
{
	static char pat[200][8], txt[200][8];
	size_t np = strings("a%_", pat), nt = strings("aAb", txt), i, j;
	int lead, trail;
	char built[16];

	for (i = 0; i < np; i++)
		for (j = 0; j < nt; j++)
			for (lead = 0; lead < 2; lead++)
				for (trail = 0; trail < 2; trail++) {
					snprintf(built, sizeof(built), "%s%s%s",
					    lead ? "%" : "", pat[i],
					    trail ? "%" : "");
					if (filter_like_in(lead, pat[i], trail,
					        txt[j]) !=
					    filter_like(built, txt[j])) {
						fprintf(stderr, "# %s on %s\n",
						    built, txt[j]);
						return 0;
					}
				}
	return 1;
}

/* A character's bytes as filter_val.c steps over them. */
static size_t
char_len(const unsigned char *t)
{
	size_t n = *t < 0x80      ? 1
	    : (*t & 0xe0) == 0xc0 ? 2
	    : (*t & 0xf0) == 0xe0 ? 3
	    : (*t & 0xf8) == 0xf0 ? 4
	                          : 1,
	       i;

	for (i = 1; i < n; i++)
		if (t[i] == '\0')
			return 1;
	return n;
}

/* SQLite's LIKE by its definition: every split a '%' can take. */
static int
like_ref(const char *p, const char *t)
{
	const char *k;

	if (*p == '\0')
		return *t == '\0';
	if (*p == '%') {
		for (k = t;; k += char_len((const unsigned char *)k)) {
			if (like_ref(p + 1, k))
				return 1;
			if (*k == '\0')
				return 0;
		}
	}
	if (*t == '\0')
		return 0;
	if (*p == '_')
		return like_ref(p + 1, t + char_len((const unsigned char *)t));
	return (*p == *t ||
	           ((*p | 0x20) == (*t | 0x20) && (*p | 0x20) >= 'a' &&
	               (*p | 0x20) <= 'z')) &&
	    like_ref(p + 1, t + 1);
}

/*
 * LIKE against its definition for every pattern of up to 3 of a, A, %,
 * _ and a non-ASCII byte and text of up to 4 of a, b, é and an invalid
 * UTF-8 lead (it takes the ASCII after it into one character).
 */
static int
like_agrees(void)
{
	static const char *pa[] = { "a", "A", "%", "_", "\xc3" };
	static const char *ta[] = { "a", "b", "\xc3\xa9", "\xe0" };
	char p[16], t[24];
	size_t i, j, x, y, np, nt;

	for (np = 0; np <= 3; np++)
		for (x = 0; x < 125; x++) {
			p[0] = '\0';
			for (i = 0, j = x; i < np; i++, j /= 5)
				strcat(p, pa[j % 5]);
			for (nt = 0; nt <= 4; nt++)
				for (y = 0; y < 256; y++) {
					t[0] = '\0';
					for (i = 0, j = y; i < nt; i++, j /= 4)
						strcat(t, ta[j % 4]);
					if (filter_like(p, t) !=
					    like_ref(p, t)) {
						fprintf(stderr, "# %s on %s\n",
						    p, t);
						return 0;
					}
				}
		}
	return 1;
}

int
main(void)
{
	char *cause = NULL;
	char got[256];
	size_t i;

	cf = conf_new();
	if (conf_finish(cf, &cause) == -1) {
		fprintf(stderr, "conf: %s\n", cause);
		return 1;
	}
	coll = conf_collection(cf, 0);
	ok(filter_like("%b_c%", "abxcd") && !filter_like("b_c", "abxc") &&
	        filter_like("A%", "abc") && filter_like("_", "\xc3\xa9") &&
	        !filter_like("\xc3\x89", "\xc3\xa9") && filter_like("%%", "") &&
	        !filter_like("_", ""),
	    "LIKE: %% and _ (one UTF-8 character), ASCII case folded only");
	ok(like_agrees(),
	    "LIKE is its definition for every short pattern and text "
	    "(ASCII case, UTF-8 characters, an invalid lead byte)");
	ok(like_in_agrees(),
	    "LIKE with an implied %% before or after the "
	    "pattern ($contains, $startsWith, $endsWith) is "
	    "LIKE of the pattern built, for every short pattern "
	    "and text");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run(rows[i].query, got, sizeof(got));
		ok(strncmp(got, rows[i].want, strlen(rows[i].want)) == 0 &&
		        (strncmp(rows[i].want, "400", 3) == 0 ||
		            strcmp(got, rows[i].want) == 0),
		    "%s: %s", rows[i].query,
		    *rows[i].want != '\0' ? rows[i].want : "none");
		if (strncmp(got, rows[i].want, strlen(rows[i].want)) != 0 ||
		    (strncmp(rows[i].want, "400", 3) != 0 &&
		        strcmp(got, rows[i].want) != 0))
			tap_diag("got: %s", got);
	}
	sorting();
	index_keys();
	conf_free(cf);
	return tap_done();
}
