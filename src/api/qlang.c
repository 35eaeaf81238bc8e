/* qlang.c: Strapi's filters and sort on lists: the plan and its scan */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/qlang.h"
#include "api/render.h"
#include "api/resolve.h"
#include "model/entry.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/*
 * The filters[...] pairs qs.c kept are first nested the way Strapi's qs
 * library nests them (a tree of names; a node whose children are all
 * indices is an array), then read as Strapi's where: $and/$or take an
 * array of wheres, $not a where, an attribute a value (implicit $eq),
 * an array (implicit $in) or an object of operators; a relation a where
 * on the related type, or a value or operator on its id.
 */

struct qnode {
	char *name;
	const char **val; /* leaf values (a key given twice: two) */
	size_t nval;
	struct qnode **kid;
	size_t nkid;
};

static struct qnode *
qnode_child(struct qnode *n, const char *name)
{
	struct qnode *k;
	size_t i;

	if (*name != '\0') /* "[]" appends */
		for (i = 0; i < n->nkid; i++)
			if (strcmp(n->kid[i]->name, name) == 0)
				return n->kid[i];
	k = xcalloc(1, sizeof(*k));
	k->name = xstrdup(name);
	n->kid = xreallocarray(n->kid, n->nkid + 1, sizeof(*n->kid));
	n->kid[n->nkid++] = k;
	return k;
}

static void
qnode_free(struct qnode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkid; i++)
		qnode_free(n->kid[i]);
	free(n->kid);
	free(n->val);
	free(n->name);
	free(n);
}

static int
qnode_is_array(const struct qnode *n)
{
	size_t i;

	if (n->nkid == 0)
		return 0;
	for (i = 0; i < n->nkid; i++)
		if (!qs_is_index(n->kid[i]->name))
			return 0;
	return 1;
}

static int
index_cmp(const void *a, const void *b)
{
	const struct qnode *x = *(struct qnode *const *)a;
	const struct qnode *y = *(struct qnode *const *)b;
	long long i = *x->name != '\0' ? atoll(x->name) : (1LL << 40);
	long long j = *y->name != '\0' ? atoll(y->name) : (1LL << 40);

	return i < j ? -1 : i > j;
}

struct ctx {
	const struct conf *conf;
	const struct schema *schema;
	struct qs_error *err;
	int depth;
};

/* What an attribute is, for filters and sort. */
enum attr_is {
	ATTR_UNKNOWN,
	ATTR_SCALAR,
	ATTR_RELATION
};

static enum filter_class
class_of_type(const char *type)
{
	static const char *const num[] = { "integer", "biginteger", "decimal",
		"float" };
	size_t i;

	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		if (strcmp(type, num[i]) == 0)
			return FILTER_NUMBER;
	if (strcmp(type, "boolean") == 0)
		return FILTER_BOOL;
	if (strcmp(type, "datetime") == 0 || strcmp(type, "timestamp") == 0)
		return FILTER_DATETIME;
	if (strcmp(type, "date") == 0)
		return FILTER_DATE;
	return FILTER_STRING;
}

/*
 * The attribute name of type t (NULL: the collection's configured
 * fields, or any plain name when none are configured).
 */
