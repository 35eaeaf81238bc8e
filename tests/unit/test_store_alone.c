/* test_store_alone.c: a recovery without the registry waits for nobody */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"
#include "tap.h"

/*
 * store_reg_lock_alone (reg.c) guards the store's last resort, full
 * recovery without DB_REGISTER: it must refuse while another process is
 * in the environment (recovering under it would corrupt the store), and
 * grant once nobody is.
 */
int
main(void)
{
	char dir[256], cmd[300];
	struct store probe;
	struct store *st;
	int go[2], in[2], fd;
	pid_t pid;
	char c;

	tap_plan(4);
	snprintf(dir, sizeof(dir), "%s/sl-alone.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL || pipe(go) == -1 || pipe(in) == -1)
		return 1;
	memset(&probe, 0, sizeof(probe));
	probe.dir = dir;
	if ((pid = fork()) == 0) {
		/* Another process: in the environment until go closes. */
		close(go[1]);
		close(in[0]);
		if (store_open(&st, dir, 0) == -1)
			_exit(1);
		(void)!write(in[1], "1", 1);
		(void)!read(go[0], &c, 1);
		store_close(st);
		_exit(0);
	}
	close(go[0]);
	close(in[1]);
	ok(read(in[0], &c, 1) == 1, "another process has the store open");
	fd = store_reg_lock_alone(&probe);
	ok(fd == -1, "no recovery without the registry while it is in");
	store_reg_unlock_alone(fd);
	close(go[1]);
	ok(waitpid(pid, NULL, 0) == pid, "it closed the store and left");
	fd = store_reg_lock_alone(&probe);
	ok(fd != -1, "with nobody in, the registry is ours to recover under");
	store_reg_unlock_alone(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return tap_done();
}
