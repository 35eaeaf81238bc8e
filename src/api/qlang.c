/* qlang.c: Strapi's filters and sort on lists: the plan */
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
	char path[QS_MAX_KEY + 1]; /* the attributes entered, dotted */
};

/*
 * Enters attribute name: Strapi's path.attribute grows by attributes
 * alone (Strapi's query traversal), and id is none. Returns the
 * length to restore.
 */
static size_t
path_push(struct ctx *x, const char *name)
{
	size_t len = strlen(x->path);

	if (strcmp(name, "id") != 0)
		snprintf(x->path + len, sizeof(x->path) - len, "%s%s",
		    len > 0 ? "." : "", name);
	return len;
}

/*
 * Refuses key at the attributes entered, and at itself when it is one
 * (Strapi's validateFilters, and its refusal of a private, password or
 * dynamic-zone attribute): throwInvalidKey's words.
 */
static void
bad_key(struct ctx *x, const char *key, int is_attr)
{
	size_t len = is_attr ? path_push(x, key) : strlen(x->path);

	qs_invalid_key_at(x->err, key, x->path, "filters");
	x->path[len] = '\0';
}

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

/*
 * The class of a scalar attribute of c (its type t, or NULL) as filters
 * and sort compare it: 0 and *cls, or -1 when name is not one.
 */
int
qlang_attr_class(const struct collection *c, const struct schema_type *t,
    const char *name, enum filter_class *cls)
{
	const char *target = NULL;

	return attr_of(c, t, name, cls, &target) == ATTR_SCALAR ? 0 : -1;
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
	if (!qnode_is_array(n) || n->nval > 0) {
		bad_key(x, op, 0);
		return -1;
	}
	qsort(n->kid, n->nkid, sizeof(*n->kid), index_cmp);
	free(n->val);
	n->val = xreallocarray(NULL, n->nkid, sizeof(*n->val));
	n->nval = 0;
	for (i = 0; i < n->nkid; i++) {
		if (n->kid[i]->nkid > 0 || n->kid[i]->nval != 1) {
			bad_key(x, op, 0);
			return -1;
		}
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
		bad_key(x, attr, 0);
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
			bad_key(x, o->name, 0);
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
	size_t i, len;

	if (n->nval > 0) {
		bad_key(x, n->name, 0);
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
			bad_key(x, o->name, 0);
			k = NULL;
		} else
			switch (attr_of(c, t, o->name, &cls, &target)) {
			case ATTR_SCALAR:
				len = path_push(x, o->name);
				k = attr_where(x, o->name, cls, o);
				x->path[len] = '\0';
				break;
			case ATTR_RELATION:
				len = path_push(x, o->name);
				k = rel_where(x, o->name, target, o);
				x->path[len] = '\0';
				break;
			default: /* unknown, or not one filters take here */
				bad_key(x, o->name,
				    t != NULL &&
				        schema_attr(t, o->name) != NULL);
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
 * Refuses sort key f, no scalar of t, as Strapi's validateSort words
 * it: a name the type it is on has not (id and documentId it always
 * has) at the attributes before it; a private or dynamic-zone attribute,
 * or a relation, media or component the key ends on
 * (nonScalarEmptyKeys), at the attributes down to it and with it; but
 * with an order written after it (sort=category:asc), the order is
 * sorted on in what it populates (Strapi's sort traversal: onRelation,
 * onMedia, onComponent), which has no attribute of that name. A path
 * Strapi takes (through a relation or component) is one this mirror
 * does not sort on.
 */
static int
sort_refuse(const struct schema *schema, const struct schema_type *t,
    const struct qs_sort *k, struct qs_error *err)
{
	char path[QS_MAX_KEY + 1], name[QS_MAX_KEY + 1];
	const struct schema_attr *a;
	const char *f = k->field;
	size_t len = 0, n;

	path[0] = '\0';
	for (;; f += n + 1) {
		n = strcspn(f, ".");
		snprintf(name, sizeof(name), "%.*s", (int)n, f);
		a = t != NULL ? schema_attr(t, name) : NULL;
		if (strcmp(name, "id") == 0 || strcmp(name, "documentId") == 0)
			break;
		if (a == NULL)
			return qs_invalid_key_at(err, name, path, "sort");
		if (len + 1 + strlen(name) >= sizeof(path))
			break; /* longer than any key Strapi names */
		len += (size_t)snprintf(path + len, sizeof(path) - len, "%s%s",
		    len > 0 ? "." : "", name);
		if (f[n] == '\0' && k->order != NULL &&
		    a->kind != SCHEMA_SCALAR && a->kind != SCHEMA_DYNAMICZONE)
			return qs_invalid_key_at(err, k->order, path, "sort");
		if (a->private || a->kind == SCHEMA_DYNAMICZONE ||
		    (f[n] == '\0' && a->kind != SCHEMA_SCALAR))
			return qs_invalid_key_at(err, name, path, "sort");
		if (f[n] == '\0' || a->kind == SCHEMA_SCALAR ||
		    a->kind == SCHEMA_MEDIA)
			break;
		t = schema_type(schema,
		    a->kind == SCHEMA_RELATION ? a->target : a->component);
		if (t == NULL)
			break;
	}
	return qs_fail(err,
	    "Invalid sort: %.128s is not sorted on here (a scalar attribute "
	    "of the type is)",
	    k->field);
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
			if (t == NULL)
				return qs_invalid_key(err, sp->sort[i].field,
				    "sort");
			return sort_refuse(schema, t, &sp->sort[i], err);
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
	if (root->nval > 0) /* Strapi's query conversion: filters=x */
		qs_fail(err,
		    "The filters parameter must be an object or an "
		    "array");
	else
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

/* The message of a list refused past max_scan (REST's and live's 400). */
void
qlang_over_message(char *out, size_t len, size_t max_scan)
{
	snprintf(out, len,
	    "The list reads more than %zu entries (query_max_scan) for its "
	    "filters or sort: add a slug or category filter, or sort by "
	    "publishedAt",
	    max_scan);
}