static enum attr_is
attr_of(const struct collection *c, const struct schema_type *t,
    const char *name, enum filter_class *cls, const char **target)
{
	static const struct {
		const char *name;
		enum filter_class cls;
	} always[] = {
		{ "id", FILTER_NUMBER },
		{ "documentId", FILTER_STRING },
		{ "createdAt", FILTER_DATETIME },
		{ "updatedAt", FILTER_DATETIME },
		{ "publishedAt", FILTER_DATETIME },
		{ "locale", FILTER_STRING },
	};
	const struct schema_attr *a;
	size_t i;

	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (strcmp(name, always[i].name) == 0) {
			*cls = always[i].cls;
			return ATTR_SCALAR;
		}
	if (t != NULL) {
		if ((a = schema_attr(t, name)) == NULL || a->private)
			return ATTR_UNKNOWN;
		if (a->kind == SCHEMA_RELATION && a->target != NULL &&
		    *a->target != '\0') {
			*target = a->target;
			return ATTR_RELATION;
		}
		if (a->kind != SCHEMA_SCALAR || strcmp(a->type, "json") == 0 ||
		    strcmp(a->type, "blocks") == 0 ||
		    strcmp(a->type, "password") == 0)
			return ATTR_UNKNOWN;
		*cls = class_of_type(a->type);
		return ATTR_SCALAR;
	}
	if (c == NULL)
		return ATTR_UNKNOWN;
	if (c->nfields == 0) {
		*cls = FILTER_STRING;
		return *name != '\0' && strpbrk(name, "[]$.") == NULL
		    ? ATTR_SCALAR
		    : ATTR_UNKNOWN;
	}
	for (i = 0; i < c->nfields; i++)
		if (strcmp(name, c->fields[i].name) == 0) {
			*cls = class_of_type(c->fields[i].type);
			return ATTR_SCALAR;
		}
	return ATTR_UNKNOWN;
}

static struct filter_node *where(struct ctx *, const struct collection *,
    const struct schema_type *, struct qnode *);

/* The leaf values of n: a value, values given twice, or an array. */
static int
values_of(struct ctx *x, struct qnode *n, const char ***vals, size_t *nval,
    const char *op)
{
	size_t i;

	if (n->nkid == 0) {
		*vals = n->val;
		*nval = n->nval;
		return 0;
	}
	if (!qnode_is_array(n) || n->nval > 0)
		return qs_invalid_key(x->err, op, "filters");
	qsort(n->kid, n->nkid, sizeof(*n->kid), index_cmp);
	free(n->val);
	n->val = xreallocarray(NULL, n->nkid, sizeof(*n->val));
	n->nval = 0;
	for (i = 0; i < n->nkid; i++) {
		if (n->kid[i]->nkid > 0 || n->kid[i]->nval != 1)
			return qs_invalid_key(x->err, op, "filters");
		n->val[n->nval++] = n->kid[i]->val[0];
	}
	*vals = n->val;
	*nval = n->nval;
	return 0;
}

static struct filter_node *
cmp(struct ctx *x, const char *attr, enum filter_class cls, enum filter_op op,
    const char **vals, size_t nval)
{
	struct filter_node *f;
	size_t i;

	if (op == FILTER_BETWEEN && nval != 2) {
		qs_fail(x->err,
		    "Invalid filters[%.64s][$between]: two values are "
		    "expected",
		    attr);
		return NULL;
	}
	if (nval == 0) {
		qs_fail(x->err, "Invalid filters[%.64s]: no value", attr);
		return NULL;
	}
	f = filter_node_new(FILTER_CMP);
	f->attr = xstrdup(attr);
	f->cls = cls;
	f->op = op;
	f->any = nval > 1 && op != FILTER_IN && op != FILTER_NOTIN &&
	    op != FILTER_BETWEEN;
	f->val = xreallocarray(NULL, nval, sizeof(*f->val));
	for (i = 0; i < nval; i++) {
		if (filter_cast(filter_op_casts(op) ? cls : FILTER_STRING,
		        vals[i], &f->val[i]) == -1) {
			qs_fail(x->err,
			    "Invalid value '%.64s' for filters[%.64s][%s]: "
			    "expected %s",
			    vals[i], attr, filter_op_name(op),
			    cls == FILTER_NUMBER ? "a number"
			        : cls == FILTER_DATE
			        ? "a date (YYYY-MM-DD)"
			        : "a date and time (ISO 8601)");
			f->nval = i;
			filter_free(f);
			return NULL;
		}
		f->nval++;
	}
	return f;
}

