/* normalize.c: Strapi payload entries into stored and public forms; pure */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/entry.h"
#include "model/jsonget.h"
#include "model/normalize.h"
#include "util/xmalloc.h"

/* The keys every entry has that no schema names (schema.h). */
static const char *const own_keys[] = { "id", "documentId", "createdAt",
	"updatedAt", "publishedAt", "locale", NULL };

/* What one normalize_entry call collects while it walks the payload. */
struct walk {
	const struct schema *schema;
	struct norm_media *media;
	size_t nmedia, media_cap;
	struct norm_ref *refs;
	size_t nrefs, refs_cap;
	char *why;  /* NORM_WHY_MAX bytes */
	int ids_ok; /* a media may be a file's id alone (a stored form) */
};

void
norm_init(struct norm *n)
{
	memset(n, 0, sizeof(*n));
}

void
norm_media_clear(struct norm_media *m)
{
	free(m->json);
	memset(m, 0, sizeof(*m));
}

static void
ref_clear(struct norm_ref *r)
{
	free(r->attr);
	free(r->target);
	free(r->document_id);
	free(r->locale);
}

static void
walk_clear(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nmedia; i++)
		norm_media_clear(&w->media[i]);
	free(w->media);
	for (i = 0; i < w->nrefs; i++)
		ref_clear(&w->refs[i]);
	free(w->refs);
	w->media = NULL;
	w->refs = NULL;
	w->nmedia = w->nrefs = 0;
}

void
norm_clear(struct norm *n)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.media = n->media;
	w.nmedia = n->nmedia;
	w.refs = n->refs;
	w.nrefs = n->nrefs;
	walk_clear(&w);
	free(n->json);
	free(n->public_json);
	norm_init(n);
}

/* Fails the walk with "<path>: <what>" in w->why. */
static int
fail(struct walk *w, const char *path, const char *what)
{
	snprintf(w->why, NORM_WHY_MAX, "entry.%.64s: %s", path, what);
	return -1;
}

static char *
to_text(struct json_object *o, size_t *len)
{
	const char *s;

	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	*len = strlen(s);
	return xstrndup(s, *len);
}

/*
 * A file object into a media row. 0, or -1 with *why (static) when it has
 * no integer id or no valid updatedAt.
 */
static int
media_row(struct norm_media *m, struct json_object *file, const char **why)
{
	struct json_object *v;
	const char *s;
	int64_t id, ua, pa = ENTRY_DRAFT;

	if (!json_object_is_type(file, json_type_object)) {
		*why = "must be an object";
		return -1;
	}
	if (!json_object_object_get_ex(file, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (id = json_object_get_int64(v)) <= 0) {
		*why = "id: missing or not a positive integer";
		return -1;
	}
	if ((s = jsonget_str(file, "updatedAt")) == NULL ||
	    (ua = entry_parse_time(s)) == -1) {
		*why = "updatedAt: missing or not an ISO 8601 time";
		return -1;
	}
	if (json_object_object_get_ex(file, "publishedAt", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_string) ||
		    (pa = entry_parse_time(json_object_get_string(v))) == -1) {
			*why = "publishedAt: not null or an ISO 8601 time";
			return -1;
		}
	}
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->updated_at = ua;
	m->published_at = pa;
	/*
	 * The upload plugin's REST answers add "isUrlSigned", which query.fcgi
	 * adds itself: a file is stored as deliveries carry it.
	 */
	v = json_object_new_object();
	{
		json_object_object_foreach(file, k, fv)
		{
			if (strcmp(k, "isUrlSigned") != 0)
				json_object_object_add(v, k,
				    json_object_get(fv));
		}
	}
	m->json = to_text(v, &m->json_len);
	json_object_put(v);
	return 0;
}

int
normalize_media(struct norm_media *m, struct json_object *media,
    const char **why)
{
	const char *w;

	if (media == NULL || !json_object_is_type(media, json_type_object)) {
		*why = "media: must be an object";
		return -1;
	}
	if (media_row(m, media, &w) == -1) {
		/* The messages of media_row, prefixed for a delivery. */
		if (strncmp(w, "id", 2) == 0)
			*why = "media.id: missing or not a positive integer";
		else if (strncmp(w, "updatedAt", 9) == 0)
			*why = "media.updatedAt: missing or not an ISO 8601 "
			       "time";
		else
			*why = "media.publishedAt: not null or an ISO 8601 "
			       "time";
		return -1;
	}
	return 0;
}

