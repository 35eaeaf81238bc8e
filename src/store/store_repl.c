/* store_repl.c: the store's replication across hosts (BDB Replication Manager) */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "util/now.h"
#include "conf/repl_conf.h"
#include "store/store_int.h"
#include "store/store_repl.h"
#include "util/xmalloc.h"

/*
 * Every host keeps a full replica of the store, kept current by Berkeley
 * DB's own Replication Manager (libdb 5.3); nothing here copies data.
 *
 * Processes. BDB lets one process per environment own the site's network
 * address and run the Replication Manager's threads (the "replication
 * process": message processing, elections, acks it receives); other
 * processes that write call repmgr_start too and become "subordinate":
 * on the master they open their own connections to the clients, send the
 * log records of their own transactions and wait for the acks. The first
 * process to call repmgr_start becomes the replication process, so:
 *  - the replication process (STORE_OPEN_REPL_NODE: `strapi-live
 *    repl-node` or the push sidecar) starts repmgr at open, with threads;
 *  - webhooks are written by the replication process itself (the
 *    sidecar's writer threads: webhook.fcgi hands them over, relay.c);
 *  - the write commands (sync, import, replay, trim) never call
 *    repmgr_start (it would make the first of them the replication
 *    process): BDB's autostart makes them subordinate at their first log
 *    write on the master. They write only while this host's replication
 *    address answers;
 *  - readers (query.fcgi, events.fcgi) never start it: they read the
 *    local copy. All open the environment with DB_THREAD, as BDB requires
 *    of every handle in a Replication Manager environment.
 *
 * Acknowledgement. A write on the master commits locally (the log is
 * flushed as before) and repmgr waits, in the committing thread, for the
 * acks the policy asks for (default: a quorum of the electable sites).
 * When they don't come within repl_ack_timeout BDB fires
 * DB_EVENT_REP_PERM_FAILED in that process; the write path then reports
 * failure, so a webhook is never acknowledged unless the policy was met.
 * A retried delivery is idempotent.
 */

struct repl_site {
	char *host;
	unsigned port;
};

/* Process-wide configuration (store_repl_configure). */
static struct {
	int on;
	struct repl_site local;
	struct repl_site *sites;
	size_t nsites;
	int priority;
	u_int32_t ack_policy;
	int ack_timeout_ms, election_timeout_ms, election_retry_ms;
	int heartbeat_ms, creator, start_timeout_s;
} rc;

struct store_repl {
	int node;    /* the replication process (opened REPL_NODE) */
	int started; /* repmgr_start has succeeded in this process */
	int opened_client; /* not master when this process opened the store */
	int refused;	   /* became master since: said once, refusing */
};

static int
parse_addr(const char *s, struct repl_site *out)
{
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (colon == NULL || colon == s || colon[1] == '\0')
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port == 0 || port > 65535)
		return -1;
	out->host = xstrndup(s, (size_t)(colon - s));
	out->port = (unsigned)port;
	return 0;
}

static const struct {
	const char *name;
	u_int32_t policy;
} ack_policies[] = {
	{ "quorum", DB_REPMGR_ACKS_QUORUM },
	{ "all", DB_REPMGR_ACKS_ALL },
	{ "all_available", DB_REPMGR_ACKS_ALL_AVAILABLE },
	{ "all_peers", DB_REPMGR_ACKS_ALL_PEERS },
	{ "one", DB_REPMGR_ACKS_ONE },
	{ "one_peer", DB_REPMGR_ACKS_ONE_PEER },
	{ "none", DB_REPMGR_ACKS_NONE },
};