/* An attribute's filter: a value, an array, or an object of operators. */
static struct filter_node *
attr_where(struct ctx *x, const char *attr, enum filter_class cls,
    struct qnode *n)
{
	struct filter_node *and, *k, *not ;
	const char **vals;
	enum filter_op op;
	size_t nval, i;

	if (n->nkid == 0 || qnode_is_array(n)) {
		if (values_of(x, n, &vals, &nval, attr) == -1)
			return NULL;
		return cmp(x, attr, cls, nval > 1 ? FILTER_IN : FILTER_EQ, vals,
		    nval);
	}
	if (n->nval > 0) {
		qs_invalid_key(x->err, attr, "filters");
		return NULL;
	}
	and = filter_node_new(FILTER_AND);
	for (i = 0; i < n->nkid; i++) {
		struct qnode *o = n->kid[i];

		if (strcmp(o->name, "$not") == 0) {
			if ((k = attr_where(x, attr, cls, o)) == NULL)
				goto fail;
			not = filter_node_new(FILTER_NOT);
			filter_node_add(not, k);
			filter_node_add(and, not );
			continue;
		}
		if ((op = filter_op_of(o->name)) == FILTER_OP__MAX) {
			qs_invalid_key(x->err, o->name, "filters");
			goto fail;
		}
		if (values_of(x, o, &vals, &nval, o->name) == -1 ||
		    (k = cmp(x, attr, cls, op, vals, nval)) == NULL)
			goto fail;
		filter_node_add(and, k);
	}
	return and;
fail:
	filter_free(and);
	return NULL;
}

/* A relation: a where on the related type, or its id. */
static struct filter_node *
rel_where(struct ctx *x, const char *attr, const char *target, struct qnode *n)
{
	const struct schema_type *tt;
	const struct collection *tc;
	struct filter_node *r, *k;
	size_t i, nops = 0;

	tt = x->schema != NULL ? schema_type(x->schema, target) : NULL;
	tc = conf_collection_by_uid(x->conf, target, NULL);
	if (tt == NULL || tc == NULL) {
		qs_fail(x->err,
		    "filters[%.64s]: %.64s is not served here, so its "
		    "entries cannot be filtered on",
		    attr, target);
		return NULL;
	}
	for (i = 0; i < n->nkid; i++)
		nops += n->kid[i]->name[0] == '$';
	if (nops > 0 && nops != n->nkid) {
		qs_fail(x->err,
		    "Operator and non-operator keys cannot be mixed in a "
		    "relation where clause");
		return NULL;
	}
	if (++x->depth > 8) {
		qs_fail(x->err, "filters nest more than 8 relations deep");
		return NULL;
	}
	if (n->nkid == 0 || qnode_is_array(n) ||
	    (nops == 1 && strcmp(n->kid[0]->name, "$and") != 0 &&
	        strcmp(n->kid[0]->name, "$or") != 0))
		k = attr_where(x, "id", FILTER_NUMBER, n); /* on its id */
	else
		k = where(x, tc, tt, n);
	x->depth--;
	if (k == NULL)
		return NULL;
	r = filter_node_new(FILTER_REL);
	r->attr = xstrdup(attr);
	r->target = xstrdup(target);
	filter_node_add(r, k);
	return r;
}

static struct filter_node *
group(struct ctx *x, const struct collection *c, const struct schema_type *t,
    struct qnode *n)
{
	struct filter_node *g, *k;
	size_t i;

	if (!qnode_is_array(n)) {
		qs_fail(x->err, "Operator %s must be an array", n->name);
		return NULL;
	}
	qsort(n->kid, n->nkid, sizeof(*n->kid), index_cmp);
	g = filter_node_new(
	    strcmp(n->name, "$or") == 0 ? FILTER_OR : FILTER_AND);
	for (i = 0; i < n->nkid; i++) {
		if (n->kid[i]->nkid == 0) {
			qs_fail(x->err, "Where must be an array or an object");
			filter_free(g);
			return NULL;
		}
		if ((k = where(x, c, t, n->kid[i])) == NULL) {
			filter_free(g);
			return NULL;
		}
		filter_node_add(g, k);
	}
	return g;
}

