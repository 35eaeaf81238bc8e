/* die_in_store.c: dies (SIGKILL) inside a store's environment holding a mutex */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "compat.h"
#include "fault_env.h"

/*
 * Fault injection for tests/server/t1590-dead-mutex.sh: joins the store's
 * environment the way the programs do (DB_REGISTER) and is killed while
 * Berkeley DB holds the buffer pool's region mutex, the mutex every later
 * open takes while attaching. BDB prints the buffer pool statistics with
 * that mutex held ("MPOOL structure:"), so the message callback of
 * memp_stat_print is a point inside it.
 *
 *	die_in_store STORE-DIR
 *
 * Ends by SIGKILL (status 137 in a shell) once inside; exits 1 if the
 * environment could not be joined, 2 if the point was never reached.
 */

static void
die(const DB_ENV *env UNUSED, const char *msg)
{
	/* __memp_print_all prints this line with the region mutex held. */
	if (strstr(msg, "MPOOL structure") != NULL)
		raise(SIGKILL);
}

int
main(int argc, char *argv[])
{
	DB_ENV *env;

	if (argc != 2) {
		fprintf(stderr, "usage: die_in_store STORE-DIR\n");
		return 1;
	}
	if ((env = fault_env_open("die_in_store", argv[1])) == NULL)
		return 1;
	env->set_msgcall(env, die);
	(void)env->memp_stat_print(env, DB_STAT_ALL);
	env->close(env, 0);
	return 2;
}
