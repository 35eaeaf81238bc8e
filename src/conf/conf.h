/* conf.h: settings table, config file and environment overrides */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum conf_key {
	CFG_STORE_DIR,
	CFG_LOG_LEVEL,
	CFG_DURABLE,
	CFG_CACHE_SIZE,
	CFG_WEBHOOK_SECRET,
	CFG_WEBHOOK_HEADER,
	CFG_WEBHOOK_SIGNING_SECRET,
	CFG_WEBHOOK_MAX_BODY,
	CFG_COLLECTIONS,
	CFG_API_PREFIX,
	CFG_CORS_ORIGINS,
	CFG_CACHE_CONTROL,
	CFG_STRAPI_URL,
	CFG_STRAPI_API_TOKEN,
	CFG_STRAPI_CA_FILE,
	CFG_STRAPI_TIMEOUT,
	CFG_SYNC_SECRET,
	CFG_PUSH_LISTEN,
	CFG_PUSH_HEARTBEAT,
	CFG_PUSH_POLL_MS,
	CFG_PUSH_MAX_CLIENTS,
	CFG_PUSH_MAX_PER_ADDR,
	CFG_PUSH_MAX_SUBS,
	CFG_PUSH_MAX_MESSAGE,
	CFG_PUSH_QUEUE,
	CFG_PUSH_TOKEN,
	CFG_PUSH_LOOP,
	/* push limits: clients behind proxies, live queries, memory */
	CFG_PUSH_TRUSTED_PROXIES,
	CFG_PUSH_CLIENT_HEADER,
	CFG_PUSH_MAX_SUBS_PER_ADDR,
	CFG_PUSH_MAX_QUERIES,
	CFG_PUSH_PAGE_SIZES,
	CFG_PUSH_RENDER_BUDGET,
	/* live queries: limits */
	CFG_PUSH_KEEP_MATCHES,
	CFG_PUSH_KEEP_MATCHES_ALL,
	CFG_PUSH_CATCHUP_MEMORY,
	CFG_PUSH_SEND_TIMEOUT,
	CFG_EVENTS_DURATION,
	/* events.fcgi stream bounds */
	CFG_EVENTS_STREAM_BYTES,
	CFG_EVENTS_WRITE_TIMEOUT,
	CFG_EVENTS_CGI_DURATION,
	CFG_CHANGES_KEEP,
	CFG_EVENTS_KEEP,
	/* automatic retention of the change log and the event log */
	CFG_CHANGES_MAX_BYTES,
	CFG_CHANGES_MAX_AGE,
	CFG_EVENTS_MAX_BYTES,
	CFG_EVENTS_MAX_AGE,
	CFG_QUERY_CACHE,
	/* populate: cache */
	CFG_POPULATE_CACHE_ROWS,
	CFG_POPULATE_CACHE_BYTES,
	/* replication */
	CFG_REPL_LOCAL,
	CFG_REPL_SITES,
	CFG_REPL_PRIORITY,
	CFG_REPL_ACK_POLICY,
	CFG_REPL_ACK_TIMEOUT,
	CFG_REPL_ELECTION_TIMEOUT,
	CFG_REPL_ELECTION_RETRY,
	CFG_REPL_HEARTBEAT,
	CFG_REPL_GROUP_CREATOR,
	CFG_REPL_START_TIMEOUT,
	CFG_REPL_FORWARD,
	CFG_REPL_WEBHOOK_URLS,
	/* replication exposure and status access */
	CFG_REPL_INSECURE_NETWORK,
	CFG_STATUS_TOKEN,
	/* process recycling */
	CFG_CGI_CPU_LIMIT,
	CFG_MAX_REQUESTS,
	/* content model */
	CFG_SCHEMA_DIR,
	CFG_LOCALES,
	/* Query language */
	CFG_QUERY_MAX_SCAN,
	CFG_QUERY_SCAN_CACHE,
	/* Re-fetching incomplete deliveries */
	CFG_REFETCH_TIMEOUT,
	/* static answers */
	CFG_STATIC_DIR,
	CFG_STATIC_TYPES,
	CFG_STATIC_LIST_PAGES,
	CFG_STATIC_MAX_FILES,
	CFG_STATIC_MAX_BYTES,
	/* static answers: change pages */
	CFG_STATIC_CHANGE_PAGE_SIZE,
	CFG_STATIC_CHANGE_PAGES,
	CFG__MAX
};

struct collection_field {
	char *name;
	char
	    *type; /* Strapi attribute type: string, uid, text, richtext, ... */
};

/* One configured content type. Strings are never NULL ("" when unset). */
struct collection {
	char *name;           /* model (singular), e.g. "article" */
	char *plural;         /* REST plural, e.g. "articles" */
	char *uid;            /* e.g. "api::article.article" */
	char *slug_field;     /* "" when the type has no slug */
	char *category_field; /* "" when the type has no category */
	char **locales;       /* locales[0] is the default; none: "" only */
	size_t nlocales;
	struct collection_field *fields;
	size_t nfields;
	int single;   /* a single type (from the schema; 0 without one) */
	char **index; /* query indexes: the attributes indexed */
	size_t nindex;
};

struct conf;

typedef const char *(*conf_getenv_fn)(const char *);

struct conf *conf_new(void);
void conf_free(struct conf *);
int conf_parse_text(struct conf *, const char *text, const char *origin,
    char **cause);
int conf_apply_env(struct conf *, conf_getenv_fn, char **cause);
int conf_finish(struct conf *, char **cause);
int conf_load(struct conf **, char **cause);

const char *conf_str(const struct conf *, enum conf_key);
int64_t conf_int(const struct conf *, enum conf_key);
int conf_bool(const struct conf *, enum conf_key);
const char *conf_path(const struct conf *);
void conf_dump(const struct conf *, FILE *);
int conf_file_is_exposed(const struct conf *);
int conf_env_known(const struct conf *, const char *name);
void conf_log_warnings(const struct conf *);

size_t conf_ncollections(const struct conf *);
const struct collection *conf_collection(const struct conf *, size_t);
const struct collection *conf_collection_by_uid(const struct conf *,
    const char *uid, const char *model);
const struct collection *conf_collection_by_plural(const struct conf *,
    const char *plural, size_t len);
const struct collection *conf_collection_by_name(const struct conf *,
    const char *name);
int conf_collection_set_locales(struct conf *, const char *name,
    const char *list, char **cause);
int conf_collection_set_names(struct conf *, const char *name,
    const char *plural, const char *uid, int single, char **cause);
int conf_cors_allows(const struct conf *, const char *origin);
struct clientaddr_net;
const struct clientaddr_net *conf_push_trusted(const struct conf *, size_t *);
const uint64_t *conf_push_page_sizes(const struct conf *, size_t *);

#endif