/* A where object: every key must hold (AND). */
static struct filter_node *
where(struct ctx *x, const struct collection *c, const struct schema_type *t,
    struct qnode *n)
{
	struct filter_node *and, *k;
	enum filter_class cls = FILTER_STRING;
	const char *target = NULL;
	size_t i;

	if (n->nval > 0) {
		qs_invalid_key(x->err, n->name, "filters");
		return NULL;
	}
	and = filter_node_new(FILTER_AND);
	for (i = 0; i < n->nkid; i++) {
		struct qnode *o = n->kid[i];

		if (strcmp(o->name, "$and") == 0 || strcmp(o->name, "$or") == 0)
			k = group(x, c, t, o);
		else if (strcmp(o->name, "$not") == 0) {
			k = NULL;
			if (o->nkid == 0)
				qs_fail(x->err, "$not takes a where object");
			else if ((k = where(x, c, t, o)) != NULL) {
				struct filter_node *nk =
				    filter_node_new(FILTER_NOT);

				filter_node_add(nk, k);
				k = nk;
			}
		} else if (o->name[0] == '$') {
			qs_invalid_key(x->err, o->name, "filters");
			k = NULL;
		} else
			switch (attr_of(c, t, o->name, &cls, &target)) {
			case ATTR_SCALAR:
				k = attr_where(x, o->name, cls, o);
				break;
			case ATTR_RELATION:
				k = rel_where(x, o->name, target, o);
				break;
			default:
				qs_invalid_key(x->err, o->name, "filters");
				k = NULL;
			}
		if (k == NULL) {
			filter_free(and);
			return NULL;
		}
		filter_node_add(and, k);
	}
	return and;
}

/* 1 when the list needs a plan (anything but sort=publishedAt alone). */
int
qlang_needs_plan(const struct qs_spec *sp)
{
	return sp->nfilters > 0 || sp->nsort != 1 ||
	    strcmp(sp->sort[0].field, "publishedAt") != 0;
}

/*
 * Builds the plan of a list query: its filters (besides the indexed
 * slug and category) and sort, checked against the type t (NULL: the
 * collection's configured fields). Returns 0, or -1 with err.
 */
int
qlang_plan(struct list_plan *p, const struct qs_spec *sp,
    const struct conf *conf, const struct collection *c,
    const struct schema *schema, const struct schema_type *t,
    struct qs_error *err)
{
	struct qnode *root;
	struct qs_key k;
	struct ctx x;
	size_t i, j;
	const char *target = NULL;

	memset(p, 0, sizeof(*p));
	p->conf = conf;
	for (i = 0; i < sp->nsort; i++) {
		if (attr_of(c, t, sp->sort[i].field, &p->sort.key[i].cls,
		        &target) != ATTR_SCALAR) {
			qlang_plan_clear(p);
			return qs_invalid_key(err, sp->sort[i].field, "sort");
		}
		p->sort.key[i].attr = xstrdup(sp->sort[i].field); /* owned */
		p->sort.key[i].desc = sp->sort[i].desc;
		p->sort.nkey = i + 1;
	}
	if (sp->nfilters == 0)
		return 0;
	root = xcalloc(1, sizeof(*root));
	root->name = xstrdup("filters");
	for (i = 0; i < sp->nfilters; i++) {
		struct qnode *n = root;

		if (qs_key_split(sp->filters[i].key, strlen(sp->filters[i].key),
		        &k, QS_KEY_SEGS) == -1) {
			qnode_free(root);
			return qs_invalid_key(err, sp->filters[i].key,
			    "filters");
		}
		for (j = 1; j < k.nseg; j++)
			n = qnode_child(n, k.seg[j]);
		n->val = xreallocarray(n->val, n->nval + 1, sizeof(*n->val));
		n->val[n->nval++] = sp->filters[i].val;
	}
	memset(&x, 0, sizeof(x));
	x.conf = conf;
	x.schema = schema;
	x.err = err;
	p->filter = where(&x, c, t, root);
	qnode_free(root);
	if (p->filter == NULL) {
		qlang_plan_clear(p);
		return -1;
	}
	return 0;
}

