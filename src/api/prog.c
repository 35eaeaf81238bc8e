/* prog.c: configuration, logging and store opening for the server programs */
#include "config.h"

#include <sys/resource.h>

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/now.h"
#include "util/xmalloc.h"
#include "util/notify.h"
#include "api/materialize.h"
#include "api/prog.h"
#include "api/qlang.h"
#include "conf/repl_conf.h"
#include "model/entry.h"
#include "model/schema.h"
#include "store/store_repl.h"

static int set_names(struct conf *, const struct schema *, const char *,
    char **);

static const char cpu_msg[] = "strapi-live: this request's process used "
                              "its cgi_cpu_limit of CPU time (a loop it "
                              "could not leave); exiting\n";

static void
cpu_fire(int sig UNUSED)
{
	char ts[LOG_STAMP_LEN];

	(void)!write(STDERR_FILENO, ts, log_stamp(ts));
	(void)!write(STDERR_FILENO, cpu_msg, sizeof(cpu_msg) - 1);
	_exit(STORE_EXIT_AGAIN);
}

/*
 * A plain-CGI process serves one request, in well under a second of CPU.
 * One that spins (seen: an events.cgi looping inside libdb's buffer pool
 * after a recovery, at 40% of a core, for as long as nobody killed it,
 * its web server long gone) would cost a shared host's account its CPU
 * quota. So it ends itself after secs of CPU (RLIMIT_CPU's SIGXCPU, the
 * hard limit 5 s later in case the handler cannot run), as a process
 * that has to leave for a fresh one: plain CGI's supervisor answers the
 * request again when nothing was sent (src/fcgi/cgi.c); a stream's
 * client resumes. secs 0: no limit.
 */
static void
limit_cpu(long secs)
{
	struct sigaction sa;
	struct rlimit rl;

	if (secs <= 0 || getrlimit(RLIMIT_CPU, &rl) == -1)
		return;
	if (rl.rlim_max != RLIM_INFINITY && (rlim_t)secs >= rl.rlim_max)
		return; /* a lower limit is already set: it stands */
	rl.rlim_cur = (rlim_t)secs;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)secs + 5)
		rl.rlim_max = (rlim_t)secs + 5;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cpu_fire;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGXCPU, &sa, NULL) == 0 &&
	    setrlimit(RLIMIT_CPU, &rl) == -1)
		log_warn("cgi_cpu_limit");
}

/*
 * Loads the configuration once per process (file, then environment), sets
 * the log level, applies the replication settings, warns when a file with
 * secrets is readable by others, and opens the store (writers with the
 * configured durability; readers send no wake-ups). Every failure here is
 * fatal: it happens at start-up, before any request.
 */
