/* repl_stranger.c: joins a replication group as a site nobody configured */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "compat.h"

/*
 * What anyone who reaches a site's replication address can do with libdb
 * 5.3 alone (tests/server/t1940-repl-stranger.sh): name itself a local
 * site, name the group's address as a bootstrap helper, and start the
 * Replication Manager, which sends a join request the master grants.
 *
 *	repl_stranger DIR HOST:PORT HELPER-HOST:PORT phantom|stay SECONDS
 *
 * Priority 0 (never master). "phantom" leaves as soon as it is a member,
 * without a word (_exit): a member that never acks again. "stay" waits
 * until it is removed from the group or SECONDS pass. Prints "joined",
 * then "removed" or "timeout"; exits 0, or 1 when it could not join
 * within SECONDS.
 */

static volatile sig_atomic_t removed;

static void
on_event(DB_ENV *env UNUSED, u_int32_t event, void *info UNUSED)
{

	if (event == DB_EVENT_REP_LOCAL_SITE_REMOVED)
		removed = 1;
}

static int
split(char *addr, u_int *port)
{
	char *colon = strrchr(addr, ':');

	if (colon == NULL)
		return -1;
	*colon = '\0';
	*port = (u_int)atoi(colon + 1);
	return 0;
}

int
main(int argc, char **argv)
{
	DB_ENV *env;
	DB_SITE *site;
	u_int port, hport;
	int ret, secs, stay;
	time_t end;
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	if (argc != 6 || split(argv[2], &port) == -1 ||
	    split(argv[3], &hport) == -1) {
		fprintf(stderr,
		    "usage: repl_stranger DIR HOST:PORT "
		    "HELPER:PORT phantom|stay SECONDS\n");
		return 2;
	}
	stay = strcmp(argv[4], "stay") == 0;
	secs = atoi(argv[5]);
	end = time(NULL) + secs;
	if ((ret = db_env_create(&env, 0)) != 0)
		goto fail;
	env->set_errfile(env, stderr);
	env->set_event_notify(env, on_event);
	if ((ret = env->open(env, argv[1],
	         DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
	             DB_INIT_TXN | DB_INIT_REP | DB_THREAD | DB_RECOVER,
	         0600)) != 0)
		goto fail;
	if ((ret = env->repmgr_site(env, argv[2], port, &site, 0)) != 0 ||
	    (ret = site->set_config(site, DB_LOCAL_SITE, 1)) != 0 ||
	    (ret = site->close(site)) != 0)
		goto fail;
	if ((ret = env->repmgr_site(env, argv[3], hport, &site, 0)) != 0 ||
	    (ret = site->set_config(site, DB_BOOTSTRAP_HELPER, 1)) != 0 ||
	    (ret = site->close(site)) != 0)
		goto fail;
	if ((ret = env->rep_set_priority(env, 0)) != 0)
		goto fail;
	while ((ret = env->repmgr_start(env, 2, DB_REP_CLIENT)) ==
	    DB_REP_UNAVAIL) {
		if (time(NULL) >= end)
			goto fail;
		nanosleep(&tick, NULL);
	}
	if (ret != 0)
		goto fail;
	printf("joined\n");
	fflush(stdout);
	if (!stay)
		_exit(0);
	while (!removed && time(NULL) < end)
		nanosleep(&tick, NULL);
	printf("%s\n", removed ? "removed" : "timeout");
	fflush(stdout);
	_exit(0);
fail:
	fprintf(stderr, "repl_stranger: %s\n", db_strerror(ret));
	_exit(1);
}