/* Decodes cursor= for the plan's sort. */
int
qlang_cursor(struct list_plan *p, const char *cursor)
{
	if (filter_cursor_decode(&p->sort, cursor, &p->after) == -1)
		return -1;
	p->has_after = 1;
	return 0;
}

void
qlang_plan_clear(struct list_plan *p)
{
	size_t i;

	for (i = 0; i < p->sort.nkey; i++)
		free((char *)p->sort.key[i].attr);
	filter_free(p->filter);
	filter_row_clear(&p->after);
	memset(p, 0, sizeof(*p));
}

/* --- the scan ------------------------------------------------------------- */

struct scan {
	const struct render_query *q;
	struct list_plan *p;
	struct filter_row *rows;
	size_t nrows, cap;
	size_t seen;
	const char *locale; /* of the walk under way (the store's key) */
	int deferred;       /* relations: evaluate after the walk */
	int failed;
};

/*
 * filter_fetch_fn over the store: a related type's entry. Many entries
 * share a related one (an author, a category): each is read once per
 * list (a small cache), and the reads count against max_scan.
 */
#define FETCH_SLOTS 1024

struct fetch_slot {
	char *key; /* uid, documentId and locale, NUL-separated */
	size_t klen;
	int found;
	struct buf json;
};

struct fetch_cache {
	struct list_plan *p;
	struct fetch_slot slot[FETCH_SLOTS];
	size_t reads;
};

static int
fetch(void *arg, const char *uid, const char *doc, const char *locale,
    struct buf *out)
{
	struct fetch_cache *fc = arg;
	struct fetch_slot *sl = NULL;
	const struct collection *c;
	enum store_result r;
	struct buf key;
	uint64_t seq, h = 1469598103934665603ULL;
	size_t i, probe;

	if ((c = conf_collection_by_uid(fc->p->conf, uid, NULL)) == NULL ||
	    !entry_valid_key_string(doc, strlen(doc), ENTRY_MAX_ID))
		return 0;
	if (!resolve_localized(c))
		locale = "";
	buf_init(&key);
	buf_add(&key, uid, strlen(uid) + 1);
	buf_add(&key, doc, strlen(doc) + 1);
	buf_add(&key, locale, strlen(locale));
	for (i = 0; i < key.len; i++)
		h = (h ^ (unsigned char)key.data[i]) * 1099511628211ULL;
	for (probe = 0; probe < 8; probe++) {
		sl = &fc->slot[(h + probe) % FETCH_SLOTS];
		if (sl->key == NULL ||
		    (sl->klen == key.len &&
		        memcmp(sl->key, key.data, key.len) == 0))
			break;
		sl = NULL;
	}
	if (sl != NULL && sl->key != NULL) {
		buf_clear(&key);
		if (sl->found)
			buf_add(out, sl->json.data, sl->json.len);
		return sl->found;
	}
	if (++fc->reads > fc->p->max_scan) {
		fc->p->over = 1;
		buf_clear(&key);
		return -1;
	}
	r = store_get(fc->p->store, c->name, doc, locale, out, &seq);
	if (r != STORE_ERR && sl != NULL) {
		sl->klen = key.len;
		sl->key = buf_take(&key);
		sl->found = r == STORE_OK;
		buf_init(&sl->json);
		if (sl->found)
			buf_add(&sl->json, out->data, out->len);
	}
	buf_clear(&key);
	return r == STORE_OK ? 1 : r == STORE_ERR ? -1 : 0;
}

