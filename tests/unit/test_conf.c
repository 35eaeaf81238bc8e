/* test_conf.c: config file parsing, environment overrides, validation */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/clientaddr.h"
#include "conf/conf.h"
#include "conf/conf_int.h"
#include "tap.h"

static const char *env_names[8], *env_values[8];
static size_t nenv;

static const char *
fake_getenv(const char *name)
{
	size_t i;

	for (i = 0; i < nenv; i++)
		if (strcmp(env_names[i], name) == 0)
			return env_values[i];
	return NULL;
}

static struct conf *
load(const char *text, char **cause)
{
	struct conf *c = conf_new();

	*cause = NULL;
	if (conf_parse_text(c, text, "test.conf", cause) == -1 ||
	    conf_apply_env(c, fake_getenv, cause) == -1 ||
	    conf_finish(c, cause) == -1) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/*
 * Every enum conf_key has its row in conf_table: a key, a variable, a
 * default and a help line, none shared with another row. A row left out
 * of the designated initializers would be all NULL here.
 */
static void
table_rows(void)
{
	size_t i, j, missing = 0, shared = 0;
	const struct conf_row *r;

	for (i = 0; i < CFG__MAX; i++) {
		r = &conf_table[i];
		if (r->key == NULL || r->env == NULL || r->def == NULL ||
		    r->help == NULL) {
			tap_diag("conf_table: no row for enum conf_key %zu", i);
			missing++;
			continue;
		}
		for (j = 0; j < i; j++)
			if (conf_table[j].key != NULL &&
			    (strcmp(conf_table[j].key, r->key) == 0 ||
			        strcmp(conf_table[j].env, r->env) == 0)) {
				tap_diag("conf_table: %s and %s share a name",
				    conf_table[j].key, r->key);
				shared++;
			}
	}
	ok(missing == 0, "every conf_key has a key, variable, default, help");
	ok(shared == 0, "no two settings share a key or a variable");
	ok(conf_table_find("store_dir") == CFG_STORE_DIR &&
	        conf_table_find("max_requests") == CFG_MAX_REQUESTS &&
	        conf_table_find("no_such_key") == -1,
	    "a key finds its own row");
}

int
main(void)
{
	struct conf *c;
	char *cause;
	const struct collection *co;

	table_rows();
	nenv = 0;
	c = load("", &cause);
	ok(c != NULL, "defaults alone are a valid configuration");
	ok(c != NULL && conf_ncollections(c) == 1 &&
	    strcmp(conf_collection(c, 0)->plural, "articles") == 0 &&
	    strcmp(conf_collection(c, 0)->uid, "api::article.article") == 0,
	    "default collection is article / articles / api::article.article");
	ok(c != NULL && strcmp(conf_str(c, CFG_WEBHOOK_HEADER),
	    "Authorization") == 0, "default webhook header is Authorization");
	ok(c != NULL && conf_int(c, CFG_WEBHOOK_MAX_BODY) == 1048576,
	    "default body limit is 1 MiB");
	conf_free(c);

	c = load("# comment\n store_dir = /srv/x \nwebhook_secret = \"s3\"\n",
	    &cause);
	ok(c != NULL && strcmp(conf_str(c, CFG_STORE_DIR), "/srv/x") == 0 &&
	    strcmp(conf_str(c, CFG_WEBHOOK_SECRET), "s3") == 0,
	    "file values are read, blanks and quotes trimmed");
	conf_free(c);

	c = load("stor_dir = /x\n", &cause);
	ok(c == NULL && cause != NULL && strstr(cause, "stor_dir") != NULL &&
	    strstr(cause, "test.conf:1") != NULL,
	    "an unknown key stops start-up naming the key and line");
	free(cause);

	c = load("webhook_max_body = lots\n", &cause);
	ok(c == NULL && cause != NULL &&
	    strstr(cause, "webhook_max_body") != NULL,
	    "a bad number names its key");
	free(cause);

	c = load("durable = maybe\n", &cause);
	ok(c == NULL && cause != NULL && strstr(cause, "durable") != NULL,
	    "a bad boolean names its key");
	free(cause);

	c = load("push_loop = epoll\n", &cause);
	ok(c == NULL && cause != NULL && strstr(cause, "push_loop") != NULL,
	    "an unknown push_loop is refused");
	free(cause);
	c = load("push_loop = poll\n", &cause);
	ok(c != NULL && strcmp(conf_str(c, CFG_PUSH_LOOP), "poll") == 0,
	    "push_loop = poll is accepted");
	conf_free(c);

	/* push limits: the lists are parsed at load time */
	{
		static const struct {
			const char *text, *key, *name;
		} bad[] = {
			{ "push_trusted_proxies = proxy.example\n",
			    "push_trusted_proxies",
			    "a host name as trusted proxy is refused" },
			{ "push_trusted_proxies = 10.0.0.0/40\n",
			    "push_trusted_proxies",
			    "an impossible prefix is refused" },
			{ "push_client_header = x-real-ip\n",
			    "push_client_header",
			    "an unknown client header is refused" },
			{ "push_page_sizes = 10, 500\n", "push_page_sizes",
			    "a page size over 100 is refused" },
			{ "push_page_sizes =\n", "push_page_sizes",
			    "no page size at all is refused" },
		};
		const struct clientaddr_net *nets;
		const uint64_t *sizes;
		size_t i, n;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			c = load(bad[i].text, &cause);
			ok(c == NULL && cause != NULL &&
			        strstr(cause, bad[i].key) != NULL,
			    "%s", bad[i].name);
			free(cause);
		}
		c = load("push_trusted_proxies = 10.0.0.0/8 ::1\n"
		         "push_page_sizes = 50, 10\n",
		    &cause);
		nets = c != NULL ? conf_push_trusted(c, &n) : NULL;
		ok(nets != NULL && n == 2, "two trusted networks parsed");
		sizes = c != NULL ? conf_push_page_sizes(c, &n) : NULL;
		ok(sizes != NULL && n == 2 && sizes[0] == 10 && sizes[1] == 50,
		    "page sizes parsed, ascending");
		conf_free(c);
		c = load("", &cause);
		ok(c != NULL && conf_int(c, CFG_PUSH_MAX_PER_ADDR) == 32,
		    "push_max_per_addr defaults to 32");
		conf_free(c);
	}

	c = load("store_dir = relative/path\n", &cause);
	ok(c == NULL && cause != NULL && strstr(cause, "store_dir") != NULL,
	    "a relative store directory is refused");
	free(cause);

	c = load("just a line\n", &cause);
	ok(c == NULL && cause != NULL, "a line without '=' is refused");
	free(cause);

	env_names[0] = "STRAPI_LIVE_STORE_DIR";
	env_values[0] = "/from/env";
	env_names[1] = "STRAPI_LIVE_WEBHOOK_HEADER";
	env_values[1] = "x-webhook-secret";
	nenv = 2;
	c = load("store_dir = /from/file\n", &cause);
	ok(c != NULL && strcmp(conf_str(c, CFG_STORE_DIR), "/from/env") == 0,
	    "the environment overrides the file");
	ok(c != NULL && strcmp(conf_str(c, CFG_WEBHOOK_HEADER),
	    "x-webhook-secret") == 0, "webhook header from the environment");
	conf_free(c);

	nenv = 0;
	c = load("collections = article, page\n"
		 "collection.page.slug_field = path\n"
		 "collection.page.category_field =\n"
		 "collection.page.locales = en fr\n", &cause);
	co = c != NULL ? conf_collection_by_uid(c, "api::page.page", NULL) :
	    NULL;
	ok(co != NULL && strcmp(co->plural, "pages") == 0 &&
	    strcmp(co->slug_field, "path") == 0 &&
	    co->category_field[0] == '\0' && co->nlocales == 2 &&
	    strcmp(co->locales[0], "en") == 0,
	    "a second collection is configured by keys alone");
	ok(c != NULL && conf_collection_by_plural(c, "pages", 5) == co,
	    "collections are found by REST plural");
	ok(c != NULL && conf_collection_by_uid(c, NULL, "article") != NULL,
	    "collections are found by model name");
	conf_free(c);

	c = load("collection.page.plural = pages\n", &cause);
	ok(c == NULL && cause != NULL && strstr(cause, "page") != NULL,
	    "a collection not listed in 'collections' is an error");
	free(cause);

	c = load("collection.article.colour = red\n", &cause);
	ok(c == NULL && cause != NULL && strstr(cause, "colour") != NULL,
	    "an unknown collection attribute is an error");
	free(cause);

	env_names[0] = "STRAPI_LIVE_COLLECTIONS";
	env_values[0] = "article,page";
	env_names[1] = "STRAPI_LIVE_COLLECTION_PAGE_PLURAL";
	env_values[1] = "webpages";
	nenv = 2;
	c = load("", &cause);
	ok(c != NULL && conf_collection_by_plural(c, "webpages", 8) != NULL,
	    "collection attributes come from the environment too");
	conf_free(c);

	nenv = 0;
	c = load("cors_origins = https://a.example, https://b.example\n",
	    &cause);
	ok(c != NULL && conf_cors_allows(c, "https://b.example") &&
	    !conf_cors_allows(c, "https://evil.example"),
	    "CORS allows only listed origins");
	conf_free(c);

	c = load("push_listen = 127.0.0.1:9000   # the sidecar\n"
	         "webhook_secret = abc#def\n"
	         "sync_secret = \"with # inside\"\n"
	         "api_prefix = /v1 #no blank after the hash\n"
	         "cors_origins =   # nobody\n",
	    &cause);
	ok(c != NULL &&
	        strcmp(conf_str(c, CFG_PUSH_LISTEN), "127.0.0.1:9000") == 0,
	    "a '# comment' after a value is not part of it");
	ok(c != NULL && strcmp(conf_str(c, CFG_API_PREFIX), "/v1") == 0 &&
	        strcmp(conf_str(c, CFG_CORS_ORIGINS), "") == 0,
	    "a comment after blanks leaves the value (or nothing)");
	ok(c != NULL && strcmp(conf_str(c, CFG_WEBHOOK_SECRET), "abc#def") == 0,
	    "a '#' inside a word stays in the value");
	ok(c != NULL &&
	        strcmp(conf_str(c, CFG_SYNC_SECRET), "with # inside") == 0,
	    "a quoted value keeps ' #'");
	conf_free(c);

	env_names[0] = "STRAPI_LIVE_COLLECTIONS";
	env_values[0] = "article,page";
	nenv = 1;
	c = load("", &cause);
	ok(c != NULL && conf_env_known(c, "STRAPI_LIVE_WEBHOOK_SECRET") &&
	        conf_env_known(c, "STRAPI_LIVE_CONFIG") &&
	        conf_env_known(c, "STRAPI_LIVE_COLLECTION_PAGE_PLURAL"),
	    "the variables of settings and collections are known");
	ok(c != NULL && !conf_env_known(c, "STRAPI_LIVE_WEBHOK_SECRET") &&
	        !conf_env_known(c, "STRAPI_LIVE_COLLECTION_POST_PLURAL") &&
	        !conf_env_known(c, "STRAPI_LIVE_STRAPI_URL"),
	    "a misspelt variable, or one of an unconfigured collection, is "
	    "not");
	conf_free(c);
	nenv = 0;
	return tap_done();
}
