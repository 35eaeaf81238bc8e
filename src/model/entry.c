/* entry.c: validates Strapi entry JSON into struct entry; pure */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/entry.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

void
entry_init(struct entry *e)
{
	memset(e, 0, sizeof(*e));
	e->published_at = ENTRY_DRAFT;
}

void
entry_clear(struct entry *e)
{
	free(e->document_id);
	free(e->locale);
	free(e->slug);
	free(e->category);
	free(e->json);
	entry_init(e);
}

int
entry_is_published(const struct entry *e)
{
	return e->published_at != ENTRY_DRAFT;
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Parses an ISO 8601 UTC time as Strapi writes it ("2026-11-22T22:24:19.733Z",
 * or with a +hh:mm offset). Returns ms since the epoch, or -1 when invalid.
 */
int64_t
entry_parse_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, ms = 0, sign = 1, n;
	const char *p;
	time_t t;

	if (s == NULL || strlen(s) < 20 || strlen(s) > 40)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		for (n = 0; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				ms = ms * 10 + (*p - '0');
		if (n == 0)
			return -1;
		for (; n < 3; n++)
			ms *= 10;
	}
	if (*p == 'Z' && p[1] == '\0')
		;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om))
			return -1;
	} else
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || y < 1970)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	return (int64_t)t * 1000 + ms;
}

/* Writes ms as "2026-11-22T22:24:19.733Z". */
void
entry_format_time(int64_t ms, char out[64])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (int)(ms % 1000));
}

/*
 * A string that may be part of a store key: 1..max bytes, no control
 * characters (so no NUL, which separates key parts).
 */
int
entry_valid_key_string(const char *s, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Reads an optional string field. Returns 0 with *out (allocated, or NULL
 * for null/absent/empty), or -1 when the field has another type or is not
 * a valid key string.
 */
static int
opt_string(struct json_object *obj, const char *field, size_t max, char **out)
{
	struct json_object *v;
	const char *s;
	size_t n;

	*out = NULL;
	if (field[0] == '\0' || !json_object_object_get_ex(obj, field, &v) ||
	    v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0)
		return 0;
	if (!entry_valid_key_string(s, n, max))
		return -1;
	*out = xstrndup(s, n);
	return 0;
}

static int
time_field(struct json_object *obj, const char *field, int nullable,
    int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, field, &v) || v == NULL) {
		if (!nullable)
			return -1;
		*out = ENTRY_DRAFT;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = entry_parse_time(json_object_get_string(v));
	return *out == -1 ? -1 : 0;
}

/*
 * Validates a Strapi 5 entry object (flat: documentId, fields, createdAt,
 * updatedAt, publishedAt, optional locale) into e. Returns 0, or -1 with
 * *why (static text naming the field). e is written only on success; the
 * caller clears it with entry_clear.
 */
int
entry_from_json(struct entry *e, const struct collection *c,
    struct json_object *obj, const char **why)
{
	struct entry n;
	struct json_object *v;
	const char *s;
	size_t len;

	entry_init(&n);
	n.coll = c;
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		*why = "entry: must be an object";
		return -1;
	}
	if (!json_object_object_get_ex(obj, "documentId", &v) || v == NULL) {
		*why = "entry.documentId: missing";
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*why = "entry.documentId: must be a string";
		return -1;
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (!entry_valid_key_string(s, len, ENTRY_MAX_ID) ||
	    strchr(s, '/') != NULL) {
		*why = "entry.documentId: must be 1-128 printable characters "
		       "without '/'";
		return -1;
	}
	if (time_field(obj, "updatedAt", 0, &n.updated_at) == -1) {
		*why = "entry.updatedAt: missing or not an ISO 8601 time";
		return -1;
	}
	if (time_field(obj, "createdAt", 1, &n.created_at) == -1) {
		*why = "entry.createdAt: not an ISO 8601 time";
		return -1;
	}
	if (time_field(obj, "publishedAt", 1, &n.published_at) == -1) {
		*why = "entry.publishedAt: not null or an ISO 8601 time";
		return -1;
	}
	n.document_id = xstrndup(s, len);
	if (opt_string(obj, "locale", ENTRY_MAX_LOCALE, &n.locale) == -1) {
		*why = "entry.locale: must be a short string or null";
		goto fail;
	}
	if (n.locale == NULL)
		n.locale = xstrdup("");
	if (opt_string(obj, c->slug_field, ENTRY_MAX_SLUG, &n.slug) == -1) {
		*why = "entry.slug: must be a string of at most 512 bytes "
		       "without control characters, or null";
		goto fail;
	}
	if (opt_string(obj, c->category_field, ENTRY_MAX_CATEGORY,
	        &n.category) == -1) {
		*why = "entry.category: must be a string of at most 256 bytes "
		       "without control characters, or null";
		goto fail;
	}
	s = json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	n.json_len = strlen(s);
	n.json = xstrndup(s, n.json_len);
	*e = n;
	return 0;
fail:
	entry_clear(&n);
	return -1;
}