static void
fetch_cache_clear(struct fetch_cache *fc)
{
	size_t i;

	for (i = 0; i < FETCH_SLOTS; i++)
		if (fc->slot[i].key != NULL) {
			free(fc->slot[i].key);
			buf_clear(&fc->slot[i].json);
		}
	free(fc);
}

static struct filter_row *
row_add(struct scan *s)
{
	if (s->nrows == s->cap) {
		s->cap = s->cap > 0 ? 2 * s->cap : 64;
		s->rows = xreallocarray(s->rows, s->cap, sizeof(*s->rows));
	}
	memset(&s->rows[s->nrows], 0, sizeof(s->rows[0]));
	return &s->rows[s->nrows++];
}

/* Keeps one entry of the walk when it matches (or for later). */
static int
scan_one(struct scan *s, const char *json, size_t len, const char *doc,
    const char *locale)
{
	struct filter_row row, *r;
	int m;

	if (++s->seen > s->p->max_scan) {
		s->p->over = 1;
		return 1;
	}
	if (s->deferred) {
		r = row_add(s);
		r->json = xstrndup(json, len);
		r->json_len = len;
		r->locale = xstrdup(s->locale);
		return 0;
	}
	/* the default order needs only the id: no parse when it leads */
	if (s->p->filter == NULL && s->p->sort.nkey == 0 && doc != NULL &&
	    filter_row_quick(json, len, doc, locale, &row))
		m = 1;
	else
		m = filter_match(s->p->filter, &s->p->sort, json, len, NULL,
		    NULL, &row);
	if (m == 1) {
		/* the page's entries are read again at the end: no copy */
		r = row_add(s);
		*r = row;
		free(r->locale);
		r->locale = xstrdup(s->locale);
	}
	return 0;
}

static int
scan_item(void *arg, const struct store_item *it)
{
	return scan_one(arg, it->json, it->json_len, it->document_id,
	    it->locale);
}

/* qsort has no argument: the sort of the scan under way (one thread). */
static const struct filter_sort *cmp_sort;

static int
row_cmp(const void *a, const void *b)
{
	return filter_row_cmp(cmp_sort, a, b);
}

/* 1 when the entry's category field is q->category (slug and category). */
static int
in_category(const struct render_query *q, const char *json, size_t len)
{
	struct filter_node f;
	struct filter_val v;
	struct filter_sort none;
	struct filter_row row;

	memset(&f, 0, sizeof(f));
	memset(&none, 0, sizeof(none));
	f.kind = FILTER_CMP;
	f.attr = q->coll->category_field;
	f.op = FILTER_EQ;
	f.cls = FILTER_STRING;
	filter_cast(FILTER_STRING, q->category, &v);
	f.val = &v;
	f.nval = 1;
	if (filter_match(&f, &none, json, len, NULL, NULL, &row) != 1)
		return 0;
	filter_row_clear(&row);
	return 1;
}

/* The deferred rows (relation filters) evaluated now, kept or dropped. */
static int
scan_deferred(struct scan *s)
{
	struct fetch_cache *fc = xcalloc(1, sizeof(*fc));
	struct filter_row row;
	size_t i, n = 0;
	int m;

	fc->p = s->p;
	for (i = 0; i < s->nrows; i++) {
		m = s->failed
		    ? 0
		    : filter_match(s->p->filter, &s->p->sort, s->rows[i].json,
		          s->rows[i].json_len, fetch, fc, &row);
		if (m == -1)
			s->failed = 1;
		if (m == 1) {
			row.json = s->rows[i].json;
			row.json_len = s->rows[i].json_len;
			free(row.locale);
			row.locale = s->rows[i].locale;
			s->rows[i].json = NULL;
			s->rows[i].locale = NULL;
			filter_row_clear(&s->rows[i]);
			s->rows[n++] = row;
		} else
			filter_row_clear(&s->rows[i]);
	}
	s->nrows = n;
	fetch_cache_clear(fc);
	return s->failed ? -1 : 0;
}