int
store_repl_configure(const struct conf *c, char **cause)
{
	const char *local = conf_str(c, CFG_REPL_LOCAL);
	const char *pol = conf_str(c, CFG_REPL_ACK_POLICY);
	char *list, *tok, *save;
	size_t i;

	memset(&rc, 0, sizeof(rc));
	if (local[0] == '\0')
		return 0;
	if (parse_addr(local, &rc.local) == -1) {
		xasprintf(cause, "repl_local: '%s' is not host:port", local);
		return -1;
	}
	list = xstrdup(conf_str(c, CFG_REPL_SITES));
	for (tok = strtok_r(list, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		rc.sites = xreallocarray(rc.sites, rc.nsites + 1,
		    sizeof(*rc.sites));
		if (parse_addr(tok, &rc.sites[rc.nsites]) == -1) {
			xasprintf(cause, "repl_sites: '%s' is not host:port",
			    tok);
			free(list);
			return -1;
		}
		rc.nsites++;
	}
	free(list);
	/* No wildcard or public address unless the operator says so. */
	if (repl_conf_check(c, cause) == -1)
		return -1;
	for (i = 0; i < sizeof(ack_policies) / sizeof(ack_policies[0]); i++)
		if (strcmp(pol, ack_policies[i].name) == 0)
			break;
	if (i == sizeof(ack_policies) / sizeof(ack_policies[0])) {
		xasprintf(cause, "repl_ack_policy: unknown policy '%s'", pol);
		return -1;
	}
	rc.ack_policy = ack_policies[i].policy;
	rc.priority = (int)conf_int(c, CFG_REPL_PRIORITY);
	rc.ack_timeout_ms = (int)conf_int(c, CFG_REPL_ACK_TIMEOUT);
	rc.election_timeout_ms = (int)conf_int(c, CFG_REPL_ELECTION_TIMEOUT);
	rc.election_retry_ms = (int)conf_int(c, CFG_REPL_ELECTION_RETRY);
	rc.heartbeat_ms = (int)conf_int(c, CFG_REPL_HEARTBEAT);
	rc.creator = conf_bool(c, CFG_REPL_GROUP_CREATOR);
	rc.start_timeout_s = (int)conf_int(c, CFG_REPL_START_TIMEOUT);
	rc.on = 1;
	return 0;
}

int
store_repl_enabled(void)
{
	return rc.on;
}

/*
 * Membership watchdog. libdb 5.3 admits any site that asks the master to
 * join (no authentication): it then receives every database, votes in
 * elections and, as a member that never acks, can make every commit miss
 * the ack policy. The replication process compares the group's member
 * list with the configured sites (repl_local, repl_sites) every
 * WATCHDOG_MS and at once when libdb reports a site added; a stranger is
 * counted, logged, and removed by the master (DB_SITE->remove). While a
 * stranger is in the list, writes are refused (store_repl_write_target):
 * no commit may count a stranger's ack, nor wait for one.
 */
#define WATCHDOG_MS 500

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	struct store *owner; /* the store whose environment it watches */
	int stop, kick;
	uint64_t noticed; /* strangers seen join (counted once each) */
	uint64_t removed; /* of them, gone from the member list since */
	char **seen;      /* "host:port" of the strangers seen last scan */
	size_t nseen;
} wd = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void watchdog_start(struct store *);
static void watchdog_stop(struct store *);

/* 1 when host:port is this site or one of repl_sites. */
static int
configured(const char *host, unsigned port)
{
	size_t i;

	if (port == rc.local.port && strcmp(host, rc.local.host) == 0)
		return 1;
	for (i = 0; i < rc.nsites; i++)
		if (port == rc.sites[i].port &&
		    strcmp(host, rc.sites[i].host) == 0)
			return 1;
	return 0;
}

static void
watchdog_kick(void)
{
	pthread_mutex_lock(&wd.mu);
	wd.kick = 1;
	pthread_cond_signal(&wd.cv);
	pthread_mutex_unlock(&wd.mu);
}

/*
 * A commit of this thread was not acknowledged as the policy asks. libdb
 * fires DB_EVENT_REP_PERM_FAILED in the committing thread (repmgr's send
 * function, which waits for the acks, runs there), so the flag is the
 * thread's own: in the replication process several writer threads commit
 * at once (push_writer.c).
 */
static _Thread_local int perm_failed;

/* Runs in whichever thread the event happened in (see the top comment). */
static void
repl_event(DB_ENV *env UNUSED, u_int32_t event, void *info UNUSED)
{

	switch (event) {
	case DB_EVENT_REP_PERM_FAILED:
		perm_failed = 1;
		break;
	case DB_EVENT_REP_MASTER:
		log_info("replication: this site is now the master");
		break;
	case DB_EVENT_REP_CLIENT:
		log_info("replication: this site is a replica");
		break;
	case DB_EVENT_REP_NEWMASTER:
		log_info("replication: a new master was elected");
		break;
	case DB_EVENT_REP_STARTUPDONE:
		log_info("replication: caught up with the master");
		break;
	case DB_EVENT_REP_DUPMASTER:
		log_warnx("replication: two masters met; this one steps down");
		break;
	case DB_EVENT_REP_JOIN_FAILURE:
		log_warnx("replication: cannot sync with the master");
		break;
	case DB_EVENT_REP_LOCAL_SITE_REMOVED:
		log_warnx("replication: this site was removed from the group");
		break;
	case DB_EVENT_REP_SITE_ADDED:
		watchdog_kick();
		break;
	case DB_EVENT_PANIC:
		log_warnx("replication: environment panic");
		break;
	default:
		break;
	}
}

