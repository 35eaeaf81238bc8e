/* check.c: validation of the values read, and the warnings worth logging */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"
#include "util/clientaddr.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* 1 when s may name an attribute: 1 to 64 of [A-Za-z0-9_]. */
static int
attr_name_valid(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/*
 * Builds one configured collection from its collection.<name>.* values and
 * the defaults. Returns 0, or -1 with *cause (caller frees).
 */
static int
build_collection(struct conf *c, const char *name, struct collection *co,
    char **cause)
{
	struct coll_raw *r = NULL;
	size_t i, n;
	char **f;
	const char *a[CONF_NCOLL_ATTRS] = { NULL };
	char *colon;

	for (i = 0; i < c->nraw; i++)
		if (strcmp(c->raw[i].name, name) == 0)
			r = &c->raw[i];
	if (r != NULL)
		for (i = 0; i < CONF_NCOLL_ATTRS; i++)
			a[i] = r->attr[i];
	memset(co, 0, sizeof(*co));
	co->name = xstrdup(name);
	if (a[0] != NULL)
		co->plural = xstrdup(a[0]);
	else
		xasprintf(&co->plural, "%ss", name);
	if (a[1] != NULL)
		co->uid = xstrdup(a[1]);
	else
		xasprintf(&co->uid, "api::%s.%s", name, name);
	co->slug_field = xstrdup(a[2] != NULL ? a[2] : "slug");
	co->category_field = xstrdup(a[3] != NULL ? a[3] : "category");
	co->locales = conf_list_split(a[4] != NULL ? a[4] : "", &co->nlocales);
	if (co->nlocales == 0) {
		co->locales = xcalloc(1, sizeof(*co->locales));
		co->locales[0] = xstrdup("");
		co->nlocales = 1;
	}
	if (!conf_name_valid(co->plural)) {
		xasprintf(cause, "collection.%s.plural: invalid name '%s'",
		    name, co->plural);
		return -1;
	}
	f = conf_list_split(a[5] != NULL
	        ? a[5]
	        : (strcmp(name, "article") == 0
	                  ? "title:string slug:uid content:richtext excerpt:text "
	                    "category:enumeration"
	                  : ""),
	    &n);
	co->fields = n > 0 ? xcalloc(n, sizeof(*co->fields)) : NULL;
	co->nfields = n;
	for (i = 0; i < n; i++) {
		if ((colon = strchr(f[i], ':')) != NULL)
			*colon++ = '\0';
		co->fields[i].name = xstrdup(f[i]);
		co->fields[i].type =
		    xstrdup(colon != NULL && *colon != '\0' ? colon : "string");
	}
	conf_list_free(f, n);
	co->index = conf_list_split(a[6] != NULL ? a[6] : "", &co->nindex);
	for (i = 0; i < co->nindex; i++)
		if (!attr_name_valid(co->index[i])) {
			xasprintf(cause,
			    "collection.%s.index: invalid attribute name "
			    "'%.64s'",
			    name, co->index[i]);
			return -1;
		}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The push limits' lists: trusted proxies, client header, page sizes. */
/* 1 when directory a is b or holds it (paths compared as written). */
static int
path_within(const char *a, const char *b)
{
	size_t n = strlen(a);

	while (n > 1 && a[n - 1] == '/')
		n--;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

/*
 * static_dir (static answers): an absolute path apart from the store's:
 * the web server serves it, and must never serve the store.
 */
static int
conf_check_static_dir(struct conf *c, char **cause)
{
	const char *sd = c->val[CFG_STATIC_DIR], *st = c->val[CFG_STORE_DIR];

	if (sd[0] == '\0')
		return 0;
	if (sd[0] != '/') {
		xasprintf(cause, "static_dir: '%s' is not an absolute path",
		    sd);
		return -1;
	}
	if (path_within(sd, st) || path_within(st, sd)) {
		xasprintf(cause,
		    "static_dir: '%s' shares a directory with store_dir '%s' "
		    "(the web server serves static_dir)",
		    sd, st);
		return -1;
	}
	return 0;
}

static int
conf_check_push_limits(struct conf *c, char **cause)
{
	const char *why = NULL, *errstr;
	char **v;
	size_t i, n;

	free(c->trusted);
	c->trusted = NULL;
	if (clientaddr_nets_parse(c->val[CFG_PUSH_TRUSTED_PROXIES], &c->trusted,
	        &c->ntrusted, &why) == -1) {
		xasprintf(cause, "push_trusted_proxies: %s", why);
		return -1;
	}
	if (strcasecmp(c->val[CFG_PUSH_CLIENT_HEADER], "x-forwarded-for") !=
	        0 &&
	    strcasecmp(c->val[CFG_PUSH_CLIENT_HEADER], "forwarded") != 0) {
		xasprintf(cause,
		    "push_client_header: '%s' is not "
		    "x-forwarded-for or forwarded",
		    c->val[CFG_PUSH_CLIENT_HEADER]);
		return -1;
	}
	v = conf_list_split(c->val[CFG_PUSH_PAGE_SIZES], &n);
	free(c->page_sizes);
	c->page_sizes = xreallocarray(NULL, n > 0 ? n : 1, sizeof(uint64_t));
	c->npage_sizes = n;
	for (i = 0; i < n; i++) {
		c->page_sizes[i] = (uint64_t)strtonum(v[i], 1, 100, &errstr);
		if (errstr != NULL) {
			xasprintf(cause,
			    "push_page_sizes: '%s' is not 1 to 100", v[i]);
			conf_list_free(v, n);
			return -1;
		}
	}
	conf_list_free(v, n);
	if (n == 0) {
		xasprintf(cause, "push_page_sizes: empty");
		return -1;
	}
	qsort(c->page_sizes, n, sizeof(uint64_t), cmp_u64);
	return 0;
}

/*
 * A size: digits and an optional k, M or G (powers of 1024), from min to
 * max bytes. Returns 0 and *out, or -1 with *why.
 */
static int
size_parse(const char *v, long long min, long long max, long long *out,
    const char **why)
{
	unsigned long long n;
	char *end;
	int shift = 0;

	if (!isdigit((unsigned char)v[0])) {
		*why = "not a size";
		return -1;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (strcmp(end, "k") == 0 || strcmp(end, "K") == 0)
		shift = 10;
	else if (strcmp(end, "M") == 0)
		shift = 20;
	else if (strcmp(end, "G") == 0)
		shift = 30;
	else if (*end != '\0') {
		*why = "not a size";
		return -1;
	}
	if (errno != 0 || n > (unsigned long long)max >> shift ||
	    (n << shift) > (unsigned long long)max) {
		*why = "too large";
		return -1;
	}
	if ((long long)(n << shift) < min) {
		*why = "too small";
		return -1;
	}
	*out = (long long)(n << shift);
	return 0;
}

/*
 * Validates every value and builds the collections. Returns 0, or -1 with
 * *cause (caller frees) naming the key and what is wrong with it.
 */
int
conf_finish(struct conf *c, char **cause)
{
	size_t i, n;
	char **names;
	const char *errstr;
	enum log_level lv;
	long long ll;

	for (i = 0; i < CFG__MAX; i++) {
		const struct conf_row *row = &conf_table[i];
		const char *v = c->val[i];
		/* where it was set, for the error: "file:line: " */
		const char *w = c->where[i] != NULL ? c->where[i] : "";
		const char *ws = *w != '\0' ? ": " : "";

		switch (row->type) {
		case CT_INT:
			c->ints[i] = strtonum(v, row->min, row->max, &errstr);
			if (errstr != NULL) {
				xasprintf(cause,
				    "%s%s%s: '%s' is %s (%lld..%lld)", w, ws,
				    row->key, v, errstr, row->min, row->max);
				return -1;
			}
			break;
		case CT_SIZE:
			if (size_parse(v, row->min, row->max, &ll, &errstr) ==
			    -1) {
				xasprintf(cause,
				    "%s%s%s: '%s' is %s (bytes, or with k, M "
				    "or G: %lld..%lld)",
				    w, ws, row->key, v, errstr, row->min,
				    row->max);
				return -1;
			}
			c->ints[i] = ll;
			break;
		case CT_BOOL:
			if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
			    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
				c->ints[i] = 1;
			else if (strcmp(v, "no") == 0 ||
			    strcmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
			    strcmp(v, "off") == 0)
				c->ints[i] = 0;
			else {
				xasprintf(cause,
				    "%s%s%s: '%s' is not yes or no", w, ws,
				    row->key, v);
				return -1;
			}
			break;
		default:
			break;
		}
	}
	if (log_level_parse(c->val[CFG_LOG_LEVEL], &lv) == -1) {
		xasprintf(cause,
		    "log_level: '%s' is not error, warn, info or "
		    "debug",
		    c->val[CFG_LOG_LEVEL]);
		return -1;
	}
	if (strcmp(c->val[CFG_PUSH_LOOP], "auto") != 0 &&
	    strcmp(c->val[CFG_PUSH_LOOP], "libuv") != 0 &&
	    strcmp(c->val[CFG_PUSH_LOOP], "poll") != 0) {
		xasprintf(cause, "push_loop: '%s' is not auto, libuv or poll",
		    c->val[CFG_PUSH_LOOP]);
		return -1;
	}
	if (conf_check_push_limits(c, cause) == -1)
		return -1;
	if (c->val[CFG_STORE_DIR][0] != '/') {
		xasprintf(cause, "store_dir: '%s' is not an absolute path",
		    c->val[CFG_STORE_DIR]);
		return -1;
	}
	if (conf_check_static_dir(c, cause) == -1)
		return -1;
	if (c->val[CFG_API_PREFIX][0] != '/' &&
	    c->val[CFG_API_PREFIX][0] != 0) {
		xasprintf(cause, "api_prefix: '%s' must start with /",
		    c->val[CFG_API_PREFIX]);
		return -1;
	}
	if (c->val[CFG_WEBHOOK_HEADER][0] == '\0') {
		xasprintf(cause, "webhook_header: empty");
		return -1;
	}
	names = conf_list_split(c->val[CFG_COLLECTIONS], &n);
	if (n == 0) {
		conf_list_free(names, n);
		xasprintf(cause, "collections: no collection configured");
		return -1;
	}
	for (i = 0; i < c->nraw; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (strcmp(names[j], c->raw[i].name) == 0)
				break;
		if (j == n) {
			xasprintf(cause,
			    "collection.%s: not listed in "
			    "'collections'",
			    c->raw[i].name);
			conf_list_free(names, n);
			return -1;
		}
	}
	c->colls = xcalloc(n, sizeof(*c->colls));
	for (i = 0; i < n; i++) {
		if (!conf_name_valid(names[i])) {
			xasprintf(cause, "collections: invalid name '%s'",
			    names[i]);
			conf_list_free(names, n);
			return -1;
		}
		c->ncolls++;
		if (build_collection(c, names[i], &c->colls[i], cause) == -1) {
			conf_list_free(names, n);
			return -1;
		}
	}
	conf_list_free(names, n);
	c->cors = conf_list_split(c->val[CFG_CORS_ORIGINS], &c->ncors);
	return 0;
}

static void
add_warning(struct conf *c, char *w)
{
	c->warnings =
	    xreallocarray(c->warnings, c->nwarnings + 1, sizeof(*c->warnings));
	c->warnings[c->nwarnings++] = w;
}

/*
 * The file's permissions: secrets readable by the group or others, or a
 * file others can change (store_dir, the secrets, everything) whatever it
 * holds. Each warning names the fix.
 */
void
conf_file_warnings(struct conf *c)
{
	char *w;

	if (c->path == NULL)
		return;
	if (conf_file_is_exposed(c)) {
		xasprintf(&w,
		    "%s holds secrets and is readable by other users "
		    "(mode %04o): chmod 600 %s",
		    c->path, c->mode, c->path);
		add_warning(c, w);
	}
	if ((c->mode & (S_IWGRP | S_IWOTH)) != 0) {
		xasprintf(&w,
		    "%s is writable by other users (mode %04o): "
		    "chmod 600 %s",
		    c->path, c->mode, c->path);
		add_warning(c, w);
	}
}

/*
 * 1 when name (a whole variable name) is one the configuration reads:
 * STRAPI_LIVE_CONFIG, a key's variable, or an attribute variable of a
 * configured collection. Call after conf_finish. Pure.
 */
int
conf_env_known(const struct conf *c, const char *name)
{
	char v[256];
	size_t i, j;

	if (strcmp(name, "STRAPI_LIVE_CONFIG") == 0)
		return 1;
	for (i = 0; i < CFG__MAX; i++)
		if (strcmp(conf_table[i].env, name) == 0)
			return 1;
	for (i = 0; i < c->ncolls; i++)
		for (j = 0; j < CONF_NCOLL_ATTRS; j++) {
			conf_coll_env_name(v, sizeof(v), c->colls[i].name,
			    conf_coll_attrs[j]);
			if (strcmp(v, name) == 0)
				return 1;
		}
	return 0;
}

/*
 * A STRAPI_LIVE_* variable that no setting reads is a typo
 * (STRAPI_LIVE_WEBHOK_SECRET) that would otherwise leave the default in
 * place without a word: each one gets a warning. envp is environ's shape.
 */
void
conf_env_warnings(struct conf *c, char *const *envp)
{
	char *name, *w;
	size_t i, n;

	for (i = 0; envp != NULL && envp[i] != NULL; i++) {
		if (strncmp(envp[i], "STRAPI_LIVE_", 12) != 0)
			continue;
		n = strcspn(envp[i], "=");
		name = xstrndup(envp[i], n);
		if (!conf_env_known(c, name)) {
			xasprintf(&w,
			    "environment: %s is not a setting and "
			    "is ignored (strapi-live --dump-config names each "
			    "setting's variable)",
			    name);
			add_warning(c, w);
		}
		free(name);
	}
}

/* Logs what conf_load found worth a warning; one line each. */
void
conf_log_warnings(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nwarnings; i++)
		log_warnx("%s", c->warnings[i]);
}

/* 1 when the file read holds a secret and is readable by other users. */
int
conf_file_is_exposed(const struct conf *c)
{
	size_t i;

	if (!c->exposed)
		return 0;
	for (i = 0; i < CFG__MAX; i++)
		if (conf_table[i].type == CT_SECRET && c->val[i][0] != '\0')
			return 1;
	return 0;
}
