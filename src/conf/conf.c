/* conf.c: the settings table, key = value file parsing and env overrides */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clientaddr.h"
#include "conf/conf.h"
#include "util/log.h"
#include "util/xmalloc.h"

extern char **environ;

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

enum conf_type {
	CT_STRING,
	CT_PATH,
	CT_INT,
	CT_BOOL,
	CT_SECRET,
	CT_LIST,
};

struct conf_row {
	const char *key;
	const char *env;
	enum conf_type type;
	const char *def;
	long long min, max;
	const char *help;
};

/* clang-format off */
static const struct conf_row conf_table[CFG__MAX] = {
	{ "store_dir", "STRAPI_LIVE_STORE_DIR", CT_PATH, LOCALSTATEDIR "/lib/strapi-live", 0, 0, "Berkeley DB environment directory (never under a document root)" }, /* CFG_STORE_DIR */
	{ "log_level", "STRAPI_LIVE_LOG_LEVEL", CT_STRING, "info", 0, 0, "error, warn, info or debug" }, /* CFG_LOG_LEVEL */
	{ "durable", "STRAPI_LIVE_DURABLE", CT_BOOL, "yes", 0, 0, "flush the log to disk before a webhook is acknowledged" }, /* CFG_DURABLE */
	{ "webhook_secret", "STRAPI_LIVE_WEBHOOK_SECRET", CT_SECRET, "", 0, 0, "shared secret Strapi sends; empty refuses every delivery" }, /* CFG_WEBHOOK_SECRET */
	{ "webhook_header", "STRAPI_LIVE_WEBHOOK_HEADER", CT_STRING, "Authorization", 0, 0, "header carrying the secret (Authorization expects Bearer)" }, /* CFG_WEBHOOK_HEADER */
	{ "webhook_signing_secret", "STRAPI_LIVE_WEBHOOK_SIGNING_SECRET", CT_SECRET, "", 0, 0, "when set, X-Strapi-Signature-256 HMAC-SHA256 is required" }, /* CFG_WEBHOOK_SIGNING_SECRET */
	{ "webhook_max_body", "STRAPI_LIVE_WEBHOOK_MAX_BODY", CT_INT, "1048576", 1024, 64LL * 1024 * 1024, "largest webhook body accepted, bytes" }, /* CFG_WEBHOOK_MAX_BODY */
	{ "collections", "STRAPI_LIVE_COLLECTIONS", CT_LIST, "article", 0, 0, "configured content types (model names)" }, /* CFG_COLLECTIONS */
	{ "api_prefix", "STRAPI_LIVE_API_PREFIX", CT_STRING, "/api", 0, 0, "path prefix of the REST routes" }, /* CFG_API_PREFIX */
	{ "cors_origins", "STRAPI_LIVE_CORS_ORIGINS", CT_LIST, "*", 0, 0, "origins allowed by CORS (* for any; empty for none)" }, /* CFG_CORS_ORIGINS */
	{ "cache_control", "STRAPI_LIVE_CACHE_CONTROL", CT_STRING, "public, max-age=0, must-revalidate", 0, 0, "Cache-Control of query answers" }, /* CFG_CACHE_CONTROL */
	{ "strapi_url", "STRAPI_URL", CT_STRING, "", 0, 0, "base URL of Strapi for sync" }, /* CFG_STRAPI_URL */
	{ "strapi_api_token", "STRAPI_API_TOKEN", CT_SECRET, "", 0, 0, "read-only API token for sync" }, /* CFG_STRAPI_API_TOKEN */
	{ "strapi_ca_file", "STRAPI_LIVE_CA_FILE", CT_PATH, "", 0, 0, "CA bundle for TLS to Strapi" }, /* CFG_STRAPI_CA_FILE */
	{ "strapi_timeout", "STRAPI_LIVE_STRAPI_TIMEOUT", CT_INT, "30", 1, 3600, "seconds per Strapi request" }, /* CFG_STRAPI_TIMEOUT */
	{ "sync_secret", "STRAPI_LIVE_SYNC_SECRET", CT_SECRET, "", 0, 0, "admin secret for sync.fcgi; empty refuses" }, /* CFG_SYNC_SECRET */
	{ "push_listen", "STRAPI_LIVE_PUSH_LISTEN", CT_STRING, "127.0.0.1:8091", 0, 0, "sidecar address: host:port or a unix socket path" }, /* CFG_PUSH_LISTEN */
	{ "push_heartbeat", "STRAPI_LIVE_PUSH_HEARTBEAT", CT_INT, "25", 1, 3600, "seconds between heartbeats" }, /* CFG_PUSH_HEARTBEAT */
	{ "push_poll_ms", "STRAPI_LIVE_PUSH_POLL_MS", CT_INT, "1000", 10, 600000, "change-log poll interval when no wake-up arrives, ms" }, /* CFG_PUSH_POLL_MS */
	{ "push_max_clients", "STRAPI_LIVE_PUSH_MAX_CLIENTS", CT_INT, "20000", 1, 1000000, "connections in total" }, /* CFG_PUSH_MAX_CLIENTS */
	{ "push_max_per_addr", "STRAPI_LIVE_PUSH_MAX_PER_ADDR", CT_INT, "32", 1, 1000000, "connections per client address (behind a trusted proxy: the forwarded address)" }, /* CFG_PUSH_MAX_PER_ADDR */
	{ "push_max_subs", "STRAPI_LIVE_PUSH_MAX_SUBS", CT_INT, "64", 1, 10000, "subscriptions per WebSocket" }, /* CFG_PUSH_MAX_SUBS */
	{ "push_max_message", "STRAPI_LIVE_PUSH_MAX_MESSAGE", CT_INT, "4096", 64, 1048576, "largest WebSocket message accepted, bytes" }, /* CFG_PUSH_MAX_MESSAGE */
	{ "push_queue", "STRAPI_LIVE_PUSH_QUEUE", CT_INT, "1048576", 4096, 1LL << 30, "bytes queued per client before coalescing or closing" }, /* CFG_PUSH_QUEUE */
	{ "push_token", "STRAPI_LIVE_PUSH_TOKEN", CT_SECRET, "", 0, 0, "when set, subscribers must present it (?token= or Authorization)" }, /* CFG_PUSH_TOKEN */
	{ "push_loop", "STRAPI_LIVE_PUSH_LOOP", CT_STRING, "auto", 0, 0, "sidecar event loop: auto (libuv when lws has it, else poll), libuv or poll" }, /* CFG_PUSH_LOOP */
	/* push limits: clients behind proxies, live queries, memory */
	{ "push_trusted_proxies", "STRAPI_LIVE_PUSH_TRUSTED_PROXIES", CT_LIST, "127.0.0.1, ::1", 0, 0, "proxies (addresses or networks) whose forwarding header names the client" }, /* CFG_PUSH_TRUSTED_PROXIES */
	{ "push_client_header", "STRAPI_LIVE_PUSH_CLIENT_HEADER", CT_STRING, "x-forwarded-for", 0, 0, "header the trusted proxies set: x-forwarded-for or forwarded" }, /* CFG_PUSH_CLIENT_HEADER */
	{ "push_max_subs_per_addr", "STRAPI_LIVE_PUSH_MAX_SUBS_PER_ADDR", CT_INT, "256", 1, 1000000, "live-query subscriptions per client address, all its connections together" }, /* CFG_PUSH_MAX_SUBS_PER_ADDR */
	{ "push_max_queries", "STRAPI_LIVE_PUSH_MAX_QUERIES", CT_INT, "4096", 1, 1000000, "distinct live queries in the sidecar" }, /* CFG_PUSH_MAX_QUERIES */
	{ "push_page_sizes", "STRAPI_LIVE_PUSH_PAGE_SIZES", CT_LIST, "1, 5, 10, 20, 25, 50, 100", 0, 0, "page sizes a live query may ask for (1 to 100)" }, /* CFG_PUSH_PAGE_SIZES */
	{ "push_render_budget", "STRAPI_LIVE_PUSH_RENDER_BUDGET", CT_INT, "2000", 100, 10000000, "entries rendered for live queries per loop turn before other work runs" }, /* CFG_PUSH_RENDER_BUDGET */
	{ "push_catchup_memory", "STRAPI_LIVE_PUSH_CATCHUP_MEMORY", CT_INT, "16777216", 65536, 1LL << 34, "bytes of catch-up copies (changes read back from the log) held for all clients" }, /* CFG_PUSH_CATCHUP_MEMORY */
	{ "push_send_timeout", "STRAPI_LIVE_PUSH_SEND_TIMEOUT", CT_INT, "30", 1, 3600, "seconds a client may leave queued data unread before it is closed" }, /* CFG_PUSH_SEND_TIMEOUT */
	{ "events_duration", "STRAPI_LIVE_EVENTS_DURATION", CT_INT, "25", 1, 3600, "seconds events.fcgi keeps a stream open" }, /* CFG_EVENTS_DURATION */
	/* events.fcgi stream bounds */
	{ "events_stream_bytes", "STRAPI_LIVE_EVENTS_STREAM_BYTES", CT_INT, "1048576", 4096, 1LL << 30, "bytes one events.fcgi stream sends before it ends (the client resumes)" }, /* CFG_EVENTS_STREAM_BYTES */
	{ "events_write_timeout", "STRAPI_LIVE_EVENTS_WRITE_TIMEOUT", CT_INT, "10", 1, 3600, "seconds a write of events.fcgi may wait for the server to take it" }, /* CFG_EVENTS_WRITE_TIMEOUT */
	{ "events_cgi_duration", "STRAPI_LIVE_EVENTS_CGI_DURATION", CT_INT, "5", 1, 3600, "seconds a stream lasts under plain CGI (a process each), at most events_duration" }, /* CFG_EVENTS_CGI_DURATION */
	{ "changes_keep", "STRAPI_LIVE_CHANGES_KEEP", CT_INT, "100000", 100, 1LL << 40, "change-log records kept (by the writers, and by trim)" }, /* CFG_CHANGES_KEEP */
	{ "events_keep", "STRAPI_LIVE_EVENTS_KEEP", CT_INT, "100000", 100, 1LL << 40, "event-log records kept (by the writers, and by trim)" }, /* CFG_EVENTS_KEEP */
	/* automatic retention of the change log and the event log */
	{ "changes_max_bytes", "STRAPI_LIVE_CHANGES_MAX_BYTES", CT_INT, "268435456", 0, 1LL << 50, "bytes of change-log records kept; the writers trim the oldest beyond (0: no bound)" }, /* CFG_CHANGES_MAX_BYTES */
	{ "changes_max_age", "STRAPI_LIVE_CHANGES_MAX_AGE", CT_INT, "2592000", 0, 1LL << 40, "seconds a change-log record is kept (0: no bound)" }, /* CFG_CHANGES_MAX_AGE */
	{ "events_max_bytes", "STRAPI_LIVE_EVENTS_MAX_BYTES", CT_INT, "67108864", 0, 1LL << 50, "bytes of event-log records kept; the writers trim the oldest beyond (0: no bound)" }, /* CFG_EVENTS_MAX_BYTES */
	{ "events_max_age", "STRAPI_LIVE_EVENTS_MAX_AGE", CT_INT, "2592000", 0, 1LL << 40, "seconds an event-log record is kept (0: no bound)" }, /* CFG_EVENTS_MAX_AGE */
	{ "query_cache", "STRAPI_LIVE_QUERY_CACHE", CT_INT, "64", 0, 4096, "answers each query.fcgi process keeps, reused while the store's seq is unchanged (0: off)" }, /* CFG_QUERY_CACHE */
	/* replication: off while repl_local is empty */
	{ "repl_local", "STRAPI_LIVE_REPL_LOCAL", CT_STRING, "", 0, 0, "this host's replication address host:port; empty: replication off" }, /* CFG_REPL_LOCAL */
	{ "repl_sites", "STRAPI_LIVE_REPL_SITES", CT_LIST, "", 0, 0, "the other sites' replication addresses host:port" }, /* CFG_REPL_SITES */
	{ "repl_priority", "STRAPI_LIVE_REPL_PRIORITY", CT_INT, "100", 0, 1000000, "election priority (0: never master)" }, /* CFG_REPL_PRIORITY */
	{ "repl_ack_policy", "STRAPI_LIVE_REPL_ACK_POLICY", CT_STRING, "quorum", 0, 0, "acks before a webhook is acknowledged: quorum, all, all_available, one, one_peer, all_peers, none" }, /* CFG_REPL_ACK_POLICY */
	{ "repl_ack_timeout", "STRAPI_LIVE_REPL_ACK_TIMEOUT", CT_INT, "2000", 1, 600000, "ms to wait for acks before a webhook is refused (503)" }, /* CFG_REPL_ACK_TIMEOUT */
	{ "repl_election_timeout", "STRAPI_LIVE_REPL_ELECTION_TIMEOUT", CT_INT, "2000", 10, 600000, "ms an election may take" }, /* CFG_REPL_ELECTION_TIMEOUT */
	{ "repl_election_retry", "STRAPI_LIVE_REPL_ELECTION_RETRY", CT_INT, "1000", 10, 600000, "ms between election attempts" }, /* CFG_REPL_ELECTION_RETRY */
	{ "repl_heartbeat", "STRAPI_LIVE_REPL_HEARTBEAT", CT_INT, "500", 0, 600000, "ms between master heartbeats; a client calls an election after 4 missed (0: off)" }, /* CFG_REPL_HEARTBEAT */
	{ "repl_group_creator", "STRAPI_LIVE_REPL_GROUP_CREATOR", CT_BOOL, "no", 0, 0, "yes on exactly one site for the group's very first start" }, /* CFG_REPL_GROUP_CREATOR */
	{ "repl_start_timeout", "STRAPI_LIVE_REPL_START_TIMEOUT", CT_INT, "60", 1, 86400, "seconds the replication process waits to join and sync before giving up" }, /* CFG_REPL_START_TIMEOUT */
	{ "repl_forward", "STRAPI_LIVE_REPL_FORWARD", CT_STRING, "forward", 0, 0, "a webhook reaching a replica: forward (proxy to the master; the only mode)" }, /* CFG_REPL_FORWARD */
	{ "repl_webhook_urls", "STRAPI_LIVE_REPL_WEBHOOK_URLS", CT_LIST, "", 0, 0, "each site's webhook URL: host:port=URL, keyed by replication address" }, /* CFG_REPL_WEBHOOK_URLS */
	/* replication exposure and status access */
	{ "repl_insecure_network", "STRAPI_LIVE_REPL_INSECURE_NETWORK", CT_BOOL, "no", 0, 0, "yes: allow a wildcard or public replication address and plain http:// to other hosts in repl_webhook_urls (the network between sites must then be trusted)" }, /* CFG_REPL_INSECURE_NETWORK */
	{ "status_token", "STRAPI_LIVE_STATUS_TOKEN", CT_SECRET, "", 0, 0, "token for the sidecar's full /live/healthz and /live/metrics (Authorization: Bearer); empty: only {\"up\":..} is served" }, /* CFG_STATUS_TOKEN */
	/* process recycling */
	{ "max_requests", "STRAPI_LIVE_MAX_REQUESTS", CT_INT, "0", 0, 1LL << 40, "requests a FastCGI process serves before it exits for the server to start a fresh one (0: no limit)" }, /* CFG_MAX_REQUESTS */
};
/* clang-format on */