/*
 * Before DB_ENV->open: replication needs DB_INIT_REP, and DB_THREAD on
 * every handle (repmgr runs threads in the processes that start it).
 */
int
store_repl_env_pre(struct store *st, DB_ENV *env, u_int32_t *flags)
{
	if (!rc.on)
		return 0;
	st->repl = xcalloc(1, sizeof(*st->repl));
	st->repl->node = (st->flags & STORE_OPEN_REPL_NODE) != 0;
	*flags |= DB_INIT_REP | DB_THREAD;
	env->set_event_notify(env, repl_event);
	return 0;
}

static int
repl_fail(const char *what, int ret)
{
	log_warnx("replication: %s: %s", what, db_strerror(ret));
	return -1;
}

static int
add_site(DB_ENV *env, const struct repl_site *s, u_int32_t which)
{
	DB_SITE *site;
	int ret;

	if ((ret = env->repmgr_site(env, s->host, s->port, &site, 0)) != 0)
		return repl_fail("repmgr_site", ret);
	ret = site->set_config(site, which, 1);
	if (ret == 0 && which == DB_LOCAL_SITE && rc.creator)
		ret = site->set_config(site, DB_GROUP_CREATOR, 1);
	(void)site->close(site);
	if (ret != 0)
		return repl_fail("site config", ret);
	return 0;
}