/* A walk of the default order's index: the page, and the last entry. */
struct id_walk {
	store_item_cb cb;
	void *arg;
	size_t want, n;
	int more;        /* an entry follows the page */
	struct buf last; /* the page's last entry (for the cursor) */
	char *last_doc;
};

static int
id_item(void *arg, const struct store_item *it)
{
	struct id_walk *w = arg;

	if (w->n == w->want) {
		w->more = 1;
		return 1;
	}
	w->n++;
	buf_reset(&w->last);
	buf_add(&w->last, it->json, it->json_len);
	free(w->last_doc);
	w->last_doc = xstrdup(it->document_id);
	return w->cb(w->arg, it);
}

/*
 * 1 when the store's index of the default order answers q's plan: no
 * filter, the default sort or id alone, one locale, no category or slug
 * (those read their own indexes, then scan). *desc: sort=id:desc.
 */
static int
id_order(struct store *st, const struct render_query *q, int *desc)
{
	const struct filter_sort *so = &q->plan->sort;

	if (q->plan->filter != NULL || q->slug != NULL || q->category != NULL ||
	    q->nlocales > 0 || q->nothing || !store_has_id_order(st))
		return 0;
	if (so->nkey == 0) {
		*desc = 0;
		return 1;
	}
	if (so->nkey == 1 && strcmp(so->key[0].attr, "id") == 0) {
		*desc = so->key[0].desc;
		return 1;
	}
	return 0;
}

/*
 * qlang_run's answer from the index: the page after skip entries (or
 * after the cursor), read in id order, counted in O(log n), never more
 * than the page read; next_cursor as the scan makes it.
 */
static int
run_id_order(struct store *st, const struct render_query *q, store_item_cb cb,
    void *arg, uint64_t *total, uint64_t *seq, uint64_t skip, size_t want,
    struct buf *next_cursor, int desc)
{
	struct list_plan *p = q->plan;
	struct store_list_query lq;
	struct store_pos pos;
	struct filter_row row;
	struct id_walk w;
	int rc = -1;

	memset(&lq, 0, sizeof(lq));
	lq.collection = q->coll->name;
	lq.locale = q->locale;
	lq.by_id = 1;
	lq.descending = desc;
	lq.limit = want + 1;
	if (p->has_after) {
		memset(&pos, 0, sizeof(pos));
		pos.published_at = p->after.key[0].null
		    ? INT64_MIN
		    : (int64_t)p->after.key[0].num;
		snprintf(pos.document_id, sizeof(pos.document_id), "%s",
		    p->after.document_id != NULL ? p->after.document_id : "");
		lq.after = &pos;
	} else
		lq.offset = skip;
	memset(&w, 0, sizeof(w));
	w.cb = cb;
	w.arg = arg;
	w.want = want;
	buf_init(&w.last);
	if (store_list(st, &lq, id_item, &w, total, seq) == -1)
		goto out;
	if (w.more && w.n > 0 &&
	    filter_match(NULL, &p->sort, w.last.data, w.last.len, NULL, NULL,
	        &row) == 1) {
		free(row.locale);
		row.locale = xstrdup(q->locale);
		free(row.document_id);
		row.document_id = xstrdup(w.last_doc);
		filter_cursor_encode(&p->sort, &row, next_cursor);
		filter_row_clear(&row);
	}
	rc = 0;
out:
	buf_clear(&w.last);
	free(w.last_doc);
	return rc;
}

/*
 * Runs the plan of q: walks the collection (q's locale or locales, its
 * category or slug), keeps the matches, sorts them, and gives cb the
 * page: skip entries skipped (none after a cursor), want at most. *total
 * is the number of matches, *seq the newest snapshot read; next_cursor
 * gets a cursor after the page when more follow. Returns 0, or -1 (the
 * store failed, or more than max_scan entries: plan->over).
 */
