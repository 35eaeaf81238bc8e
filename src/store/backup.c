/* backup.c: hot backup of the store, its packing, and its size on disk */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "store/store_int.h"

/*
 * Makes a consistent hot copy of the store in target (created; it must
 * not hold database files yet) while writers keep going: Berkeley DB's
 * own backup (DB_ENV->backup, as db_hotbackup does) copies the databases
 * and then the log, and catastrophic recovery on the copy brings every
 * database to the last transaction committed in that log. The copy is a
 * store that store_open can open. Returns 0, or -1 after logging.
 */
int
store_backup(struct store *st, const char *target)
{
	DB_ENV *env = NULL;
	int ret;

	if ((ret = st->env->txn_checkpoint(st->env, 0, 0, DB_FORCE)) != 0) {
		store_fail(st, "backup: checkpoint", ret);
		return -1;
	}
	if ((ret = st->env->backup(st->env, target, DB_CREATE | DB_EXCL)) !=
	    0) {
		log_warnx("store: backup to %s: %s", target, db_strerror(ret));
		return -1;
	}
	if ((ret = db_env_create(&env, 0)) != 0) {
		log_warnx("store: backup: %s", db_strerror(ret));
		return -1;
	}
	ret = env->open(env, target,
	    DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
	        DB_INIT_MPOOL | DB_PRIVATE | DB_RECOVER_FATAL,
	    0600);
	if (ret != 0) {
		log_warnx("store: recovering the copy in %s: %s", target,
		    db_strerror(ret));
		env->close(env, 0);
		return -1;
	}
	if ((ret = env->close(env, 0)) != 0) {
		log_warnx("store: closing the copy in %s: %s", target,
		    db_strerror(ret));
		return -1;
	}
	return 0;
}

/*
 * 1 when name is one of the environment's own files (regions, registry,
 * the open's lock file).
 */
static int
is_region(const char *name)
{
	return strncmp(name, "__db.", 5) == 0 ||
	    strcmp(name, STORE_LOCK_FILE) == 0;
}

/*
 * Leaves in target (a store made by store_backup, closed) only what a
 * restore needs: the databases, with their log sequence numbers reset
 * (DB_ENV->lsn_reset, as db_load -r lsn does), so that they open in a
 * fresh environment with no log; the log files and the region files
 * (tens of MB of shared memory images, whatever the store's size) are
 * removed. Returns 0, or -1 after logging.
 */
int
store_backup_pack(const char *target)
{
	DB_ENV *env = NULL;
	DIR *d = NULL;
	struct dirent *de;
	char path[PATH_MAX];
	size_t n;
	int ret, rc = -1;

	if ((ret = db_env_create(&env, 0)) != 0 ||
	    (ret = env->open(env, target,
	         DB_CREATE | DB_INIT_MPOOL | DB_PRIVATE, 0600)) != 0) {
		log_warnx("store: packing the copy in %s: %s", target,
		    db_strerror(ret));
		goto out;
	}
	if ((d = opendir(target)) == NULL) {
		log_warn("store: %s", target);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n > 3 && strcmp(de->d_name + n - 3, ".db") == 0 &&
		    (ret = env->lsn_reset(env, de->d_name, 0)) != 0) {
			log_warnx("store: packing %s/%s: %s", target,
			    de->d_name, db_strerror(ret));
			goto out;
		}
	}
	ret = env->close(env, 0);
	env = NULL;
	if (ret != 0) {
		log_warnx("store: packing the copy in %s: %s", target,
		    db_strerror(ret));
		goto out;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!is_region(de->d_name) &&
		    strncmp(de->d_name, "log.", 4) != 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", target,
		        de->d_name) >= sizeof(path) ||
		    unlink(path) == -1) {
			log_warn("store: removing %s/%s", target, de->d_name);
			goto out;
		}
	}
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	if (env != NULL)
		env->close(env, 0);
	return rc;
}

/*
 * Bytes of the store's files (databases, log, regions). Returns 0, or -1
 * after logging when the directory cannot be read.
 */
int
store_size(struct store *st, uint64_t *bytes)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char path[PATH_MAX];

	*bytes = 0;
	if ((d = opendir(st->dir)) == NULL) {
		log_warn("store: %s", st->dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", st->dir,
		        de->d_name) >= sizeof(path))
			continue;
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			*bytes += (uint64_t)sb.st_size;
	}
	closedir(d);
	return 0;
}