static const char *coll_attrs[] = { "plural", "uid", "slug_field",
	"category_field", "locales", "fields" };
#define NCOLL_ATTRS (sizeof(coll_attrs) / sizeof(coll_attrs[0]))

struct coll_raw {
	char *name;
	char *attr[NCOLL_ATTRS];
};

struct conf {
	char *val[CFG__MAX];
	char *path; /* config file read, or NULL */
	int exposed; /* file with secrets is readable by others */
	unsigned int mode; /* the file's permission bits */
	char **warnings;   /* found by conf_load, logged by conf_log_warnings */
	size_t nwarnings;
	struct coll_raw *raw;
	size_t nraw;
	struct collection *colls;
	size_t ncolls;
	int64_t ints[CFG__MAX];
	char **cors;
	size_t ncors;
	struct clientaddr_net *trusted; /* push_trusted_proxies */
	size_t ntrusted;
	uint64_t *page_sizes; /* push_page_sizes, ascending */
	size_t npage_sizes;
};

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
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
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
	free_list(co->locales, co->nlocales);
	for (i = 0; i < co->nfields; i++) {
		free(co->fields[i].name);
		free(co->fields[i].type);
	}
	free(co->fields);
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
	}
	for (i = 0; i < c->nraw; i++) {
		free(c->raw[i].name);
		for (j = 0; j < NCOLL_ATTRS; j++)
			free(c->raw[i].attr[j]);
	}
	free(c->raw);
	for (i = 0; i < c->ncolls; i++)
		collection_clear(&c->colls[i]);
	free(c->colls);
	free_list(c->cors, c->ncors);
	free(c->trusted);
	free(c->page_sizes);
	free_list(c->warnings, c->nwarnings);
	free(c->path);
	free(c);
}

