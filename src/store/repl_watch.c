/* repl_watch.c: the membership watchdog: strangers in the group are removed */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "store/store_int.h"
#include "store/repl_int.h"
#include "util/xmalloc.h"

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

void
repl_watch_kick(void)
{
	pthread_mutex_lock(&wd.mu);
	wd.kick = 1;
	pthread_cond_signal(&wd.cv);
	pthread_mutex_unlock(&wd.mu);
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
int
repl_remove_member(DB_ENV *env, const char *host, unsigned port)
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

static void
serve_remove_requests(struct store *st)
{
	char *path, line[STORE_REPL_ADDR_MAX + 2];
	struct repl_site a;
	FILE *f;

	xasprintf(&path, "%s/%s", st->dir, REPL_REMOVE_FILE);
	f = fopen(path, "r");
	if (f != NULL)
		(void)unlink(path);
	free(path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || repl_parse_addr(line, &a) == -1)
			continue;
		log_info("replication: removing %s, as asked by repl-sites",
		    line);
		(void)repl_remove_member(st->env, a.host, a.port);
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
		if (repl_configured(list[i].host, list[i].port))
			continue;
		snprintf(addr, sizeof(addr), "%s:%u", list[i].host,
		    list[i].port);
		now = xreallocarray(now, nnow + 1, sizeof(*now));
		now[nnow++] = xstrdup(addr);
		pthread_mutex_lock(&wd.mu);
		if (!was_seen(wd.seen, wd.nseen, addr)) {
			wd.noticed++;
			log_warnx(
			    "replication: %s joined the group but is not "
			    "in repl_local or repl_sites of this site: %s; "
			    "writes are refused while it is a member",
			    addr,
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
		if (!repl_configured(list[i].host, list[i].port))
			(void)repl_remove_member(st->env, list[i].host,
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

void
repl_watch_start(struct store *st)
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
void
repl_watch_stop(struct store *st)
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

/* The strangers the watchdog has seen join, and of them, seen leave. */
void
repl_watch_counts(uint64_t *noticed, uint64_t *removed)
{
	pthread_mutex_lock(&wd.mu);
	*noticed = wd.noticed;
	*removed = wd.removed;
	pthread_mutex_unlock(&wd.mu);
}