static int
only_blanks(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/* Members of every object in the parsed tree. */
static size_t
tree_members(struct json_object *o)
{
	size_t n = 0, i, len;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			n += 1 + tree_members(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			n += tree_members(json_object_array_get_idx(o, i));
	}
	return n;
}

/*
 * Members of every object in JSON text already known to be valid: the
 * colons outside strings. json-c keeps the last of duplicate keys, so
 * the parsed tree has fewer members exactly when a key was repeated.
 */
static size_t
text_members(const char *p, size_t len)
{
	size_t i, n = 0;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_str = 0;
		} else if (p[i] == '"')
			in_str = 1;
		else if (p[i] == ':')
			n++;
	}
	return n;
}

/*
 * Parses JSON text strictly: valid UTF-8 (no overlong forms or
 * surrogates), bounded nesting, no duplicate keys in an object (json-c
 * would keep the last one silently, while another reader of the same
 * body may keep the first), nothing after the value. Returns the object
 * (caller puts it), or NULL with *why.
 */
struct json_object *
entry_parse_json(const char *text, size_t len, const char **why)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;

	if (len == 0 || len > INT_MAX) {
		*why = "body: empty";
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		*why = "body: contains a NUL byte";
		return NULL;
	}
	if (!utf8_valid(text, len)) {
		*why = "body: not valid UTF-8";
		return NULL;
	}
	tok = json_tokener_new_ex(ENTRY_MAX_JSON_DEPTH);
	if (tok == NULL) {
		*why = "body: parser unavailable";
		return NULL;
	}
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		if (jerr == json_tokener_error_depth)
			*why = "body: JSON nested too deeply";
		else if (jerr == json_tokener_continue)
			*why = "body: truncated JSON";
		else
			*why = "body: invalid JSON";
		json_object_put(obj);
		obj = NULL;
	} else if (!only_blanks(text + json_tokener_get_parse_end(tok),
	               len - json_tokener_get_parse_end(tok))) {
		*why = "body: trailing data after JSON";
		json_object_put(obj);
		obj = NULL;
	} else if (tree_members(obj) != text_members(text, len)) {
		*why = "body: duplicate key in an object";
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/*
 * The entry's Strapi id (its top-level "id", an integer): the store's
 * id reader (store_set_id_reader). Without parsing when the JSON starts
 * {"id":<integer>, as the stored form of every Strapi payload does.
 * Returns 0 and *id, or -1 when it has none.
 */
int
entry_id_of(const char *json, size_t len, int64_t *id)
{
	struct json_tokener *tok;
	struct json_object *o, *v;
	size_t i = 6, n = 0;
	int r = -1;

	if (len >= 8 && memcmp(json, "{\"id\":", 6) == 0) {
		if (json[i] == '-')
			i++;
		while (i < len && json[i] >= '0' && json[i] <= '9' && n < 19) {
			i++;
			n++;
		}
		if (n > 0 && n < 19 && i < len &&
		    (json[i] == ',' || json[i] == '}')) {
			*id = strtoll(json + 6, NULL, 10);
			return 0;
		}
	}
	if (len > INT_MAX || (tok = json_tokener_new()) == NULL)
		return -1;
	o = json_tokener_parse_ex(tok, json, (int)len);
	json_tokener_free(tok);
	if (o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_int)) {
		*id = json_object_get_int64(v);
		r = 0;
	}
	json_object_put(o);
	return r;
}
