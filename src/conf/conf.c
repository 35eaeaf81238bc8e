/* conf.c: reading the file and the environment, and reading values back */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf_int.h"
#include "util/buf.h"
#include "util/xmalloc.h"

extern char **environ;

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

struct conf *
conf_new(void)
{
	struct conf *c;
	size_t i;

	c = xcalloc(1, sizeof(*c));
	for (i = 0; i < CFG__MAX; i++)
		c->val[i] = xstrdup(conf_table[i].def);
	return c;
}

static void
free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void
collection_clear(struct collection *co)
{
	size_t i;

	free(co->name);
	free(co->plural);
	free(co->uid);
	free(co->slug_field);
	free(co->category_field);
	conf_list_free(co->locales, co->nlocales);
	for (i = 0; i < co->nfields; i++) {
		free(co->fields[i].name);
		free(co->fields[i].type);
	}
	free(co->fields);
	conf_list_free(co->index, co->nindex);
}

/* Frees everything; secrets are wiped first. conf_free(NULL) does nothing. */
void
conf_free(struct conf *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < CFG__MAX; i++) {
		if (conf_table[i].type == CT_SECRET)
			free_secret(c->val[i]);
		else
			free(c->val[i]);
		free(c->where[i]);
	}
	for (i = 0; i < c->nraw; i++) {
		free(c->raw[i].name);
		for (j = 0; j < CONF_NCOLL_ATTRS; j++)
			free(c->raw[i].attr[j]);
	}
	free(c->raw);
	for (i = 0; i < c->ncolls; i++)
		collection_clear(&c->colls[i]);
	free(c->colls);
	conf_list_free(c->cors, c->ncors);
	free(c->trusted);
	free(c->page_sizes);
	conf_list_free(c->warnings, c->nwarnings);
	free(c->path);
	free(c);
}

static struct coll_raw *
raw_collection(struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nraw; i++)
		if (strcmp(c->raw[i].name, name) == 0)
			return &c->raw[i];
	c->raw = xreallocarray(c->raw, c->nraw + 1, sizeof(*c->raw));
	memset(&c->raw[c->nraw], 0, sizeof(*c->raw));
	c->raw[c->nraw].name = xstrdup(name);
	return &c->raw[c->nraw++];
}

/*
 * Sets one key. "collection.<name>.<attr>" keys configure a content type.
 * Returns 0, or -1 with *cause naming the key (caller frees).
 */
