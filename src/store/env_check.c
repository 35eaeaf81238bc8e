/* env_check.c: what an open checks: the directory's owner, the format */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "store/store_int.h"

/* The user name of uid into b (its number when it has none). */
static const char *
user_name(uid_t uid, char *b, size_t bsz)
{
	struct passwd *pw;

	if ((pw = getpwuid(uid)) != NULL)
		snprintf(b, bsz, "%s", pw->pw_name);
	else
		snprintf(b, bsz, "%lu", (unsigned long)uid);
	return b;
}

/*
 * The store's files are mode 0600, so every program must run as the
 * directory's owner. A process of another user (root above all) would
 * add files the others cannot open: their next open fails with EACCES and
 * the environment panics. Such a process refuses before touching anything,
 * naming the user to run as; files another user left in the directory are
 * named too, with the command that gives them back. Returns 0 or -1 after
 * logging.
 */
int
store_check_owner(const char *dir)
{
	struct stat sb, fsb;
	struct dirent *de;
	DIR *d;
	char owner[64], other[64];
	int rc = 0;

	if (stat(dir, &sb) == -1) {
		log_warn("store: %s", dir);
		return -1;
	}
	user_name(sb.st_uid, owner, sizeof(owner));
	if (sb.st_uid != geteuid()) {
		user_name(geteuid(), other, sizeof(other));
		log_warnx("store: %s belongs to %s, and this program runs as "
		          "%s: every program that opens the store must run as "
		          "its owner. Run this one as %s (runuser -u %s -- "
		          "COMMAND), or, if %s is the web programs' user, "
		          "give the store to it: chown -R %s %s",
		    dir, owner, other, owner, owner, other, other, dir);
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		log_warn("store: %s", dir);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), de->d_name, &fsb, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;
		if (!S_ISREG(fsb.st_mode) || fsb.st_uid == sb.st_uid)
			continue;
		log_warnx("store: %s/%s belongs to %s, not to the store's "
		          "owner %s: the other programs cannot open it; give "
		          "it back: chown -R %s %s",
		    dir, de->d_name,
		    user_name(fsb.st_uid, other, sizeof(other)), owner, owner,
		    dir);
		rc = -1;
	}
	closedir(d);
	return rc;
}

/*
 * The store's format: the layout of its databases and records. A program
 * opens a store of its own format or of an older one (upgrading its mark;
 * a change of layout would convert it here), and refuses a newer one,
 * which only a newer strapi-live understands. A store without a mark was
 * made before the format was numbered, and has format 1's layout.
 */
#define STORE_FORMAT 1

int
store_check_format(struct store *st)
{
	int64_t f;

	if (store_meta_get(st, "format", &f) == -1)
		return -1;
	if (f == STORE_FORMAT)
		return 0;
	if (f > STORE_FORMAT || f < 0) {
		log_warnx("store: %s is in format %lld, which a newer "
		          "strapi-live made; this one reads format %d and "
		          "older. Run the newer version, or move the content "
		          "with it: strapi-live dump >entries.jsonl, then "
		          "with this version, on an empty store_dir: "
		          "strapi-live import entries.jsonl",
		    st->dir, (long long)f, STORE_FORMAT);
		return -1;
	}
	/*
	 * Read-only opens and replicas leave the mark to the writer; a store
	 * that cannot be written now (a full or read-only disk) is still
	 * readable, and is marked by a later open.
	 */
	if ((st->flags & STORE_OPEN_RDONLY) != 0 || st->repl != NULL)
		return 0;
	if (store_meta_set(st, "format", STORE_FORMAT) == -1)
		log_warnx("store: %s: format mark not written; the store is "
		          "used as it is",
		    st->dir);
	return 0;
}