static void
msleep(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static int
set_timeout(DB_ENV *env, int which, int ms)
{
	int ret;

	if ((ret = env->rep_set_timeout(env, which, (db_timeout_t)ms * 1000)) !=
	    0)
		return repl_fail("rep_set_timeout", ret);
	return 0;
}

/* The replication process: configure the group, start repmgr, catch up. */
static int
start_node(struct store *st)
{
	DB_ENV *env = st->env;
	struct store_repl_status s;
	size_t i;
	int ret;
	int64_t deadline = now_mono_ms() + (int64_t)rc.start_timeout_s * 1000;

	if (add_site(env, &rc.local, DB_LOCAL_SITE) == -1)
		return -1;
	for (i = 0; i < rc.nsites; i++)
		if (add_site(env, &rc.sites[i], DB_BOOTSTRAP_HELPER) == -1)
			return -1;
	if ((ret = env->rep_set_priority(env, (u_int32_t)rc.priority)) != 0)
		return repl_fail("rep_set_priority", ret);
	if ((ret = env->repmgr_set_ack_policy(env, (int)rc.ack_policy)) != 0)
		return repl_fail("repmgr_set_ack_policy", ret);
	/* A lone survivor of a two-site group must not elect itself. */
	if ((ret = env->rep_set_config(env, DB_REPMGR_CONF_2SITE_STRICT,
		 1)) != 0)
		return repl_fail("rep_set_config", ret);
	/* Never sleep in a lockout: DB_REP_LOCKOUT (store_read.c: rtxn). */
	if ((ret = env->rep_set_config(env, DB_REP_CONF_NOWAIT, 1)) != 0)
		return repl_fail("rep_set_config", ret);
	if (set_timeout(env, DB_REP_ACK_TIMEOUT, rc.ack_timeout_ms) == -1 ||
	    set_timeout(env, DB_REP_ELECTION_TIMEOUT,
		rc.election_timeout_ms) == -1 ||
	    set_timeout(env, DB_REP_ELECTION_RETRY, rc.election_retry_ms) ==
		-1 ||
	    set_timeout(env, DB_REP_CONNECTION_RETRY, 1000) == -1)
		return -1;
	/*
	 * A master's checkpoint pauses (default 30 s) after flushing its
	 * cache, to let replicas flush theirs. Our checkpoints run in the
	 * write path (store.c: commit_done), so that pause was a webhook
	 * held for 30 s: the first one on a new master, whose last
	 * checkpoint time is that of its start, always hit it.
	 */
	if (set_timeout(env, DB_REP_CHECKPOINT_DELAY, 0) == -1)
		return -1;
	if (rc.heartbeat_ms > 0 &&
	    (set_timeout(env, DB_REP_HEARTBEAT_SEND, rc.heartbeat_ms) == -1 ||
		set_timeout(env, DB_REP_HEARTBEAT_MONITOR,
		    rc.heartbeat_ms * 4) == -1))
		return -1;
	/* Joining needs a master: retry until one answers (or time runs out). */
	for (;;) {
		ret = env->repmgr_start(env, 3, DB_REP_ELECTION);
		if (ret == 0)
			break;
		if (ret == DB_REP_IGNORE) {
			log_warnx("replication: another process already runs "
			    "the Replication Manager for %s", st->dir);
			return -1;
		}
		if (ret != DB_REP_UNAVAIL || now_mono_ms() > deadline)
			return repl_fail("repmgr_start", ret);
		log_info("replication: joining the group: no master yet; "
		    "retrying");
		msleep(300);
	}
	st->repl->started = 1;
	/* Databases are opened once this site is master or caught up. */
	for (;;) {
		if (store_repl_status(st, &s) == -1)
			return -1;
		if (s.role == STORE_REPL_MASTER ||
		    (s.role == STORE_REPL_CLIENT && s.startup_done))
			break;
		if (now_mono_ms() > deadline) {
			log_warnx("replication: no master and not caught up "
			    "after %d s", rc.start_timeout_s);
			return -1;
		}
		msleep(20);
	}
	watchdog_start(st);
	log_info("replication: %s started as %s (master %s)", s.self,
	    store_repl_role_name(s.role), s.master[0] ? s.master : "none");
	return 0;
}

/* The replication state of a store_open_thread copy: its parent's. */
void
store_repl_thread(const struct store *parent, struct store *st)
{
	if (parent->repl == NULL)
		return;
	st->repl = xmalloc(sizeof(*st->repl));
	*st->repl = *parent->repl;
}

/* After DB_ENV->open, before the databases are opened. */
int
store_repl_start(struct store *st)
{
	DB_REP_STAT *rs;

	if (st->repl == NULL)
		return 0;
	if (st->repl->node)
		return start_node(st);
	/* See store_repl_write_target: where this process opened. */
	if (st->env->rep_stat(st->env, &rs, 0) == 0) {
		st->repl->opened_client = !(rs->st_status & DB_REP_MASTER);
		free(rs);
	} else
		st->repl->opened_client = 1;
	return 0;
}

/* 1 when something accepts connections on this host's replication address. */
static int
listener_up(void)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[16];
	struct pollfd pfd;
	int fd, up = 0, err;
	socklen_t len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", rc.local.port);
	if (getaddrinfo(rc.local.host, port, &hints, &res) != 0)
		return 0;
	for (ai = res; ai != NULL && !up; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			up = 1;
		else if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			len = sizeof(err);
			if (poll(&pfd, 1, 500) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) ==
				0 &&
			    err == 0)
				up = 1;
		}
		close(fd);
	}
	freeaddrinfo(res);
	return up;
}

/*
 * A writer process is a subordinate: BDB starts that role by itself
 * (log_put's "autostart": a DB_THREAD handle in a Replication Manager
 * environment that writes on the master sets up its own connections and
 * select thread, and waits for the acks of its own commits). Calling
 * repmgr_start here as well would start a second select thread, which
 * deadlocks libdb 5.3. What is checked here is that this host's
 * replication process runs: without it no election or catch-up happens,
 * so writes are refused.
 */
static int
start_subordinate(struct store *st)
{
	if (st->repl->started)
		return 0;
	if (!listener_up()) {
		log_warnx("replication: no replication process answers on "
		    "%s:%u; refusing writes", rc.local.host, rc.local.port);
		return -1;
	}
	st->repl->started = 1;
	return 0;
}

static void
site_addr(DB_ENV *env, int eid, char *out, size_t outsz)
{
	DB_SITE *site;
	const char *host;
	u_int port;

	out[0] = '\0';
	if (env->repmgr_site_by_eid(env, eid, &site) != 0)
		return;
	if (site->get_address(site, &host, &port) == 0)
		snprintf(out, outsz, "%s:%u", host, port);
	(void)site->close(site);
}

