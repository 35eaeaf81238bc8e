/* repl.c: the store's replication across hosts (BDB Replication Manager) */
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
#include "store/store_int.h"
#include "store/store_repl.h"
#include "store/repl_int.h"
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
		repl_watch_kick();
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
	if (!repl_rc.on)
		return 0;
	st->repl = xcalloc(1, sizeof(*st->repl));
	st->repl->node = (st->flags & STORE_OPEN_REPL_NODE) != 0;
	*flags |= DB_INIT_REP | DB_THREAD;
	env->set_event_notify(env, repl_event);
	return 0;
}

static int
add_site(DB_ENV *env, const struct repl_site *s, u_int32_t which)
{
	DB_SITE *site;
	int ret;

	if ((ret = env->repmgr_site(env, s->host, s->port, &site, 0)) != 0)
		return repl_fail("repmgr_site", ret);
	ret = site->set_config(site, which, 1);
	if (ret == 0 && which == DB_LOCAL_SITE && repl_rc.creator)
		ret = site->set_config(site, DB_GROUP_CREATOR, 1);
	(void)site->close(site);
	if (ret != 0)
		return repl_fail("site config", ret);
	return 0;
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
	int64_t deadline =
	    now_mono_ms() + (int64_t)repl_rc.start_timeout_s * 1000;

	if (add_site(env, &repl_rc.local, DB_LOCAL_SITE) == -1)
		return -1;
	for (i = 0; i < repl_rc.nsites; i++)
		if (add_site(env, &repl_rc.sites[i], DB_BOOTSTRAP_HELPER) == -1)
			return -1;
	if ((ret = env->rep_set_priority(env, (u_int32_t)repl_rc.priority)) !=
	    0)
		return repl_fail("rep_set_priority", ret);
	if ((ret = env->repmgr_set_ack_policy(env, (int)repl_rc.ack_policy)) !=
	    0)
		return repl_fail("repmgr_set_ack_policy", ret);
	/* A lone survivor of a two-site group must not elect itself. */
	if ((ret = env->rep_set_config(env, DB_REPMGR_CONF_2SITE_STRICT, 1)) !=
	    0)
		return repl_fail("rep_set_config", ret);
	/* Never sleep in a lockout: DB_REP_LOCKOUT (meta.c: store_rtxn). */
	if ((ret = env->rep_set_config(env, DB_REP_CONF_NOWAIT, 1)) != 0)
		return repl_fail("rep_set_config", ret);
	if (set_timeout(env, DB_REP_ACK_TIMEOUT, repl_rc.ack_timeout_ms) ==
	        -1 ||
	    set_timeout(env, DB_REP_ELECTION_TIMEOUT,
	        repl_rc.election_timeout_ms) == -1 ||
	    set_timeout(env, DB_REP_ELECTION_RETRY,
	        repl_rc.election_retry_ms) == -1 ||
	    set_timeout(env, DB_REP_CONNECTION_RETRY, 1000) == -1)
		return -1;
	/*
	 * A master's checkpoint pauses (default 30 s) after flushing its
	 * cache, to let replicas flush theirs. Our checkpoints run in the
	 * write path (txn.c: commit_done), so that pause was a webhook
	 * held for 30 s: the first one on a new master, whose last
	 * checkpoint time is that of its start, always hit it.
	 */
	if (set_timeout(env, DB_REP_CHECKPOINT_DELAY, 0) == -1)
		return -1;
	if (repl_rc.heartbeat_ms > 0 &&
	    (set_timeout(env, DB_REP_HEARTBEAT_SEND, repl_rc.heartbeat_ms) ==
	            -1 ||
	        set_timeout(env, DB_REP_HEARTBEAT_MONITOR,
	            repl_rc.heartbeat_ms * 4) == -1))
		return -1;
	/* Joining needs a master: retry until one answers (or time runs out). */
	for (;;) {
		ret = env->repmgr_start(env, 3, DB_REP_ELECTION);
		if (ret == 0)
			break;
		if (ret == DB_REP_IGNORE) {
			log_warnx("replication: another process already runs "
			          "the Replication Manager for %s",
			    st->dir);
			return -1;
		}
		if (ret != DB_REP_UNAVAIL || now_mono_ms() > deadline)
			return repl_fail("repmgr_start", ret);
		log_info("replication: joining the group: no master yet; "
		         "retrying");
		repl_msleep(300);
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
			          "after %d s",
			    repl_rc.start_timeout_s);
			return -1;
		}
		repl_msleep(20);
	}
	repl_watch_start(st);
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
	snprintf(port, sizeof(port), "%u", repl_rc.local.port);
	if (getaddrinfo(repl_rc.local.host, port, &hints, &res) != 0)
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
		          "%s:%u; refusing writes",
		    repl_rc.local.host, repl_rc.local.port);
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
	snprintf(out->self, sizeof(out->self), "%s:%u", repl_rc.local.host,
	    repl_rc.local.port);
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
			if (!repl_configured(list[i].host, list[i].port))
				out->strangers++;
		}
		free(list);
	}
	repl_watch_counts(&out->strangers_noticed, &out->strangers_removed);
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
				log_warnx(
				    "replication: this site became master "
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
		          "not writing",
		    addr);
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
		log_warnx(
		    "replication: the commit was not acknowledged by the "
		    "ack policy within %d ms; not acknowledging the write",
		    repl_rc.ack_timeout_ms);
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
	return st->repl != NULL || repl_rc.on ? 0 : DB_MULTIVERSION;
}

u_int32_t
store_snapshot_flag(const struct store *st)
{
	return st->repl != NULL || repl_rc.on ? 0 : DB_TXN_SNAPSHOT;
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

	repl_watch_stop(st);
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