void
prog_start(struct prog *p, const char *argv0, enum prog_role role)
{
	char *cause;
	enum log_level lv = LOG_LEVEL_INFO;
	int flags;

	log_init(argv0, LOG_LEVEL_INFO);
	if (conf_load(&p->conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	(void)log_level_parse(conf_str(p->conf, CFG_LOG_LEVEL), &lv);
	log_set_level(lv);
	if (prog_repl_configure(p->conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	conf_log_warnings(p->conf);
	if (p->cgi)
		limit_cpu((long)conf_int(p->conf, CFG_CGI_CPU_LIMIT));
	if (prog_load_schema(p->conf, &p->schema, &cause) == -1)
		fatalx("schema: %s", cause);
	p->store = NULL;
	/*
	 * Replicated, webhook.fcgi hands each delivery to the
	 * host's replication process (relay.c, push/writer.c) and opens
	 * nothing itself.
	 */
	if (role == PROG_WEBHOOK && store_repl_enabled())
		return;
	if (role == PROG_WEBHOOK)
		role = PROG_WRITER;
	flags = STORE_OPEN_DEFAULT;
	/*
	 * Replicated: the sidecar is the host's replication process
	 * (it starts the Replication Manager's threads at open and waits to
	 * join the group); readers open read-only, so they never start
	 * repmgr threads of their own.
	 */
	if (store_repl_enabled() && role == PROG_PUSH)
		flags |= STORE_OPEN_REPL_NODE;
	else if (store_repl_enabled() && role == PROG_READER)
		flags |= STORE_OPEN_RDONLY;
	store_set_id_reader(entry_id_of); /* the default order's index */
	store_set_cache_size((uint64_t)conf_int(p->conf, CFG_CACHE_SIZE));
	/*
	 * Failing here is often a recovery under way (the open gives up
	 * after a few joins): plain CGI answers the request again in a new
	 * process on this status (src/fcgi/cgi.c).
	 */
	if (store_open(&p->store, conf_str(p->conf, CFG_STORE_DIR), flags) ==
	    -1) {
		log_warnx("cannot open the store");
		exit(STORE_EXIT_AGAIN);
	}
	/* Fault injection (tests/cgi/t1713): a pause right after the open. */
	now_fault_pause("SL_FAULT_PAUSE_AFTER_OPEN");
	if (role == PROG_WRITER)
		store_set_durable(p->store, conf_bool(p->conf, CFG_DURABLE));
	/* Writers wake the readers; the sidecar's writer threads inherit it. */
	if (role == PROG_WRITER || role == PROG_PUSH)
		prog_wake_readers(p->store);
	/* The sidecar's writer threads take the bounds from its store. */
	if (role == PROG_WRITER || role == PROG_PUSH)
		prog_set_retention(p->conf, p->store);
	/* Without schema_dir, the model `strapi-live schema pull` kept. */
	if (prog_load_stored_schema(p->conf, p->store, &p->schema, &cause) ==
	    -1)
		fatalx("schema: %s", cause);
	/* The attribute indexes, once the attributes' types are known. */
	if (qlang_index_open(p->store, p->conf, p->schema, &cause) == -1)
		fatalx("configuration: %s", cause);
}

/*
 * Loads the content model of schema_dir into *out (NULL when the setting
 * is empty) and gives each configured collection its REST names from it
 * (conf_collection_set_names): a collection is matched by singular name,
 * and one the model lacks is an error. Returns 0, or -1 with *cause set
 * (caller frees) and *out NULL.
 */
int
prog_load_schema(struct conf *c, struct schema **out, char **cause)
{
	const char *dir = conf_str(c, CFG_SCHEMA_DIR);
	struct schema *s;

	*out = NULL;
	if (dir[0] == '\0')
		return 0;
	if (schema_load_dir(&s, dir, cause) == -1)
		return -1;
	if (set_names(c, s, dir, cause) == -1) {
		schema_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/*
 * Gives each configured collection its REST names from the model s
 * (read from where): matched by singular name; one s lacks is an error.
 * Returns 0, or -1 with *cause set (caller frees).
 */
static int
set_names(struct conf *c, const struct schema *s, const char *where,
    char **cause)
{
	const struct collection *co;
	const struct schema_type *t;
	size_t i;

	for (i = 0; i < conf_ncollections(c); i++) {
		co = conf_collection(c, i);
		if ((t = schema_type_by_singular(s, co->name)) == NULL) {
			xasprintf(cause,
			    "collection '%s' is not a content type of %s",
			    co->name, where);
			return -1;
		}
		if (conf_collection_set_names(c, co->name, t->plural, t->uid,
		        t->single, cause) == -1)
			return -1;
		if (t->localized &&
		    conf_collection_set_locales(c, co->name,
		        conf_str(c, CFG_LOCALES), cause) == -1)
			return -1;
	}
	return 0;
}

/* The names of the content model's two blobs in the store. */
static const char *const schema_blobs[] = {
	"schema.ctb.content-types",
	"schema.ctb.components",
};
#define SCHEMA_PULLED "the schema pulled from Strapi (strapi-live schema pull)"

/*
 * Keeps the content-type-builder's two answers (JSON text) in st, in one
 * transaction, for prog_load_stored_schema. Returns 0, or -1 after
 * logging (nothing written; store_why says why).
 */
int
prog_keep_schema(struct store *st, const char *types, const char *components)
{
	const char *v[2] = { types, components };
	size_t lens[2] = { strlen(types), strlen(components) };

	return store_blob_set(st, schema_blobs, v, lens, 2);
}

/*
 * store_blob_get under the store's read watch (watchdog.c). A program
 * reads the content model right after opening the store, before any
 * request, where nothing else watches: a read left waiting on the mutex
 * of a process killed in the store waited for ever (a FastCGI worker that
 * never served) or until plain CGI's bound (cgi.c: 20 s, the request
 * answered late). Stuck so, the store is reopened in place (recovering
 * it) and the read tried again, once.
 */
static int
blob_get_watched(struct store *st, const char *name, struct buf *b)
{
	volatile int again = 0;
	int r;

	if (sigsetjmp(store_read_jump, 1) != 0) {
		(void)store_read_watch(st, 0);
		log_warnx("store: reading the content model kept in the store "
		          "was stuck on a process that died in it; reopening "
		          "the store");
		if (again++ > 0 || store_recover(st) == -1)
			return -1;
	}
	(void)store_read_watch(st, 1);
	r = store_blob_get(st, name, b);
	(void)store_read_watch(st, 0);
	return r;
}

/*
 * Reads the content model prog_keep_schema kept in st into *out (NULL
 * when the store holds none). Returns 0, or -1 with *cause set (caller
 * frees).
 */
int
prog_read_stored_schema(struct store *st, struct schema **out, char **cause)
{
	struct json_object *j[2] = { NULL, NULL };
	struct buf b;
	const char *why;
	size_t i;
	int rc = -1, r;

	*out = NULL;
	buf_init(&b);
	for (i = 0; i < 2; i++) {
		r = blob_get_watched(st, schema_blobs[i], &b);
		/* a process died in the store meanwhile: reopen, once */
		if (r == -1 && store_needs_recovery(st) &&
		    !store_was_recovered(st) && store_recover(st) == 0)
			r = blob_get_watched(st, schema_blobs[i], &b);
		if (r == 1 && i == 0) {
			rc = 0; /* never pulled */
			goto out;
		}
		if (r != 0) {
			xasprintf(cause,
			    "%s: cannot be read from the store%s%s",
			    SCHEMA_PULLED, r == 1 ? "" : ": ",
			    r == 1 ? "" : store_why(st));
			goto out;
		}
		if ((j[i] = entry_parse_json(buf_cstr(&b), b.len, &why)) ==
		    NULL) {
			xasprintf(cause, "%s: %s", SCHEMA_PULLED, why);
			goto out;
		}
	}
	rc = schema_load_ctb(out, j[0], j[1], cause);
out:
	json_object_put(j[0]);
	json_object_put(j[1]);
	buf_clear(&b);
	return rc;
}

/*
 * Without schema_dir, loads the content model kept in st into *out (left
 * alone when *out is already set or st holds none) and gives the
 * collections their REST names from it, as prog_load_schema does.
 * Returns 0, or -1 with *cause set (caller frees).
 */
int
prog_load_stored_schema(struct conf *c, struct store *st, struct schema **out,
    char **cause)
{
	struct schema *s;

	if (*out != NULL || conf_str(c, CFG_SCHEMA_DIR)[0] != '\0' ||
	    st == NULL)
		return 0;
	if (prog_read_stored_schema(st, &s, cause) == -1)
		return -1;
	if (s != NULL && set_names(c, s, SCHEMA_PULLED, cause) == -1) {
		schema_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/*
 * Hands the replication settings of conf to the store (store_repl_configure),
 * after checking that no address exposes the group (repl_conf_check).
 * Returns 0, or -1 with *cause set (caller frees); replication is then off.
 */
int
prog_repl_configure(const struct conf *c, char **cause)
{
	struct store_repl_opts o;

	memset(&o, 0, sizeof(o));
	o.local = conf_str(c, CFG_REPL_LOCAL);
	o.sites = conf_str(c, CFG_REPL_SITES);
	o.ack_policy = conf_str(c, CFG_REPL_ACK_POLICY);
	o.priority = (int)conf_int(c, CFG_REPL_PRIORITY);
	o.ack_timeout_ms = (int)conf_int(c, CFG_REPL_ACK_TIMEOUT);
	o.election_timeout_ms = (int)conf_int(c, CFG_REPL_ELECTION_TIMEOUT);
	o.election_retry_ms = (int)conf_int(c, CFG_REPL_ELECTION_RETRY);
	o.heartbeat_ms = (int)conf_int(c, CFG_REPL_HEARTBEAT);
	o.group_creator = conf_bool(c, CFG_REPL_GROUP_CREATOR);
	o.start_timeout_s = (int)conf_int(c, CFG_REPL_START_TIMEOUT);
	if (store_repl_configure(&o, cause) == -1)
		return -1;
	/* No wildcard or public address unless the operator says so. */
	if (o.local[0] != '\0' && repl_conf_check(c, cause) == -1) {
		o.local = "";
		(void)store_repl_configure(&o, NULL);
		return -1;
	}
	return 0;
}

static void
wake(void *st, uint64_t seq)
{
	notify_send(store_dir(st), seq);
	materialize_note(seq);
}

/*
 * Makes the commits of st wake the sidecar and events.fcgi (notify_send),
 * as every program that writes does, and leave static_dir to render
 * (materialize_pending, after the write).
 */
void
prog_wake_readers(struct store *st)
{
	store_set_commit_hook(st, wake, st);
}

/* The retention settings of conf, as the store takes them. */
void
prog_retention(const struct conf *conf, struct store_retention *r)
{
	r->changes_keep = (uint64_t)conf_int(conf, CFG_CHANGES_KEEP);
	r->changes_max_bytes = (uint64_t)conf_int(conf, CFG_CHANGES_MAX_BYTES);
	r->changes_max_age_ms = conf_int(conf, CFG_CHANGES_MAX_AGE) * 1000;
	r->events_keep = (uint64_t)conf_int(conf, CFG_EVENTS_KEEP);
	r->events_max_bytes = (uint64_t)conf_int(conf, CFG_EVENTS_MAX_BYTES);
	r->events_max_age_ms = conf_int(conf, CFG_EVENTS_MAX_AGE) * 1000;
}

/*
 * Gives a writer's store the configured retention, so that its commits
 * keep both logs bounded without a cron job. A failure to size an old
 * store's logs is logged and not fatal (the bounds apply all the same).
 */
void
prog_set_retention(const struct conf *conf, struct store *st)
{
	struct store_retention r;

	prog_retention(conf, &r);
	(void)store_set_retention(st, &r);
}

/* Closes the store and frees the content model and the configuration. */
void
prog_finish(struct prog *p)
{
	store_close(p->store);
	schema_free(p->schema);
	conf_free(p->conf);
	p->store = NULL;
	p->schema = NULL;
	p->conf = NULL;
}