int
store_repl_status(struct store *st, struct store_repl_status *out)
{
	DB_REP_STAT *rs;
	DB_REPMGR_STAT *ms;
	DB_REPMGR_SITE *list = NULL;
	u_int n = 0, i;
	int ret;

	memset(out, 0, sizeof(*out));
	if (st->repl == NULL) {
		out->role = STORE_REPL_OFF;
		return 0;
	}
	if ((ret = st->env->rep_stat(st->env, &rs, 0)) != 0)
		return repl_fail("rep_stat", ret);
	if (rs->st_status & DB_REP_MASTER)
		out->role = STORE_REPL_MASTER;
	else if ((rs->st_status & DB_REP_CLIENT) &&
	    rs->st_master != DB_EID_INVALID)
		out->role = STORE_REPL_CLIENT;
	else
		out->role = STORE_REPL_UNKNOWN;
	out->startup_done = rs->st_startup_complete != 0;
	out->nsites = rs->st_nsites;
	out->generation = rs->st_gen;
	out->elections = rs->st_elections;
	out->log_queued = rs->st_log_queued;
	out->lsn_file = rs->st_next_lsn.file;
	out->lsn_offset = rs->st_next_lsn.offset;
	snprintf(out->self, sizeof(out->self), "%s:%u", rc.local.host,
	    rc.local.port);
	if (out->role == STORE_REPL_MASTER)
		snprintf(out->master, sizeof(out->master), "%s", out->self);
	else if (rs->st_master != DB_EID_INVALID)
		site_addr(st->env, (int)rs->st_master, out->master,
		    sizeof(out->master));
	free(rs);
	if (st->env->repmgr_stat(st->env, &ms, 0) == 0) {
		out->perm_failed = ms->st_perm_failed;
		free(ms);
	}
	/* The member list (this site excluded) is in the shared region. */
	if (st->env->repmgr_site_list(st->env, &n, &list) == 0) {
		out->members = n + 1;
		for (i = 0; i < n; i++) {
			if (list[i].status == DB_REPMGR_CONNECTED)
				out->connected++;
			if (!configured(list[i].host, list[i].port))
				out->strangers++;
		}
		free(list);
	}
	pthread_mutex_lock(&wd.mu);
	out->strangers_noticed = wd.noticed;
	out->strangers_removed = wd.removed;
	pthread_mutex_unlock(&wd.mu);
	out->replication_process = st->repl->node && st->repl->started;
	return 0;
}

const char *
store_repl_role_name(enum store_repl_role r)
{
	switch (r) {
	case STORE_REPL_OFF:
		return "standalone";
	case STORE_REPL_MASTER:
		return "master";
	case STORE_REPL_CLIENT:
		return "replica";
	case STORE_REPL_UNKNOWN:
		break;
	}
	return "electing";
}

/* Forgets the strangers seen; wd.mu held. */
static void
seen_clear(void)
{
	size_t i;

	for (i = 0; i < wd.nseen; i++)
		free(wd.seen[i]);
	free(wd.seen);
	wd.seen = NULL;
	wd.nseen = 0;
}

static int
was_seen(char **seen, size_t n, const char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(seen[i], addr) == 0)
			return 1;
	return 0;
}

/*
 * Asks libdb to remove host:port from the group: done on the master, sent
 * to the master from a replica. Returns libdb's answer (logged).
 */
static int
remove_member(DB_ENV *env, const char *host, unsigned port)
{
	DB_SITE *site;
	int ret;

	if ((ret = env->repmgr_site(env, host, port, &site, 0)) != 0) {
		repl_fail("repmgr_site", ret);
		return ret;
	}
	/* remove() frees the handle, whatever it returns. */
	if ((ret = site->remove(site)) != 0) {
		log_warnx("replication: removing %s:%u: %s", host, port,
		    db_strerror(ret));
		return ret;
	}
	log_warnx("replication: asked to remove %s:%u from the group", host,
	    port);
	return 0;
}

/*
 * `strapi-live repl-sites remove`: libdb removes a site only from a
 * process that runs the Replication Manager, so the command leaves the
 * address in REMOVE_FILE (in the store directory, "__db" so that it is
 * never copied to a replica) and the watchdog of the replication process
 * acts on it.
 */
#define REMOVE_FILE "__db.strapi-repl-remove"

static void
serve_remove_requests(struct store *st)
{
	char *path, line[STORE_REPL_ADDR_MAX + 2];
	struct repl_site a;
	FILE *f;

	xasprintf(&path, "%s/%s", st->dir, REMOVE_FILE);
	f = fopen(path, "r");
	if (f != NULL)
		(void)unlink(path);
	free(path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || parse_addr(line, &a) == -1)
			continue;
		log_info("replication: removing %s, as asked by repl-sites",
		    line);
		(void)remove_member(st->env, a.host, a.port);
		free(a.host);
	}
	fclose(f);
}

