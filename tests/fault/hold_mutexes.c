/* hold_mutexes.c: dies (SIGKILL) inside a store's environment holding its mutexes */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "compat.h"
#include "fault_env.h"

/*
 * Fault injection for tests/server/t1770-read-stuck.sh: joins the store's
 * environment the way the programs do (DB_REGISTER) and locks, through
 * DB_ENV->mutex_lock, every mutex the environment has allocated and that
 * nobody holds (mutex_stat_print lists them: "N [...], mpool hash bucket
 * (alloc)"), the ones every read transaction takes among them. It holds
 * them SECS seconds (a reader that comes meanwhile waits on them), then
 * is killed, as a process killed inside the library would leave them:
 * every reader waiting then waits on a dead process. A mutex taken
 * meanwhile would block the locking itself: an alarm ends the locking
 * after 2 s, with whatever it holds.
 *
 *	hold_mutexes STORE-DIR SECS
 *
 * Ends by SIGKILL (status 137 in a shell); exits 1 if the environment
 * could not be joined or lists no mutex.
 */

#define MAX_IDS 65536

static unsigned hold_s;
static db_mutex_t ids[MAX_IDS];
static size_t nids;

/* Holds what it has for hold_s, then dies (async-signal-safe). */
static void
die(int sig UNUSED)
{
	sleep(hold_s);
	raise(SIGKILL);
}

/* One line of mutex_stat_print: an allocated mutex nobody holds. */
static void
listed(const DB_ENV *env UNUSED, const char *msg)
{
	char *end;
	unsigned long id;

	id = strtoul(msg, &end, 10);
	if (end == msg || *end != '\t' || strstr(end, "(alloc") == NULL ||
	    strstr(end, "locked") != NULL || nids == MAX_IDS)
		return;
	ids[nids++] = (db_mutex_t)id;
}

int
main(int argc, char *argv[])
{
	DB_ENV *env;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: hold_mutexes STORE-DIR SECS\n");
		return 1;
	}
	hold_s = (unsigned)strtoul(argv[2], NULL, 10);
	if ((env = fault_env_open("hold_mutexes", argv[1])) == NULL)
		return 1;
	env->set_msgcall(env, listed);
	(void)env->mutex_stat_print(env, DB_STAT_ALL);
	env->set_msgcall(env, NULL);
	if (nids == 0) {
		fprintf(stderr, "hold_mutexes: no mutex listed\n");
		return 1;
	}
	signal(SIGALRM, die);
	alarm(2);
	for (i = 0; i < nids; i++)
		(void)env->mutex_lock(env, ids[i]);
	alarm(0);
	fprintf(stderr, "hold_mutexes: holding %zu mutexes\n", nids);
	die(SIGKILL);
	return 1;
}