int
qlang_run(struct store *st, const struct render_query *q, store_item_cb cb,
    void *arg, uint64_t *total, uint64_t *seq, uint64_t skip, size_t want,
    struct buf *next_cursor)
{
	struct store_list_query lq;
	struct scan s;
	struct store_item it;
	struct buf one;
	const char *const *locales = &q->locale;
	size_t nlocales = 1, i, start = 0, n = 0, last = 0;
	uint64_t t, sq;
	enum store_result r;
	int rc = -1, desc;

	if (id_order(st, q, &desc))
		return run_id_order(st, q, cb, arg, total, seq, skip, want,
		    next_cursor, desc);
	memset(&s, 0, sizeof(s));
	s.q = q;
	s.p = q->plan;
	s.p->store = st;
	s.p->over = 0;
	s.deferred = filter_has_rel(s.p->filter);
	if (q->nlocales > 0) {
		locales = q->locales;
		nlocales = q->nlocales;
	}
	*seq = 0;
	for (i = 0; i < nlocales && !q->nothing; i++) {
		s.locale = locales[i];
		if (q->slug != NULL) {
			/* a slug names at most one entry per locale */
			buf_init(&one);
			r = store_get_by_slug(st, q->coll->name, locales[i],
			    q->slug, &one, &sq);
			if (r == STORE_OK &&
			    (q->category == NULL ||
			        in_category(q, one.data, one.len)))
				scan_one(&s, one.data, one.len, NULL, NULL);
			buf_clear(&one);
			if (r == STORE_ERR)
				goto out;
		} else {
			memset(&lq, 0, sizeof(lq));
			lq.collection = q->coll->name;
			lq.locale = locales[i];
			lq.category = q->category;
			lq.ascending = 1;
			lq.limit = s.p->max_scan + 1;
			if (store_list(st, &lq, scan_item, &s, &t, &sq) == -1)
				goto out;
		}
		if (sq > *seq)
			*seq = sq;
		if (s.p->over)
			goto out;
	}
	if (q->nothing && store_last_seq(st, seq) == -1)
		goto out;
	if (s.deferred && scan_deferred(&s) == -1)
		goto out;
	cmp_sort = &s.p->sort;
	if (s.nrows > 1)
		qsort(s.rows, s.nrows, sizeof(*s.rows), row_cmp);
	*total = s.nrows;
	if (s.p->has_after) {
		while (start < s.nrows &&
		    filter_row_cmp(&s.p->sort, &s.rows[start], &s.p->after) <=
		        0)
			start++;
	} else
		start = skip < s.nrows ? (size_t)skip : s.nrows;
	buf_init(&one);
	for (i = start; i < s.nrows && n < want; i++) {
		struct filter_row *row = &s.rows[i];

		if (row->json == NULL) {
			/* read again: an entry removed since is left out */
			buf_reset(&one);
			r = store_get(st, q->coll->name, row->document_id,
			    row->locale, &one, &sq);
			if (r == STORE_ERR) {
				buf_clear(&one);
				goto out;
			}
			if (r != STORE_OK)
				continue;
		}
		memset(&it, 0, sizeof(it));
		it.document_id = row->document_id;
		it.locale = row->locale;
		it.json = row->json != NULL ? row->json : one.data;
		it.json_len = row->json != NULL ? row->json_len : one.len;
		n++;
		last = i;
		if (cb(arg, &it) != 0)
			break;
	}
	buf_clear(&one);
	if (n > 0 && last + 1 < s.nrows)
		filter_cursor_encode(&s.p->sort, &s.rows[last], next_cursor);
	rc = 0;
out:
	for (i = 0; i < s.nrows; i++)
		filter_row_clear(&s.rows[i]);
	free(s.rows);
	return rc;
}