static int
conf_set(struct conf *c, const char *key, const char *value, const char *origin,
    char **cause)
{
	int k;
	size_t i;
	const char *dot, *attr;
	char *name;
	struct coll_raw *r;

	if (strncmp(key, "collection.", 11) == 0) {
		dot = strchr(key + 11, '.');
		if (dot == NULL)
			goto unknown;
		name = xstrndup(key + 11, (size_t)(dot - (key + 11)));
		attr = dot + 1;
		for (i = 0; i < CONF_NCOLL_ATTRS; i++)
			if (strcmp(attr, conf_coll_attrs[i]) == 0)
				break;
		if (i == CONF_NCOLL_ATTRS || !conf_name_valid(name)) {
			free(name);
			goto unknown;
		}
		r = raw_collection(c, name);
		free(name);
		free(r->attr[i]);
		r->attr[i] = xstrdup(value);
		return 0;
	}
	if ((k = conf_table_find(key)) == -1)
		goto unknown;
	if (conf_table[k].type == CT_SECRET)
		free_secret(c->val[k]);
	else
		free(c->val[k]);
	c->val[k] = xstrdup(value);
	free(c->where[k]);
	c->where[k] = xstrdup(origin);
	return 0;
unknown:
	xasprintf(cause, "%s: unknown configuration key '%s'", origin, key);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Ends an unquoted value at a comment: a '#' at its start or after a blank
 * ("port = 8091  # the sidecar"). A '#' inside a word stays ("abc#def");
 * a value that must hold " #" is written in double quotes.
 */
static void
strip_comment(char *v)
{
	char *p;

	if (*v == '"')
		return;
	for (p = v; *p != '\0'; p++)
		if (*p == '#' && (p == v || isblank((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
}

/*
 * Parses "key = value" lines ('#' comments, on their own line or after a
 * value, and optional double quotes around the value). Pure: no I/O.
 * Returns 0, or -1 with *cause (caller frees) naming the origin, line and
 * key.
 */
int
conf_parse_text(struct conf *c, const char *text, const char *origin,
    char **cause)
{
	char *copy, *line, *next, *eq, *key, *val, *where;
	size_t lineno = 0, vl;
	int rc = 0;

	copy = xstrdup(text);
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			xasprintf(cause, "%s:%zu: expected 'key = value'",
			    origin, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		strip_comment(val);
		val = trim(val);
		vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		xasprintf(&where, "%s:%zu", origin, lineno);
		rc = conf_set(c, key, val, where, cause);
		free(where);
		if (rc == -1)
			break;
	}
	explicit_bzero(copy, strlen(text));
	free(copy);
	return rc;
}

/*
 * Applies environment overrides, through a getenv-like function so tests
 * can pass their own. Every table key has its variable; collection
 * attributes use STRAPI_LIVE_COLLECTION_<NAME>_<ATTR>.
 */
int
conf_apply_env(struct conf *c, conf_getenv_fn get, char **cause)
{
	size_t i, j;
	const char *v;
	char name[256], *list, *tok, *save;

	for (i = 0; i < CFG__MAX; i++) {
		if ((v = get(conf_table[i].env)) == NULL)
			continue;
		if (conf_set(c, conf_table[i].key, v, conf_table[i].env,
		        cause) == -1)
			return -1;
	}
	list = xstrdup(c->val[CFG_COLLECTIONS]);
	for (tok = strtok_r(list, " ,", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,", &save)) {
		if (!conf_name_valid(tok))
			continue; /* reported by conf_finish */
		for (j = 0; j < CONF_NCOLL_ATTRS; j++) {
			conf_coll_env_name(name, sizeof(name), tok,
			    conf_coll_attrs[j]);
			if ((v = get(name)) != NULL) {
				struct coll_raw *r = raw_collection(c, tok);

				free(r->attr[j]);
				r->attr[j] = xstrdup(v);
			}
		}
	}
	free(list);
	return 0;
}

static const char *
real_getenv(const char *name)
{
	return getenv(name);
}

static int
read_file(const char *path, struct buf *out, unsigned int *mode, char **cause)
{
	FILE *f;
	char chunk[4096];
	size_t n;
	struct stat st;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0)
		*mode = st.st_mode & 07777;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(out, chunk, n);
		if (out->len > 1024 * 1024) {
			fclose(f);
			xasprintf(cause, "%s: larger than 1 MiB", path);
			return -1;
		}
	}
	if (ferror(f)) {
		xasprintf(cause, "%s: read error", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/*
 * Loads configuration: compiled defaults, then the file named by
 * STRAPI_LIVE_CONFIG (which must exist) or SYSCONFDIR/strapi-live.conf (if
 * it exists), then the environment. Returns 0 and *out, or -1 and *cause
 * (caller frees); never logs.
 */
int
conf_load(struct conf **out, char **cause)
{
	struct conf *c;
	const char *path;
	struct buf text;
	int explicit;

	c = conf_new();
	buf_init(&text);
	path = getenv("STRAPI_LIVE_CONFIG");
	explicit = path != NULL && *path != '\0';
	if (!explicit)
		path = SYSCONFDIR "/strapi-live.conf";
	if (explicit || access(path, F_OK) == 0) {
		if (read_file(path, &text, &c->mode, cause) == -1)
			goto fail;
		c->path = xstrdup(path);
		if (conf_parse_text(c, buf_cstr(&text), path, cause) == -1)
			goto fail;
		/* Only secrets in the file count, not ones from the env. */
		c->exposed = (c->mode & (S_IRGRP | S_IROTH)) != 0;
		c->exposed = conf_file_is_exposed(c);
	}
	if (conf_apply_env(c, real_getenv, cause) == -1)
		goto fail;
	if (conf_finish(c, cause) == -1)
		goto fail;
	conf_file_warnings(c);
	conf_env_warnings(c, environ);
	if (text.len > 0)
		explicit_bzero(text.data, text.len);
	buf_clear(&text);
	*out = c;
	return 0;
fail:
	if (text.len > 0)
		explicit_bzero(text.data, text.len);
	buf_clear(&text);
	conf_free(c);
	return -1;
}

/* Returns the value ("" when empty); borrowed for the life of the conf. */
const char *
conf_str(const struct conf *c, enum conf_key k)
{
	return c->val[k];
}

/* Returns an integer or boolean setting, validated by conf_finish. */
int64_t
conf_int(const struct conf *c, enum conf_key k)
{
	return c->ints[k];
}

int
conf_bool(const struct conf *c, enum conf_key k)
{
	return c->ints[k] != 0;
}

/* The file that was read, or NULL. */
const char *
conf_path(const struct conf *c)
{
	return c->path;
}

/* Writes every setting as "key = value", secrets masked. */
void
conf_dump(const struct conf *c, FILE *f)
{
	size_t i, j;

	for (i = 0; i < CFG__MAX; i++) {
		fprintf(f, "# %s (env %s)\n", conf_table[i].help,
		    conf_table[i].env);
		if (conf_table[i].type == CT_SECRET)
			fprintf(f, "%s = %s\n", conf_table[i].key,
			    c->val[i][0] != '\0' ? "(set)" : "");
		else
			fprintf(f, "%s = %s\n", conf_table[i].key, c->val[i]);
	}
	for (i = 0; i < c->ncolls; i++) {
		const struct collection *co = &c->colls[i];

		fprintf(f, "collection.%s.plural = %s\n", co->name, co->plural);
		fprintf(f, "collection.%s.uid = %s\n", co->name, co->uid);
		fprintf(f, "collection.%s.slug_field = %s\n", co->name,
		    co->slug_field);
		fprintf(f, "collection.%s.category_field = %s\n", co->name,
		    co->category_field);
		fprintf(f, "collection.%s.locales =", co->name);
		for (j = 0; j < co->nlocales; j++)
			fprintf(f, " %s", co->locales[j]);
		fprintf(f, "\ncollection.%s.fields =", co->name);
		for (j = 0; j < co->nfields; j++)
			fprintf(f, " %s:%s", co->fields[j].name,
			    co->fields[j].type);
		fprintf(f, "\ncollection.%s.index =", co->name);
		for (j = 0; j < co->nindex; j++)
			fprintf(f, "%s%s", j > 0 ? ", " : " ", co->index[j]);
		fprintf(f, "\n");
	}
}

size_t
conf_ncollections(const struct conf *c)
{
	return c->ncolls;
}

const struct collection *
conf_collection(const struct conf *c, size_t i)
{
	return i < c->ncolls ? &c->colls[i] : NULL;
}

/*
 * Finds the collection of a webhook: by uid ("api::article.article") when
 * given, else by model name. Returns NULL when not configured.
 */
const struct collection *
conf_collection_by_uid(const struct conf *c, const char *uid, const char *model)
{
	size_t i;

	for (i = 0; i < c->ncolls; i++) {
		if (uid != NULL && strcmp(c->colls[i].uid, uid) == 0)
			return &c->colls[i];
		if (uid == NULL && model != NULL &&
		    strcmp(c->colls[i].name, model) == 0)
			return &c->colls[i];
	}
	return NULL;
}

/* Finds a collection by its REST plural (len bytes of plural). */
const struct collection *
conf_collection_by_plural(const struct conf *c, const char *plural, size_t len)
{
	size_t i;

	for (i = 0; i < c->ncolls; i++)
		if (strlen(c->colls[i].plural) == len &&
		    memcmp(c->colls[i].plural, plural, len) == 0)
			return &c->colls[i];
	return NULL;
}

const struct collection *
conf_collection_by_name(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncolls; i++)
		if (strcmp(c->colls[i].name, name) == 0 ||
		    strcmp(c->colls[i].plural, name) == 0)
			return &c->colls[i];
	return NULL;
}

/*
 * The configured collection name and its raw settings (*r, NULL when none
 * were set), or NULL with *cause when no such collection is configured.
 */
static struct collection *
coll_find(struct conf *c, const char *name, const struct coll_raw **r,
    char **cause)
{
	struct collection *co = NULL;
	size_t i;

	*r = NULL;
	for (i = 0; i < c->ncolls; i++)
		if (strcmp(c->colls[i].name, name) == 0)
			co = &c->colls[i];
	for (i = 0; i < c->nraw; i++)
		if (strcmp(c->raw[i].name, name) == 0)
			*r = &c->raw[i];
	if (co == NULL)
		xasprintf(cause, "collection '%s' is not configured", name);
	return co;
}

/*
 * Gives the configured collection name the REST names of the content
 * model: plural, uid and whether it is a single type. A plural or uid the
 * operator set (collection.<name>.plural, .uid, or their variables) is
 * kept. Returns 0, or -1 with *cause when name is not configured or
 * plural is not a valid name.
 */
int
conf_collection_set_names(struct conf *c, const char *name, const char *plural,
    const char *uid, int single, char **cause)
{
	struct collection *co;
	const struct coll_raw *r;

	if ((co = coll_find(c, name, &r, cause)) == NULL)
		return -1;
	if (!conf_name_valid(plural)) {
		xasprintf(cause, "collection '%s': invalid plural '%s'", name,
		    plural);
		return -1;
	}
	if (r == NULL || r->attr[0] == NULL) {
		free(co->plural);
		co->plural = xstrdup(plural);
	}
	if (r == NULL || r->attr[1] == NULL) {
		free(co->uid);
		co->uid = xstrdup(uid);
	}
	co->single = single;
	return 0;
}

/*
 * Gives a configured collection the locales in list (blanks or commas,
 * the default first), unless collection.<name>.locales was set: the
 * operator's word wins. Returns 0, or -1 with *cause.
 */
int
conf_collection_set_locales(struct conf *c, const char *name, const char *list,
    char **cause)
{
	struct collection *co;
	const struct coll_raw *r;
	char **v;
	size_t n;

	if ((co = coll_find(c, name, &r, cause)) == NULL)
		return -1;
	if (r != NULL && r->attr[4] != NULL)
		return 0;
	v = conf_list_split(list, &n);
	if (n == 0) {
		conf_list_free(v, n);
		xasprintf(cause, "locales: empty, and '%s' is localized", name);
		return -1;
	}
	conf_list_free(co->locales, co->nlocales);
	co->locales = v;
	co->nlocales = n;
	return 0;
}

/* 1 when a CORS request from origin may be answered. */
int
conf_cors_allows(const struct conf *c, const char *origin)
{
	size_t i;

	for (i = 0; i < c->ncors; i++)
		if (strcmp(c->cors[i], "*") == 0 ||
		    strcmp(c->cors[i], origin) == 0)
			return 1;
	return 0;
}

/* push_trusted_proxies, parsed (borrowed: lives as long as the conf). */
const struct clientaddr_net *
conf_push_trusted(const struct conf *c, size_t *n)
{

	*n = c->ntrusted;
	return c->trusted;
}

/* push_page_sizes, ascending (borrowed: lives as long as the conf). */
const uint64_t *
conf_push_page_sizes(const struct conf *c, size_t *n)
{

	*n = c->npage_sizes;
	return c->page_sizes;
}
