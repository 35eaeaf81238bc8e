/* table.c: the settings table and the shape of names and lists in values */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"
#include "util/xmalloc.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

/*
 * One row a setting, indexed by enum conf_key. A key without a row is
 * caught by tests/unit/test_conf (every index has a key), a key added at
 * the end of the enum by the assertion below.
 */
/* clang-format off */
const struct conf_row conf_table[] = {
	[CFG_STORE_DIR] = { .key = "store_dir", .type = CT_PATH,
	    .env = "STRAPI_LIVE_STORE_DIR",
	    .def = LOCALSTATEDIR "/lib/strapi-live",
	    .help = "Berkeley DB environment directory (never under a document root)" },
	[CFG_LOG_LEVEL] = { .key = "log_level", .type = CT_STRING,
	    .env = "STRAPI_LIVE_LOG_LEVEL", .def = "info",
	    .help = "error, warn, info or debug" },
	[CFG_DURABLE] = { .key = "durable", .type = CT_BOOL,
	    .env = "STRAPI_LIVE_DURABLE", .def = "yes",
	    .help = "flush the log to disk before a webhook is acknowledged" },
	[CFG_CACHE_SIZE] = { .key = "cache_size", .type = CT_SIZE,
	    .env = "STRAPI_LIVE_CACHE_SIZE", .def = "67108864",
	    .min = 1024 * 1024, .max = 16LL * 1024 * 1024 * 1024,
	    .help = "Berkeley DB cache shared by every program, bytes; an existing store takes a new size at `strapi-live recover`" },
	[CFG_WEBHOOK_SECRET] = { .key = "webhook_secret", .type = CT_SECRET,
	    .env = "STRAPI_LIVE_WEBHOOK_SECRET", .def = "",
	    .help = "shared secret Strapi sends; empty refuses every delivery" },
	[CFG_WEBHOOK_HEADER] = { .key = "webhook_header", .type = CT_STRING,
	    .env = "STRAPI_LIVE_WEBHOOK_HEADER", .def = "Authorization",
	    .help = "header carrying the secret (Authorization expects Bearer)" },
	[CFG_WEBHOOK_SIGNING_SECRET] = { .key = "webhook_signing_secret", .type = CT_SECRET,
	    .env = "STRAPI_LIVE_WEBHOOK_SIGNING_SECRET", .def = "",
	    .help = "when set, X-Strapi-Signature-256 HMAC-SHA256 is required" },
	[CFG_WEBHOOK_MAX_BODY] = { .key = "webhook_max_body", .type = CT_INT,
	    .env = "STRAPI_LIVE_WEBHOOK_MAX_BODY", .def = "1048576",
	    .min = 1024, .max = 64LL * 1024 * 1024,
	    .help = "largest webhook body accepted, bytes" },
	[CFG_COLLECTIONS] = { .key = "collections", .type = CT_LIST,
	    .env = "STRAPI_LIVE_COLLECTIONS", .def = "article",
	    .help = "configured content types (model names)" },
	[CFG_API_PREFIX] = { .key = "api_prefix", .type = CT_STRING,
	    .env = "STRAPI_LIVE_API_PREFIX", .def = "/api",
	    .help = "path prefix of the REST routes" },
	[CFG_CORS_ORIGINS] = { .key = "cors_origins", .type = CT_LIST,
	    .env = "STRAPI_LIVE_CORS_ORIGINS", .def = "*",
	    .help = "origins allowed by CORS (* for any; empty for none)" },
	[CFG_CACHE_CONTROL] = { .key = "cache_control", .type = CT_STRING,
	    .env = "STRAPI_LIVE_CACHE_CONTROL",
	    .def = "public, max-age=0, must-revalidate",
	    .help = "Cache-Control of query answers" },
	[CFG_STRAPI_URL] = { .key = "strapi_url", .type = CT_STRING,
	    .env = "STRAPI_URL", .def = "",
	    .help = "base URL of Strapi for sync" },
	[CFG_STRAPI_API_TOKEN] = { .key = "strapi_api_token", .type = CT_SECRET,
	    .env = "STRAPI_API_TOKEN", .def = "",
	    .help = "read-only API token for sync" },
	[CFG_STRAPI_CA_FILE] = { .key = "strapi_ca_file", .type = CT_PATH,
	    .env = "STRAPI_LIVE_CA_FILE", .def = "",
	    .help = "CA bundle for TLS to Strapi" },
	[CFG_STRAPI_TIMEOUT] = { .key = "strapi_timeout", .type = CT_INT,
	    .env = "STRAPI_LIVE_STRAPI_TIMEOUT", .def = "30",
	    .min = 1, .max = 3600,
	    .help = "seconds per Strapi request" },
	[CFG_SYNC_SECRET] = { .key = "sync_secret", .type = CT_SECRET,
	    .env = "STRAPI_LIVE_SYNC_SECRET", .def = "",
	    .help = "admin secret for sync.fcgi; empty refuses" },
	[CFG_PUSH_LISTEN] = { .key = "push_listen", .type = CT_STRING,
	    .env = "STRAPI_LIVE_PUSH_LISTEN", .def = "127.0.0.1:8091",
	    .help = "sidecar address: host:port or a unix socket path" },
	[CFG_PUSH_HEARTBEAT] = { .key = "push_heartbeat", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_HEARTBEAT", .def = "25",
	    .min = 1, .max = 3600,
	    .help = "seconds between heartbeats" },
	[CFG_PUSH_POLL_MS] = { .key = "push_poll_ms", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_POLL_MS", .def = "1000",
	    .min = 10, .max = 600000,
	    .help = "change-log poll interval when no wake-up arrives, ms" },
	[CFG_PUSH_MAX_CLIENTS] = { .key = "push_max_clients", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_MAX_CLIENTS", .def = "20000",
	    .min = 1, .max = 1000000,
	    .help = "connections in total" },
	[CFG_PUSH_MAX_PER_ADDR] = { .key = "push_max_per_addr", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_MAX_PER_ADDR", .def = "32",
	    .min = 1, .max = 1000000,
	    .help = "connections per client address (behind a trusted proxy: the forwarded address)" },
	[CFG_PUSH_MAX_SUBS] = { .key = "push_max_subs", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_MAX_SUBS", .def = "64",
	    .min = 1, .max = 10000,
	    .help = "subscriptions per WebSocket" },
	[CFG_PUSH_MAX_MESSAGE] = { .key = "push_max_message", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_MAX_MESSAGE", .def = "4096",
	    .min = 64, .max = 1048576,
	    .help = "largest WebSocket message accepted, bytes" },
	[CFG_PUSH_QUEUE] = { .key = "push_queue", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_QUEUE", .def = "1048576",
	    .min = 4096, .max = 1LL << 30,
	    .help = "bytes queued per client before coalescing or closing" },
	[CFG_PUSH_TOKEN] = { .key = "push_token", .type = CT_SECRET,
	    .env = "STRAPI_LIVE_PUSH_TOKEN", .def = "",
	    .help = "when set, subscribers must present it (?token= or Authorization)" },
	[CFG_PUSH_LOOP] = { .key = "push_loop", .type = CT_STRING,
	    .env = "STRAPI_LIVE_PUSH_LOOP", .def = "auto",
	    .help = "sidecar event loop: auto (libuv when lws has it, else poll), libuv or poll" },
	/* push limits: clients behind proxies, live queries, memory */
	[CFG_PUSH_TRUSTED_PROXIES] = { .key = "push_trusted_proxies", .type = CT_LIST,
	    .env = "STRAPI_LIVE_PUSH_TRUSTED_PROXIES", .def = "127.0.0.1, ::1",
	    .help = "proxies (addresses or networks) whose forwarding header names the client" },
	[CFG_PUSH_CLIENT_HEADER] = { .key = "push_client_header", .type = CT_STRING,
	    .env = "STRAPI_LIVE_PUSH_CLIENT_HEADER", .def = "x-forwarded-for",
	    .help = "header the trusted proxies set: x-forwarded-for or forwarded" },
	[CFG_PUSH_MAX_SUBS_PER_ADDR] = { .key = "push_max_subs_per_addr", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_MAX_SUBS_PER_ADDR", .def = "256",
	    .min = 1, .max = 1000000,
	    .help = "live-query subscriptions per client address, all its connections together" },
	[CFG_PUSH_MAX_QUERIES] = { .key = "push_max_queries", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_MAX_QUERIES", .def = "4096",
	    .min = 1, .max = 1000000,
	    .help = "distinct live queries in the sidecar" },
	[CFG_PUSH_PAGE_SIZES] = { .key = "push_page_sizes", .type = CT_LIST,
	    .env = "STRAPI_LIVE_PUSH_PAGE_SIZES",
	    .def = "1, 5, 10, 20, 25, 50, 100",
	    .help = "page sizes a live query may ask for (1 to 100)" },
	[CFG_PUSH_RENDER_BUDGET] = { .key = "push_render_budget", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_RENDER_BUDGET", .def = "2000",
	    .min = 100, .max = 10000000,
	    .help = "entries rendered for live queries per loop turn before other work runs" },
	/* live queries: limits */
	[CFG_PUSH_KEEP_MATCHES] = { .key = "push_keep_matches", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_KEEP_MATCHES", .def = "4096",
	    .min = 0, .max = 1000000,
	    .help = "matches one filtered live query keeps (more: its runs scan)" },
	[CFG_PUSH_KEEP_MATCHES_ALL] = { .key = "push_keep_matches_all", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_KEEP_MATCHES_ALL", .def = "262144",
	    .min = 0, .max = 100000000,
	    .help = "matches all live queries keep together (more: the next query's runs scan)" },
	[CFG_PUSH_CATCHUP_MEMORY] = { .key = "push_catchup_memory", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_CATCHUP_MEMORY", .def = "16777216",
	    .min = 65536, .max = 1LL << 34,
	    .help = "bytes of catch-up copies (changes read back from the log) held for all clients" },
	[CFG_PUSH_SEND_TIMEOUT] = { .key = "push_send_timeout", .type = CT_INT,
	    .env = "STRAPI_LIVE_PUSH_SEND_TIMEOUT", .def = "30",
	    .min = 1, .max = 3600,
	    .help = "seconds a client may leave queued data unread before it is closed" },
	[CFG_EVENTS_DURATION] = { .key = "events_duration", .type = CT_INT,
	    .env = "STRAPI_LIVE_EVENTS_DURATION", .def = "25",
	    .min = 1, .max = 3600,
	    .help = "seconds events.fcgi keeps a stream open" },
	/* events.fcgi stream bounds */
	[CFG_EVENTS_STREAM_BYTES] = { .key = "events_stream_bytes", .type = CT_INT,
	    .env = "STRAPI_LIVE_EVENTS_STREAM_BYTES", .def = "1048576",
	    .min = 4096, .max = 1LL << 30,
	    .help = "bytes one events.fcgi stream sends before it ends (the client resumes)" },
	[CFG_EVENTS_WRITE_TIMEOUT] = { .key = "events_write_timeout", .type = CT_INT,
	    .env = "STRAPI_LIVE_EVENTS_WRITE_TIMEOUT", .def = "10",
	    .min = 1, .max = 3600,
	    .help = "seconds a write of events.fcgi may wait for the server to take it" },
	[CFG_EVENTS_CGI_DURATION] = { .key = "events_cgi_duration", .type = CT_INT,
	    .env = "STRAPI_LIVE_EVENTS_CGI_DURATION", .def = "5",
	    .min = 1, .max = 3600,
	    .help = "seconds a stream lasts under plain CGI (a process each), at most events_duration" },
	[CFG_CHANGES_KEEP] = { .key = "changes_keep", .type = CT_INT,
	    .env = "STRAPI_LIVE_CHANGES_KEEP", .def = "100000",
	    .min = 100, .max = 1LL << 40,
	    .help = "change-log records kept (by the writers, and by trim)" },
	[CFG_EVENTS_KEEP] = { .key = "events_keep", .type = CT_INT,
	    .env = "STRAPI_LIVE_EVENTS_KEEP", .def = "100000",
	    .min = 100, .max = 1LL << 40,
	    .help = "event-log records kept (by the writers, and by trim)" },
	/* automatic retention of the change log and the event log */
	[CFG_CHANGES_MAX_BYTES] = { .key = "changes_max_bytes", .type = CT_INT,
	    .env = "STRAPI_LIVE_CHANGES_MAX_BYTES", .def = "268435456",
	    .min = 0, .max = 1LL << 50,
	    .help = "bytes of change-log records kept; the writers trim the oldest beyond (0: no bound)" },
	[CFG_CHANGES_MAX_AGE] = { .key = "changes_max_age", .type = CT_INT,
	    .env = "STRAPI_LIVE_CHANGES_MAX_AGE", .def = "2592000",
	    .min = 0, .max = 1LL << 40,
	    .help = "seconds a change-log record is kept (0: no bound)" },
	[CFG_EVENTS_MAX_BYTES] = { .key = "events_max_bytes", .type = CT_INT,
	    .env = "STRAPI_LIVE_EVENTS_MAX_BYTES", .def = "67108864",
	    .min = 0, .max = 1LL << 50,
	    .help = "bytes of event-log records kept; the writers trim the oldest beyond (0: no bound)" },
	[CFG_EVENTS_MAX_AGE] = { .key = "events_max_age", .type = CT_INT,
	    .env = "STRAPI_LIVE_EVENTS_MAX_AGE", .def = "2592000",
	    .min = 0, .max = 1LL << 40,
	    .help = "seconds an event-log record is kept (0: no bound)" },
	[CFG_QUERY_CACHE] = { .key = "query_cache", .type = CT_INT,
	    .env = "STRAPI_LIVE_QUERY_CACHE", .def = "64",
	    .min = 0, .max = 4096,
	    .help = "answers each query.fcgi process keeps, reused while the store's seq is unchanged (0: off)" },
	/* populate: cache */
	[CFG_POPULATE_CACHE_ROWS] = { .key = "populate_cache_rows", .type = CT_INT,
	    .env = "STRAPI_LIVE_POPULATE_CACHE_ROWS", .def = "4096",
	    .min = 0, .max = 1048576,
	    .help = "related rows (populate's entries and media) each query.fcgi process keeps across requests, dropped as the change log names them (0: each request reads its own)" },
	[CFG_POPULATE_CACHE_BYTES] = { .key = "populate_cache_bytes", .type = CT_INT,
	    .env = "STRAPI_LIVE_POPULATE_CACHE_BYTES", .def = "16777216",
	    .min = 65536, .max = 1LL << 32,
	    .help = "bytes of related rows each query.fcgi process keeps; past them or populate_cache_rows it starts again empty" },
	/* replication: off while repl_local is empty */
	[CFG_REPL_LOCAL] = { .key = "repl_local", .type = CT_STRING,
	    .env = "STRAPI_LIVE_REPL_LOCAL", .def = "",
	    .help = "this host's replication address host:port; empty: replication off" },
	[CFG_REPL_SITES] = { .key = "repl_sites", .type = CT_LIST,
	    .env = "STRAPI_LIVE_REPL_SITES", .def = "",
	    .help = "the other sites' replication addresses host:port" },
	[CFG_REPL_PRIORITY] = { .key = "repl_priority", .type = CT_INT,
	    .env = "STRAPI_LIVE_REPL_PRIORITY", .def = "100",
	    .min = 0, .max = 1000000,
	    .help = "election priority (0: never master)" },
	[CFG_REPL_ACK_POLICY] = { .key = "repl_ack_policy", .type = CT_STRING,
	    .env = "STRAPI_LIVE_REPL_ACK_POLICY", .def = "quorum",
	    .help = "acks before a webhook is acknowledged: quorum, all, all_available, one, one_peer, all_peers, none" },
	[CFG_REPL_ACK_TIMEOUT] = { .key = "repl_ack_timeout", .type = CT_INT,
	    .env = "STRAPI_LIVE_REPL_ACK_TIMEOUT", .def = "2000",
	    .min = 1, .max = 600000,
	    .help = "ms to wait for acks before a webhook is refused (503)" },
	[CFG_REPL_ELECTION_TIMEOUT] = { .key = "repl_election_timeout", .type = CT_INT,
	    .env = "STRAPI_LIVE_REPL_ELECTION_TIMEOUT", .def = "2000",
	    .min = 10, .max = 600000,
	    .help = "ms an election may take" },
	[CFG_REPL_ELECTION_RETRY] = { .key = "repl_election_retry", .type = CT_INT,
	    .env = "STRAPI_LIVE_REPL_ELECTION_RETRY", .def = "1000",
	    .min = 10, .max = 600000,
	    .help = "ms between election attempts" },
	[CFG_REPL_HEARTBEAT] = { .key = "repl_heartbeat", .type = CT_INT,
	    .env = "STRAPI_LIVE_REPL_HEARTBEAT", .def = "500",
	    .min = 0, .max = 600000,
	    .help = "ms between master heartbeats; a client calls an election after 4 missed (0: off)" },
	[CFG_REPL_GROUP_CREATOR] = { .key = "repl_group_creator", .type = CT_BOOL,
	    .env = "STRAPI_LIVE_REPL_GROUP_CREATOR", .def = "no",
	    .help = "yes on exactly one site for the group's very first start" },
	[CFG_REPL_START_TIMEOUT] = { .key = "repl_start_timeout", .type = CT_INT,
	    .env = "STRAPI_LIVE_REPL_START_TIMEOUT", .def = "60",
	    .min = 1, .max = 86400,
	    .help = "seconds the replication process waits to join and sync before giving up" },
	[CFG_REPL_FORWARD] = { .key = "repl_forward", .type = CT_STRING,
	    .env = "STRAPI_LIVE_REPL_FORWARD", .def = "forward",
	    .help = "a webhook reaching a replica: forward (proxy to the master; the only mode)" },
	[CFG_REPL_WEBHOOK_URLS] = { .key = "repl_webhook_urls", .type = CT_LIST,
	    .env = "STRAPI_LIVE_REPL_WEBHOOK_URLS", .def = "",
	    .help = "each site's webhook URL: host:port=URL, keyed by replication address" },
	/* replication exposure and status access */
	[CFG_REPL_INSECURE_NETWORK] = { .key = "repl_insecure_network", .type = CT_BOOL,
	    .env = "STRAPI_LIVE_REPL_INSECURE_NETWORK", .def = "no",
	    .help = "yes: allow a wildcard or public replication address and plain http:// to other hosts in repl_webhook_urls (the network between sites must then be trusted)" },
	[CFG_STATUS_TOKEN] = { .key = "status_token", .type = CT_SECRET,
	    .env = "STRAPI_LIVE_STATUS_TOKEN", .def = "",
	    .help = "token for the sidecar's full /live/healthz and /live/metrics (Authorization: Bearer); empty: only {\"up\":..} is served" },
	[CFG_CGI_CPU_LIMIT] = { .key = "cgi_cpu_limit", .type = CT_INT,
	    .env = "STRAPI_LIVE_CGI_CPU_LIMIT", .def = "60",
	    .min = 0, .max = 86400,
	    .help = "seconds of CPU a plain-CGI request's process may use before it ends itself (a loop it cannot leave; a request not yet answered is answered by a fresh process); 0: no limit" },
	/* process recycling */
	[CFG_MAX_REQUESTS] = { .key = "max_requests", .type = CT_INT,
	    .env = "STRAPI_LIVE_MAX_REQUESTS", .def = "0",
	    .min = 0, .max = 1LL << 40,
	    .help = "requests a FastCGI process serves before it exits for the server to start a fresh one (0: no limit)" },
	/* content model */
	[CFG_SCHEMA_DIR] = { .key = "schema_dir", .type = CT_PATH,
	    .env = "STRAPI_LIVE_SCHEMA_DIR", .def = "",
	    .help = "a Strapi project's src/ folder: the content model (api/*/content-types, components) the collections take their REST names from; empty: none" },
	[CFG_LOCALES] = { .key = "locales", .type = CT_LIST,
	    .env = "STRAPI_LIVE_LOCALES", .def = "en",
	    .help = "the Strapi project's locales, its default first: those of every type schema_dir marks localized (collection.<name>.locales overrides)" },
	/* Query language */
	[CFG_QUERY_MAX_SCAN] = { .key = "query_max_scan", .type = CT_INT,
	    .env = "STRAPI_LIVE_QUERY_MAX_SCAN", .def = "20000",
	    .min = 1, .max = 10000000,
	    .help = "entries a list may read when its filters or sort are not served by an index (every list but the default order, sort=id and sort=publishedAt, without filters); over it the list answers 400" },
	[CFG_QUERY_SCAN_CACHE] = { .key = "query_scan_cache", .type = CT_INT,
	    .env = "STRAPI_LIVE_QUERY_SCAN_CACHE", .def = "16777216",
	    .min = 0, .max = 1LL << 32,
	    .help = "bytes each query.fcgi process keeps of the values of the text attributes its scans test (at most 4 columns, kept current from the change log), so that a scan reads only the entries whose value may match (0: every scan reads every entry)" },
	/* Re-fetching incomplete deliveries */
	[CFG_REFETCH_TIMEOUT] = { .key = "refetch_timeout", .type = CT_INT,
	    .env = "STRAPI_LIVE_REFETCH_TIMEOUT", .def = "10",
	    .min = 1, .max = 300,
	    .help = "seconds per Strapi request when webhook.fcgi re-fetches an incomplete delivery (with strapi_url set)" },
	/* static answers */
	[CFG_STATIC_DIR] = { .key = "static_dir", .type = CT_PATH,
	    .env = "STRAPI_LIVE_STATIC_DIR", .def = "",
	    .help = "directory the writers render the canonical query answers into, as files the web server serves (docs/static.md); empty: off" },
	[CFG_STATIC_TYPES] = { .key = "static_types", .type = CT_LIST,
	    .env = "STRAPI_LIVE_STATIC_TYPES", .def = "",
	    .help = "the types rendered into static_dir, each NAME or NAME:FORM+FORM (forms: list, id, slug, category); empty: every type, every form" },
	[CFG_STATIC_LIST_PAGES] = { .key = "static_list_pages", .type = CT_INT,
	    .env = "STRAPI_LIVE_STATIC_LIST_PAGES", .def = "2",
	    .min = 0, .max = 1000,
	    .help = "pages of each default list rendered into static_dir" },
	[CFG_STATIC_MAX_FILES] = { .key = "static_max_files", .type = CT_INT,
	    .env = "STRAPI_LIVE_STATIC_MAX_FILES", .def = "5000",
	    .min = 1, .max = 1000000,
	    .help = "files static_dir holds at most (the rest is answered by query.fcgi)" },
	[CFG_STATIC_MAX_BYTES] = { .key = "static_max_bytes", .type = CT_INT,
	    .env = "STRAPI_LIVE_STATIC_MAX_BYTES", .def = "67108864",
	    .min = 4096, .max = 64LL * 1024 * 1024 * 1024,
	    .help = "bytes static_dir holds at most (the rest is answered by query.fcgi)" },
	/* static answers: change pages */
	[CFG_STATIC_CHANGE_PAGE_SIZE] = { .key = "static_change_page_size", .type = CT_INT,
	    .env = "STRAPI_LIVE_STATIC_CHANGE_PAGE_SIZE", .def = "100",
	    .min = 1, .max = 1000,
	    .help = "changes per change page under static_dir/_live/changes (page N holds seqs N*size+1 to (N+1)*size)" },
	[CFG_STATIC_CHANGE_PAGES] = { .key = "static_change_pages", .type = CT_INT,
	    .env = "STRAPI_LIVE_STATIC_CHANGE_PAGES", .def = "50",
	    .min = 0, .max = 100000,
	    .help = "change pages static_dir keeps (the newest; older ones are removed); 0: none, and the head names none" },
};
/* clang-format on */
_Static_assert(sizeof(conf_table) / sizeof(conf_table[0]) == CFG__MAX,
    "conf_table: a row for every enum conf_key");