/* A file met at path: its id, and its row unless one is already kept. */
static int
add_media(struct walk *w, const char *path, struct json_object *file,
    struct json_object **id_out)
{
	struct norm_media m;
	const char *why;
	size_t i;

	if (w->ids_ok && json_object_is_type(file, json_type_int) &&
	    json_object_get_int64(file) > 0) {
		/* A stored form's file id: the id, and no media row. */
		*id_out = json_object_new_int64(json_object_get_int64(file));
		return 0;
	}
	if (media_row(&m, file, &why) == -1)
		return fail(w, path,
		    json_object_is_type(file, json_type_object)
		        ? why
		        : "media must be a file object or null");
	*id_out = json_object_new_int64(m.id);
	for (i = 0; i < w->nmedia; i++)
		if (w->media[i].id == m.id) {
			norm_media_clear(&m);
			return 0;
		}
	if (w->nmedia == w->media_cap) {
		w->media_cap = w->media_cap ? w->media_cap * 2 : 4;
		w->media =
		    xreallocarray(w->media, w->media_cap, sizeof(*w->media));
	}
	w->media[w->nmedia++] = m;
	return 0;
}

static void
add_ref(struct walk *w, const char *path, const char *target,
    const char *doc_id, const char *locale)
{
	struct norm_ref *r;
	size_t i;

	for (i = 0; i < w->nrefs; i++) {
		r = &w->refs[i];
		if (strcmp(r->attr, path) == 0 &&
		    strcmp(r->target, target) == 0 &&
		    strcmp(r->document_id, doc_id) == 0 &&
		    strcmp(r->locale, locale) == 0)
			return;
	}
	if (w->nrefs == w->refs_cap) {
		w->refs_cap = w->refs_cap ? w->refs_cap * 2 : 4;
		w->refs = xreallocarray(w->refs, w->refs_cap, sizeof(*w->refs));
	}
	r = &w->refs[w->nrefs++];
	r->attr = xstrdup(path);
	r->target = xstrdup(target);
	r->document_id = xstrdup(doc_id);
	r->locale = xstrdup(locale);
}

/*
 * One related row into {"documentId","locale"?}, recording the reference.
 * Returns the new object, or NULL after fail().
 */
static struct json_object *
relation_row(struct walk *w, const char *path, const struct schema_attr *a,
    struct json_object *row)
{
	struct json_object *o, *v;
	const char *doc_id, *locale = NULL;

	if (!json_object_is_type(row, json_type_object)) {
		fail(w, path, "a related row must be an object");
		return NULL;
	}
	if ((doc_id = jsonget_str(row, "documentId")) == NULL ||
	    !entry_valid_key_string(doc_id, strlen(doc_id), ENTRY_MAX_ID)) {
		fail(w, path, "a related row needs a documentId string");
		return NULL;
	}
	if (json_object_object_get_ex(row, "locale", &v) && v != NULL) {
		if ((locale = jsonget_str(row, "locale")) == NULL ||
		    strlen(locale) > ENTRY_MAX_LOCALE) {
			fail(w, path, "locale must be a short string or null");
			return NULL;
		}
	}
	o = json_object_new_object();
	json_object_object_add(o, "documentId", json_object_new_string(doc_id));
	if (locale != NULL)
		json_object_object_add(o, "locale",
		    json_object_new_string(locale));
	add_ref(w, path, a->target, doc_id, locale != NULL ? locale : "");
	return o;
}

/* 1 when the to-many list out already holds (documentId, locale) of o. */
static int
listed(struct json_object *out, struct json_object *o)
{
	const char *d = jsonget_str(o, "documentId");
	const char *l = jsonget_str(o, "locale");
	const char *d2, *l2;
	size_t i, n = json_object_array_length(out);

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(out, i);

		d2 = jsonget_str(e, "documentId");
		l2 = jsonget_str(e, "locale");
		if (strcmp(d, d2) == 0 &&
		    strcmp(l != NULL ? l : "", l2 != NULL ? l2 : "") == 0)
			return 1;
	}
	return 0;
}