/* One look at the member list; the master removes what it must. */
static void
watchdog_scan(struct store *st)
{
	DB_REPMGR_SITE *list = NULL;
	DB_REP_STAT *rs;
	u_int n = 0, i;
	char addr[STORE_REPL_ADDR_MAX], **now = NULL;
	size_t nnow = 0, j;
	int master = 0;

	serve_remove_requests(st);
	if (st->env->rep_stat(st->env, &rs, 0) == 0) {
		master = (rs->st_status & DB_REP_MASTER) != 0;
		free(rs);
	}
	if (st->env->repmgr_site_list(st->env, &n, &list) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (configured(list[i].host, list[i].port))
			continue;
		snprintf(addr, sizeof(addr), "%s:%u", list[i].host,
		    list[i].port);
		now = xreallocarray(now, nnow + 1, sizeof(*now));
		now[nnow++] = xstrdup(addr);
		pthread_mutex_lock(&wd.mu);
		if (!was_seen(wd.seen, wd.nseen, addr)) {
			wd.noticed++;
			log_warnx("replication: %s joined the group but is not "
			    "in repl_local or repl_sites of this site: %s; "
			    "writes are refused while it is a member", addr,
			    master ? "removing it" : "the master removes it");
		}
		pthread_mutex_unlock(&wd.mu);
	}
	pthread_mutex_lock(&wd.mu);
	for (j = 0; j < wd.nseen; j++)
		if (!was_seen(now, nnow, wd.seen[j])) {
			wd.removed++;
			log_info("replication: %s is no longer a member",
			    wd.seen[j]);
		}
	seen_clear();
	wd.seen = now;
	wd.nseen = nnow;
	pthread_mutex_unlock(&wd.mu);
	for (i = 0; master && i < n; i++)
		if (!configured(list[i].host, list[i].port))
			(void)remove_member(st->env, list[i].host,
			    list[i].port);
	free(list);
}

static void *
watchdog_run(void *arg)
{
	struct store *st = arg;
	struct timespec ts;

	pthread_mutex_lock(&wd.mu);
	while (!wd.stop) {
		wd.kick = 0;
		pthread_mutex_unlock(&wd.mu);
		watchdog_scan(st);
		pthread_mutex_lock(&wd.mu);
		if (wd.kick || wd.stop)
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)WATCHDOG_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		(void)pthread_cond_timedwait(&wd.cv, &wd.mu, &ts);
	}
	pthread_mutex_unlock(&wd.mu);
	return NULL;
}

static void
watchdog_start(struct store *st)
{
	pthread_mutex_lock(&wd.mu);
	wd.stop = 0;
	wd.owner = st;
	pthread_mutex_unlock(&wd.mu);
	if (pthread_create(&wd.th, NULL, watchdog_run, st) != 0) {
		log_warnx("replication: cannot start the membership watchdog");
		wd.owner = NULL;
	}
}

/* Before st's environment is closed: joins the watchdog if st owns it. */
static void
watchdog_stop(struct store *st)
{
	if (wd.owner == NULL || wd.owner != st)
		return;
	pthread_mutex_lock(&wd.mu);
	wd.stop = 1;
	pthread_cond_signal(&wd.cv);
	pthread_mutex_unlock(&wd.mu);
	pthread_join(wd.th, NULL);
	pthread_mutex_lock(&wd.mu);
	wd.owner = NULL;
	seen_clear();
	pthread_mutex_unlock(&wd.mu);
}