/* The attributes of "collection.<name>.<attr>" keys, in coll_raw's order. */
const char *const conf_coll_attrs[CONF_NCOLL_ATTRS] = { "plural", "uid",
	"slug_field", "category_field", "locales", "fields",
	/* query indexes */
	"index" };

/* The index of a table key, or -1 when no setting has that name. */
int
conf_table_find(const char *key)
{
	int i;

	for (i = 0; i < CFG__MAX; i++)
		if (strcmp(conf_table[i].key, key) == 0)
			return i;
	return -1;
}

/* 1 when s may name a collection: 1 to 64 of [a-z0-9_-]. */
int
conf_name_valid(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/*
 * Splits a list value at blanks and commas. Returns the words (NULL when
 * none) and *n; the caller frees with conf_list_free.
 */
char **
conf_list_split(const char *s, size_t *n)
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

/* Frees n words and the vector; conf_list_free(NULL, 0) does nothing. */
void
conf_list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* STRAPI_LIVE_COLLECTION_<NAME>_<ATTR>, upper case, '-' as '_'. */
void
conf_coll_env_name(char *out, size_t outsz, const char *name, const char *attr)
{
	size_t i;

	snprintf(out, outsz, "STRAPI_LIVE_COLLECTION_%s_%s", name, attr);
	for (i = 0; out[i] != '\0'; i++) {
		if (out[i] == '-')
			out[i] = '_';
		out[i] = (char)toupper((unsigned char)out[i]);
	}
}