/*
 * A relation's value. *out gets the stored value, or stays NULL when the
 * relation is to be left out ({"count":N}). 0, or -1 after fail().
 */
static int
norm_relation(struct walk *w, const char *path, const struct schema_attr *a,
    struct json_object *v, struct json_object **out)
{
	struct json_object *arr, *o;
	size_t i, n;

	*out = NULL;
	if (v == NULL) {
		*out = json_object_new_null();
		return 0;
	}
	if (json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "count", NULL) &&
	    !json_object_object_get_ex(v, "documentId", NULL))
		return 0; /* the Content Manager's counts (unpublish) */
	if (json_object_is_type(v, json_type_object) && !a->many) {
		if ((*out = relation_row(w, path, a, v)) == NULL)
			return -1;
		return 0;
	}
	if (!a->many || !json_object_is_type(v, json_type_array))
		return fail(w, path,
		    a->many ? "a to-many relation must be an array, null or "
		              "{\"count\":N}"
		            : "a to-one relation must be an object, null or "
		              "{\"count\":N}");
	arr = json_object_new_array();
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		o = relation_row(w, path, a, json_object_array_get_idx(v, i));
		if (o == NULL) {
			json_object_put(arr);
			return -1;
		}
		if (listed(arr, o))
			json_object_put(o);
		else
			json_object_array_add(arr, o);
	}
	*out = arr;
	return 0;
}

static int
norm_media_value(struct walk *w, const char *path, const struct schema_attr *a,
    struct json_object *v, struct json_object **out)
{
	struct json_object *arr, *id;
	size_t i, n;

	if (v == NULL) {
		*out = json_object_new_null();
		return 0;
	}
	if (json_object_is_type(v, json_type_object) ||
	    (w->ids_ok && json_object_is_type(v, json_type_int))) {
		if (add_media(w, path, v, &id) == -1)
			return -1;
		if (a->multiple) {
			*out = json_object_new_array();
			json_object_array_add(*out, id);
		} else
			*out = id;
		return 0;
	}
	if (!a->multiple || !json_object_is_type(v, json_type_array))
		return fail(w, path,
		    a->multiple ? "media must be an array of file objects or "
		                  "null"
		                : "media must be a file object or null");
	arr = json_object_new_array();
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		if (add_media(w, path, json_object_array_get_idx(v, i), &id) ==
		    -1) {
			json_object_put(arr);
			return -1;
		}
		json_object_array_add(arr, id);
	}
	*out = arr;
	return 0;
}

static int norm_object(struct walk *, const struct schema_type *,
    struct json_object *, const char *prefix, int in_zone,
    struct json_object *stored, struct json_object *pub);

/* One component object of type ct into a new object *out. */
static int
norm_component(struct walk *w, const char *path, const struct schema_type *ct,
    struct json_object *v, int in_zone, struct json_object **out)
{
	struct json_object *o;

	if (!json_object_is_type(v, json_type_object))
		return fail(w, path, "a component must be an object");
	o = json_object_new_object();
	if (norm_object(w, ct, v, path, in_zone, o, NULL) == -1) {
		json_object_put(o);
		return -1;
	}
	*out = o;
	return 0;
}

static int
zone_lists(const struct schema_attr *a, const char *uid)
{
	size_t i;

	for (i = 0; i < a->ncomponents; i++)
		if (strcmp(a->components[i], uid) == 0)
			return 1;
	return 0;
}

static int
norm_zone(struct walk *w, const char *path, const struct schema_attr *a,
    struct json_object *v, struct json_object **out)
{
	const struct schema_type *ct;
	struct json_object *arr, *item, *o;
	const char *uid;
	size_t i, n;