/* 1 when host:port is in this site's member list. */
static int
member(struct store *st, const char *host, unsigned port)
{
	DB_REPMGR_SITE *list = NULL;
	u_int n = 0, i;
	int found = 0;

	if (st->env->repmgr_site_list(st->env, &n, &list) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (list[i].port == port && strcmp(list[i].host, host) == 0)
			found = 1;
	free(list);
	return found;
}

/* How long repl-sites waits for a removal: two ack waits and then some. */
static int
rc_ack_wait_ms(void)
{
	return 2 * rc.ack_timeout_ms + 5000;
}

/*
 * Calls fn for each member of the group as this site sees it (this site
 * first). Returns 0, or -1 after logging.
 */
int
store_repl_sites(struct store *st,
    void (*fn)(void *, const struct store_repl_site *), void *arg)
{
	struct store_repl_status s;
	struct store_repl_site one;
	DB_REPMGR_SITE *list = NULL;
	u_int n = 0, i;
	int ret;

	if (st->repl == NULL)
		return 0;
	if (store_repl_status(st, &s) == -1)
		return -1;
	memset(&one, 0, sizeof(one));
	snprintf(one.addr, sizeof(one.addr), "%s", s.self);
	one.self = one.configured = one.connected = 1;
	one.master = s.role == STORE_REPL_MASTER;
	fn(arg, &one);
	if ((ret = st->env->repmgr_site_list(st->env, &n, &list)) != 0)
		return repl_fail("repmgr_site_list", ret);
	for (i = 0; i < n; i++) {
		memset(&one, 0, sizeof(one));
		snprintf(one.addr, sizeof(one.addr), "%s:%u", list[i].host,
		    list[i].port);
		one.configured = configured(list[i].host, list[i].port);
		one.connected = list[i].status == DB_REPMGR_CONNECTED;
		one.master = strcmp(one.addr, s.master) == 0;
		fn(arg, &one);
	}
	free(list);
	return 0;
}

/*
 * Removes addr ("host:port") from the group: libdb sends the request to
 * the master. Returns 0, or -1 after logging (not a member, no master).
 */
int
store_repl_remove_site(struct store *st, const char *addr)
{
	struct repl_site a;
	char *path, *tmp;
	FILE *f;
	int64_t deadline;
	int ok = -1;

	if (st->repl == NULL || parse_addr(addr, &a) == -1) {
		log_warnx("replication: '%s' is not host:port", addr);
		return -1;
	}
	if (!member(st, a.host, a.port)) {
		log_warnx("replication: %s is not a member of the group", addr);
		free(a.host);
		return -1;
	}
	if (st->repl->node && st->repl->started) {
		ok = remove_member(st->env, a.host, a.port) == 0 ? 0 : -1;
		free(a.host);
		return ok;
	}
	/* Handed to the replication process's watchdog (see above). */
	xasprintf(&path, "%s/%s", st->dir, REMOVE_FILE);
	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%s\n", addr) < 0 ||
	    fclose(f) != 0 || rename(tmp, path) == -1) {
		log_warn("replication: %s", path);
		goto out;
	}
	deadline = now_mono_ms() + (int64_t)rc_ack_wait_ms();
	while (now_mono_ms() < deadline) {
		if (!member(st, a.host, a.port)) {
			ok = 0;
			break;
		}
		msleep(100);
	}
	if (ok == -1)
		log_warnx("replication: %s is still a member (is this host's "
		    "replication process running?)", addr);
	(void)unlink(path);
out:
	free(path);
	free(tmp);
	free(a.host);
	return ok;
}

int
store_repl_write_target(struct store *st, char *addr, size_t addrsz)
{
	struct store_repl_status s;

	addr[0] = '\0';
	if (st->repl == NULL)
		return 0;
	if (store_repl_status(st, &s) == -1)
		return -1;
	switch (s.role) {
	case STORE_REPL_MASTER:
		/* Until the watchdog has removed it (see above). */
		if (s.strangers > 0)
			return -2;
		/*
		 * This site became master after this process opened the
		 * store as a replica. Its first commits as a subordinate
		 * whose replication threads start inside them were seen to
		 * block past the write watchdog (libdb 5.3), and a process
		 * that dies inside the library panics the host's
		 * environment. Such a process (sync.fcgi) has no
		 * replication threads yet, so it refuses; a process that
		 * opens on the master starts them at open, off the request.
		 */
		if (st->repl->opened_client && !st->repl->node) {
			if (!st->repl->refused)
				log_warnx("replication: this site became master "
				    "after this process started; restart it to "
				    "write here");
			st->repl->refused = 1;
			return -1;
		}
		return start_subordinate(st) == 0 ? 0 : -1;
	case STORE_REPL_CLIENT:
		if (s.master[0] == '\0')
			return -1;
		snprintf(addr, addrsz, "%s", s.master);
		return 1;
	default:
		return -1;
	}
}

