/* cmd_owner.c: the command line run by root becomes the store's owner */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "util/log.h"

/* Switches to uid (its groups, then group gid, then uid). 0 or -1. */
static int
become(uid_t uid, gid_t gid, const char *why)
{
	struct passwd *pw;
	int rc;

	if ((pw = getpwuid(uid)) != NULL) {
		gid = pw->pw_gid;
		rc = initgroups(pw->pw_name, gid);
	} else
		rc = setgroups(0, NULL);
	if (rc == -1 || setgid(gid) == -1 || setuid(uid) == -1) {
		fprintf(stderr, "strapi-live: becoming %s (uid %lu): %s\n", why,
		    (unsigned long)uid, strerror(errno));
		return -1;
	}
	log_info("running as %s, %s", pw != NULL ? pw->pw_name : "(no name)",
	    why);
	return 0;
}

/*
 * The store's files are 0600 and belong to the web programs' user, so a
 * command run by root must not create or write any of them as root: the
 * web programs could no longer open the store. As database tools do
 * (su postgres -c ...), root runs the command as the owner of store_dir
 * instead: groups, group and user are switched before anything is opened,
 * so a root shell or a root cron line just works. Root's own store
 * (store_dir owned by root) stays root's.
 *
 * A store_dir that does not exist yet belongs to whoever the configuration
 * belongs to: the web programs must read the config file, so its owner is
 * their user (the docs chown it so). Root creates the directory for that
 * user and runs as it; with no config file, or root's, the setup is
 * root's and so is the store. Returns 0 (the process may go on) or -1
 * after printing why.
 */
int
cmd_owner_assume(const char *dir, const char *conf_file)
{
	struct stat sb, cb;

	if (geteuid() != 0)
		return 0;
	if (stat(dir, &sb) == 0) {
		if (sb.st_uid == 0)
			return 0;
		return become(sb.st_uid, sb.st_gid, "the owner of the store");
	}
	if (errno != ENOENT) {
		fprintf(stderr, "strapi-live: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (conf_file == NULL || stat(conf_file, &cb) == -1 || cb.st_uid == 0)
		return 0;
	if (mkdir(dir, 0700) == -1 || chown(dir, cb.st_uid, cb.st_gid) == -1) {
		fprintf(stderr,
		    "strapi-live: creating the store %s for the "
		    "owner of %s (uid %lu): %s\n",
		    dir, conf_file, (unsigned long)cb.st_uid, strerror(errno));
		return -1;
	}
	return become(cb.st_uid, cb.st_gid, "the owner of the configuration");
}