	if (v == NULL) {
		*out = json_object_new_null();
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return fail(w, path, "a dynamic zone must be an array or null");
	arr = json_object_new_array();
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(v, i);
		if (!json_object_is_type(item, json_type_object) ||
		    (uid = jsonget_str(item, "__component")) == NULL) {
			json_object_put(arr);
			return fail(w, path,
			    "a dynamic zone item must be an object with a "
			    "\"__component\" string");
		}
		if (!zone_lists(a, uid) ||
		    (ct = schema_type(w->schema, uid)) == NULL)
			continue; /* not one the schema lets this zone hold */
		if (norm_component(w, path, ct, item, 1, &o) == -1) {
			json_object_put(arr);
			return -1;
		}
		json_object_array_add(arr, o);
	}
	*out = arr;
	return 0;
}

static int
norm_components(struct walk *w, const char *path, const struct schema_attr *a,
    struct json_object *v, struct json_object **out)
{
	const struct schema_type *ct;
	struct json_object *arr, *o;
	size_t i, n;

	if (v == NULL) {
		*out = json_object_new_null();
		return 0;
	}
	if ((ct = schema_type(w->schema, a->component)) == NULL)
		return fail(w, path, "the schema lacks this component");
	if (!a->repeatable)
		return norm_component(w, path, ct, v, 0, out);
	if (!json_object_is_type(v, json_type_array))
		return fail(w, path,
		    "a repeatable component must be an array or null");
	arr = json_object_new_array();
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		if (norm_component(w, path, ct, json_object_array_get_idx(v, i),
		        0, &o) == -1) {
			json_object_put(arr);
			return -1;
		}
		json_object_array_add(arr, o);
	}
	*out = arr;
	return 0;
}

/*
 * The side of a relation that Strapi keeps on the other type (oneToMany
 * mappedBy a manyToOne: author.articles): a to-many relation whose target
 * has exactly one relation back to t, and that one to-one. It is not
 * stored: answers read it from the store's referrer index, and a
 * payload's copy of it is as old as the payload (finding F5).
 */
static int
inverse_side(const struct walk *w, const struct schema_type *t,
    const struct schema_attr *a)
{
	const struct schema_type *tt;

	return a->many && (tt = schema_type(w->schema, a->target)) != NULL &&
	    schema_inverse(t, a, tt) != NULL;
}

/* Copies obj's key k, when it has one, into stored and pub (if not NULL). */
static void
copy_key(struct json_object *obj, const char *k, struct json_object *stored,
    struct json_object *pub)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, k, &v))
		return;
	json_object_object_add(stored, k, json_object_get(v));
	if (pub != NULL)
		json_object_object_add(pub, k, json_object_get(v));
}

/* One attribute a of obj (of type t), when obj has it, into stored. */
static int
norm_attr(struct walk *w, const struct schema_type *t,
    const struct schema_attr *a, struct json_object *obj, const char *prefix,
    struct json_object *stored, struct json_object *pub)
{
	struct json_object *v, *nv = NULL;
	char path[256];
	size_t nrefs = w->nrefs;
	int r;

	if (a->private || !json_object_object_get_ex(obj, a->name, &v))
		return 0;
	if (a->kind == SCHEMA_SCALAR) {
		copy_key(obj, a->name, stored, pub);
		return 0;
	}
	snprintf(path, sizeof(path), "%.120s%s%.120s", prefix,
	    prefix[0] != '\0' ? "." : "", a->name);
	switch (a->kind) {
	case SCHEMA_RELATION:
		r = norm_relation(w, path, a, v, &nv);
		if (r == 0 && inverse_side(w, t, a)) {
			/* Checked as any relation, then left out. */
			for (; w->nrefs > nrefs; w->nrefs--)
				ref_clear(&w->refs[w->nrefs - 1]);
			json_object_put(nv);
			return 0;
		}
		break;
	case SCHEMA_MEDIA:
		r = norm_media_value(w, path, a, v, &nv);
		break;
	case SCHEMA_COMPONENT:
		r = norm_components(w, path, a, v, &nv);
		break;
	default:
		r = norm_zone(w, path, a, v, &nv);
		break;
	}
	if (r == -1)
		return -1;
	if (nv != NULL)
		json_object_object_add(stored, a->name, nv);
	else if (a->kind != SCHEMA_RELATION)
		json_object_object_add(stored, a->name, NULL);
	return 0;
}

