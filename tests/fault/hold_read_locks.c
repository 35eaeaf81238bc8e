/* hold_read_locks.c: holds read locks in a store's environment until killed */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "compat.h"
#include "fault_env.h"

/*
 * Fault injection for tests/cgi/t1703-failchk-summary.sh: joins the
 * store's environment the way the programs do (DB_REGISTER, DB_FAILCHK),
 * opens each database named on the command line (DB_MULTIVERSION, as the
 * programs do) and leaves a cursor on its first record outside any
 * transaction, so that a locker of this process holds a read lock; then
 * prints "holding" and waits to be killed. The next opener's failchk
 * frees those locks and reports each locker (BDB2053) and the process's
 * log state (BDB1502). With -p the databases are opened without
 * DB_MULTIVERSION, as recovery opens them: a process killed while it
 * recovers leaves them so in the buffer pool (t1704).
 *
 *	hold_read_locks [-p] STORE-DIR DB...
 *
 * Exits 1 when something cannot be opened.
 */

int
main(int argc, char *argv[])
{
	DB_ENV *env;
	DB *db;
	DBC *c;
	DBT k, d;
	u_int32_t mvcc = DB_MULTIVERSION;
	int i, ret;

	if (argc > 1 && strcmp(argv[1], "-p") == 0) {
		mvcc = 0;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr,
		    "usage: hold_read_locks [-p] STORE-DIR DB...\n");
		return 1;
	}
	if ((env = fault_env_open("hold_read_locks", argv[1])) == NULL)
		return 1;
	for (i = 2; i < argc; i++) {
		if ((ret = db_create(&db, env, 0)) != 0 ||
		    (ret = db->open(db, NULL, argv[i], NULL, DB_BTREE,
		         DB_AUTO_COMMIT | mvcc, 0)) != 0 ||
		    (ret = db->cursor(db, NULL, &c, 0)) != 0) {
			fprintf(stderr, "hold_read_locks: %s: %s\n", argv[i],
			    db_strerror(ret));
			return 1;
		}
		memset(&k, 0, sizeof(k));
		memset(&d, 0, sizeof(d));
		(void)c->get(c, &k, &d, DB_FIRST);
	}
	printf("holding\n");
	fflush(stdout);
	for (;;)
		pause();
}