static int
find_key(const char *key)
{
	int i;

	for (i = 0; i < CFG__MAX; i++)
		if (strcmp(conf_table[i].key, key) == 0)
			return i;
	return -1;
}

static int
valid_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && *s != '-')
			return 0;
	return 1;
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
conf_set(struct conf *c, const char *key, const char *value,
    const char *origin, char **cause)
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
		for (i = 0; i < NCOLL_ATTRS; i++)
			if (strcmp(attr, coll_attrs[i]) == 0)
				break;
		if (i == NCOLL_ATTRS || !valid_name(name)) {
			free(name);
			goto unknown;
		}
		r = raw_collection(c, name);
		free(name);
		free(r->attr[i]);
		r->attr[i] = xstrdup(value);
		return 0;
	}
	if ((k = find_key(key)) == -1)
		goto unknown;
	if (conf_table[k].type == CT_SECRET)
		free_secret(c->val[k]);
	else
		free(c->val[k]);
	c->val[k] = xstrdup(value);
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

static void
env_name_for(char *out, size_t outsz, const char *name, const char *attr)
{
	size_t i;

	snprintf(out, outsz, "STRAPI_LIVE_COLLECTION_%s_%s", name, attr);
	for (i = 0; out[i] != '\0'; i++) {
		if (out[i] == '-')
			out[i] = '_';
		out[i] = (char)toupper((unsigned char)out[i]);
	}
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
		if (!valid_name(tok))
			continue; /* reported by conf_finish */
		for (j = 0; j < NCOLL_ATTRS; j++) {
			env_name_for(name, sizeof(name), tok, coll_attrs[j]);
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

static char **
split_list(const char *s, size_t *n)
{
	char *copy, *tok, *save, **v = NULL;

	*n = 0;
	copy = xstrdup(s);
	for (tok = strtok_r(copy, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xstrdup(tok);
	}
	free(copy);
	return v;
}

static int
build_collection(struct conf *c, const char *name, struct collection *co,
    char **cause)
{
	struct coll_raw *r = NULL;
	size_t i, n;
	char **f;
	const char *a[NCOLL_ATTRS] = { NULL };
	char *colon;

	for (i = 0; i < c->nraw; i++)
		if (strcmp(c->raw[i].name, name) == 0)
			r = &c->raw[i];
	if (r != NULL)
		for (i = 0; i < NCOLL_ATTRS; i++)
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
	co->locales = split_list(a[4] != NULL ? a[4] : "", &co->nlocales);
	if (co->nlocales == 0) {
		co->locales = xcalloc(1, sizeof(*co->locales));
		co->locales[0] = xstrdup("");
		co->nlocales = 1;
	}
	if (!valid_name(co->plural)) {
		xasprintf(cause, "collection.%s.plural: invalid name '%s'",
		    name, co->plural);
		return -1;
	}
	f = split_list(a[5] != NULL ? a[5] :
	    (strcmp(name, "article") == 0 ?
	    "title:string slug:uid content:richtext excerpt:text "
	    "category:enumeration" : ""), &n);
	co->fields = n > 0 ? xcalloc(n, sizeof(*co->fields)) : NULL;
	co->nfields = n;
	for (i = 0; i < n; i++) {
		if ((colon = strchr(f[i], ':')) != NULL)
			*colon++ = '\0';
		co->fields[i].name = xstrdup(f[i]);
		co->fields[i].type = xstrdup(colon != NULL && *colon != '\0' ?
		    colon : "string");
	}
	free_list(f, n);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The push limits' lists: trusted proxies, client header, page sizes. */
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
	v = split_list(c->val[CFG_PUSH_PAGE_SIZES], &n);
	free(c->page_sizes);
	c->page_sizes = xreallocarray(NULL, n > 0 ? n : 1, sizeof(uint64_t));
	c->npage_sizes = n;
	for (i = 0; i < n; i++) {
		c->page_sizes[i] = (uint64_t)strtonum(v[i], 1, 100, &errstr);
		if (errstr != NULL) {
			xasprintf(cause,
			    "push_page_sizes: '%s' is not 1 to 100", v[i]);
			free_list(v, n);
			return -1;
		}
	}
	free_list(v, n);
	if (n == 0) {
		xasprintf(cause, "push_page_sizes: empty");
		return -1;
	}
	qsort(c->page_sizes, n, sizeof(uint64_t), cmp_u64);
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

	for (i = 0; i < CFG__MAX; i++) {
		const struct conf_row *row = &conf_table[i];
		const char *v = c->val[i];

		switch (row->type) {
		case CT_INT:
			c->ints[i] = strtonum(v, row->min, row->max, &errstr);
			if (errstr != NULL) {
				xasprintf(cause, "%s: '%s' is %s (%lld..%lld)",
				    row->key, v, errstr, row->min, row->max);
				return -1;
			}
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
				xasprintf(cause, "%s: '%s' is not yes or no",
				    row->key, v);
				return -1;
			}
			break;
		default:
			break;
		}
	}
	if (log_level_parse(c->val[CFG_LOG_LEVEL], &lv) == -1) {
		xasprintf(cause, "log_level: '%s' is not error, warn, info or "
		    "debug", c->val[CFG_LOG_LEVEL]);
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
	if (c->val[CFG_API_PREFIX][0] != '/' && c->val[CFG_API_PREFIX][0] != 0) {
		xasprintf(cause, "api_prefix: '%s' must start with /",
		    c->val[CFG_API_PREFIX]);
		return -1;
	}
	if (c->val[CFG_WEBHOOK_HEADER][0] == '\0') {
		xasprintf(cause, "webhook_header: empty");
		return -1;
	}
	names = split_list(c->val[CFG_COLLECTIONS], &n);
	if (n == 0) {
		free_list(names, n);
		xasprintf(cause, "collections: no collection configured");
		return -1;
	}
	for (i = 0; i < c->nraw; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (strcmp(names[j], c->raw[i].name) == 0)
				break;
		if (j == n) {
			xasprintf(cause, "collection.%s: not listed in "
			    "'collections'", c->raw[i].name);
			free_list(names, n);
			return -1;
		}
	}
	c->colls = xcalloc(n, sizeof(*c->colls));
	for (i = 0; i < n; i++) {
		if (!valid_name(names[i])) {
			xasprintf(cause, "collections: invalid name '%s'",
			    names[i]);
			free_list(names, n);
			return -1;
		}
		c->ncolls++;
		if (build_collection(c, names[i], &c->colls[i], cause) == -1) {
			free_list(names, n);
			return -1;
		}
	}
	free_list(names, n);
	c->cors = split_list(c->val[CFG_CORS_ORIGINS], &c->ncors);
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
static void
file_warnings(struct conf *c)
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
		for (j = 0; j < NCOLL_ATTRS; j++) {
			env_name_for(v, sizeof(v), c->colls[i].name,
			    coll_attrs[j]);
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
static void
env_warnings(struct conf *c, char *const *envp)
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
	file_warnings(c);
	env_warnings(c, environ);
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

		fprintf(f, "collection.%s.plural = %s\n", co->name,
		    co->plural);
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
conf_collection_by_uid(const struct conf *c, const char *uid,
    const char *model)
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
conf_collection_by_plural(const struct conf *c, const char *plural,
    size_t len)
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