/* Before a write transaction: 0 when it may go ahead, else -1 (logged). */
int
store_repl_may_write(struct store *st)
{
	char addr[STORE_REPL_ADDR_MAX];
	int r;

	if (st->repl == NULL)
		return 0;
	if ((r = store_repl_write_target(st, addr, sizeof(addr))) == 0) {
		perm_failed = 0;
		return 0;
	}
	if (r == 1)
		log_warnx("replication: this site is a replica (master %s); "
		    "not writing", addr);
	else if (r == -2)
		log_warnx("replication: a site that is not configured is in "
		    "the group; not writing until it is removed");
	else
		log_warnx("replication: no writable master here; not writing");
	return -1;
}

/* After a commit: 0 when the ack policy was met (or replication is off). */
int
store_repl_commit_ok(struct store *st)
{
	if (st->repl == NULL)
		return 0;
	if (perm_failed) {
		perm_failed = 0;
		log_warnx("replication: the commit was not acknowledged by the "
		    "ack policy within %d ms; not acknowledging the write",
		    rc.ack_timeout_ms);
		return -1;
	}
	return 0;
}

/*
 * BDB 5.3 refuses DB_TXN_SNAPSHOT on a replication client, and a file that
 * replication opened without DB_MULTIVERSION can't then be opened with it.
 * So a replicated store runs without MVCC: reads are ordinary (degree 3)
 * transactions, short, retried like writes when chosen as deadlock victim.
 */
u_int32_t
store_mvcc_flag(const struct store *st)
{
	return st->repl != NULL || rc.on ? 0 : DB_MULTIVERSION;
}

u_int32_t
store_snapshot_flag(const struct store *st)
{
	return st->repl != NULL || rc.on ? 0 : DB_TXN_SNAPSHOT;
}

void
store_repl_close(struct store *st)
{
	free(st->repl);
	st->repl = NULL;
}

/*
 * Flags of DB->open. A reader opens read-only, inside a transaction (its
 * reads use transactions, which a handle opened outside one refuses): a
 * read-only handle writes no log record at open, so a process that only
 * reads never starts the Replication Manager's subordinate threads (BDB
 * starts them at a process's first log write on the master, and a
 * transactional open for writing is one: it registers the file in the log).
 */
u_int32_t
store_repl_open_flags(const struct store *st)
{
	if (st->flags & STORE_OPEN_RDONLY)
		return DB_RDONLY | DB_AUTO_COMMIT;
	return DB_CREATE | DB_AUTO_COMMIT;
}

/* Flags of DB->associate: a reader never builds a missing index. */
u_int32_t
store_repl_assoc_flags(const struct store *st)
{
	if (st->flags & STORE_OPEN_RDONLY)
		return DB_AUTO_COMMIT;
	return DB_AUTO_COMMIT | DB_CREATE;
}

/* A handle left open on purpose by an exiting writer (kept reachable). */
static DB_ENV *abandoned_env;

/*
 * Called by store_close with the databases closed: returns 1 when the
 * environment handle must not be closed. A writer other than the
 * replication process runs the Replication Manager's subordinate threads
 * once it has written on the master (BDB starts them by itself), and
 * DB_ENV->close joins them: a connector thread blocked in connect() to a
 * site that does not answer (stopped, or cut off so that SYNs are
 * dropped) holds the join for the kernel's SYN timeout, about two
 * minutes; that was the CLI hang at exit. So such a process flushes the
 * log and leaves the handle open: it exits like a process that dies
 * outside the library, which DB_REGISTER | DB_FAILCHK clean up after (the
 * next opener, or a writer's failchk, frees its slot; __repmgr_failchk
 * only looks at the replication process). Killing it while inside close
 * would be worse: a thread dead inside the library makes failchk demand
 * recovery of the whole environment. Readers (STORE_OPEN_RDONLY), and
 * writers that opened on a replica (they never write there, and leave
 * once the site becomes master), never start those threads and close
 * normally.
 */
int
store_repl_abandon(struct store *st)
{
	int ret;

	watchdog_stop(st);
	if (st->repl == NULL || st->repl->node ||
	    (st->flags & STORE_OPEN_RDONLY) || st->repl->opened_client)
		return 0;
	if ((ret = st->env->log_flush(st->env, NULL)) != 0)
		log_warnx("replication: log_flush at exit: %s",
		    db_strerror(ret));
	abandoned_env = st->env;
	st->env = NULL;
	return 1;
}

/* This site's replication address "host:port" ("" when off). Borrowed. */
const char *
store_repl_self(void)
{
	static char self[STORE_REPL_ADDR_MAX];

	if (!rc.on)
		return "";
	snprintf(self, sizeof(self), "%s:%u", rc.local.host, rc.local.port);
	return self;
}