/*
 * Walks obj (of type t) into stored, and into pub (NULL for components)
 * the keys the public form keeps, in one order whatever the payload's
 * (a webhook's and a REST answer's differ), Strapi's: "id",
 * "documentId", the scalar attributes in the schema's order, the
 * timestamps and "locale", then the other attributes in the schema's
 * order; a component: "id", its attributes, "__component". prefix: the
 * attribute path so far ("" at the top).
 */
static int
norm_object(struct walk *w, const struct schema_type *t,
    struct json_object *obj, const char *prefix, int in_zone,
    struct json_object *stored, struct json_object *pub)
{
	size_t i, pass;

	copy_key(obj, "id", stored, pub);
	if (t->component) {
		for (i = 0; i < t->nattrs; i++)
			if (norm_attr(w, t, &t->attrs[i], obj, prefix, stored,
			        NULL) == -1)
				return -1;
		if (in_zone)
			copy_key(obj, "__component", stored, NULL);
		return 0;
	}
	copy_key(obj, "documentId", stored, pub);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < t->nattrs; i++)
			if ((t->attrs[i].kind == SCHEMA_SCALAR) ==
			        (pass == 0) &&
			    norm_attr(w, t, &t->attrs[i], obj, prefix, stored,
			        pub) == -1)
				return -1;
		/* own_keys after "id" and "documentId": the timestamps */
		for (i = 2; pass == 0 && own_keys[i] != NULL; i++)
			copy_key(obj, own_keys[i], stored, pub);
	}
	return 0;
}

static int normalize(struct norm *, const struct schema *,
    const struct schema_type *, struct json_object *, int ids_ok,
    const char **);

int
normalize_entry(struct norm *n, const struct schema *s,
    const struct schema_type *t, struct json_object *entry, const char **why)
{
	return normalize(n, s, t, entry, 0, why);
}

int
normalize_stored(struct norm *n, const struct schema *s,
    const struct schema_type *t, struct json_object *entry, const char **why)
{
	return normalize(n, s, t, entry, 1, why);
}

static int
normalize(struct norm *n, const struct schema *s, const struct schema_type *t,
    struct json_object *entry, int ids_ok, const char **why)
{
	struct json_object *stored, *pub;
	struct walk w;
	int ret = -1;

	if (entry == NULL || !json_object_is_type(entry, json_type_object)) {
		*why = "entry: must be an object";
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.schema = s;
	w.why = n->why;
	w.ids_ok = ids_ok;
	stored = json_object_new_object();
	pub = json_object_new_object();
	if (norm_object(&w, t, entry, "", 0, stored, pub) == -1) {
		*why = n->why;
		walk_clear(&w);
		goto out;
	}
	norm_clear(n);
	n->json = to_text(stored, &n->json_len);
	n->public_json = to_text(pub, &n->public_len);
	n->media = w.media;
	n->nmedia = w.nmedia;
	n->refs = w.refs;
	n->nrefs = w.nrefs;
	ret = 0;
out:
	json_object_put(stored);
	json_object_put(pub);
	return ret;
}

int
normalize_shared_differ(const struct schema_type *t, const char *a, size_t alen,
    const char *b, size_t blen)
{
	struct json_object *x, *y, *vx, *vy;
	const char *why;
	size_t i;
	int differ = 0;

	x = entry_parse_json(a, alen, &why);
	y = entry_parse_json(b, blen, &why);
	if (!json_object_is_type(x, json_type_object) ||
	    !json_object_is_type(y, json_type_object))
		differ = 1;
	for (i = 0; i < t->nattrs && !differ; i++) {
		if (t->attrs[i].localized)
			continue;
		if (!json_object_object_get_ex(x, t->attrs[i].name, &vx))
			vx = NULL;
		if (!json_object_object_get_ex(y, t->attrs[i].name, &vy))
			vy = NULL;
		differ = !json_object_equal(vx, vy);
	}
	json_object_put(x);
	json_object_put(y);
	return differ;
}
