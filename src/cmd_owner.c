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

#include "cmd.h"
#include "log.h"

/*
 * The store's files are 0600 and belong to the web programs' user, so a
 * command run by root must not create or write any of them as root: the
 * web programs could no longer open the store. As database tools do
 * (pg_ctl, su - postgres), root runs the command as the owner of
 * store_dir instead: supplementary groups, group and user are switched
 * before anything is opened, so a cron line or a shell as root just works.
 * Root's own store (store_dir owned by root) stays root's. A store_dir that
 * does not exist yet is not created by root: it would be root's, and
 * webhook.fcgi would fail on it; the message gives the commands to run,
 * with argv (the command and its arguments) repeated. Returns 0 (the
 * process may go on) or -1 after printing why.
 */
int
cmd_owner_assume(const char *dir, int argc, char **argv)
{
	struct stat sb;
	struct passwd *pw;
	gid_t gid;
	int i;

	if (geteuid() != 0)
		return 0;
	if (stat(dir, &sb) == -1) {
		if (errno != ENOENT) {
			fprintf(stderr, "strapi-live: %s: %s\n", dir,
			    strerror(errno));
			return -1;
		}
		fprintf(stderr,
		    "strapi-live: the store %s does not exist, and root does "
		    "not create it (its files would be root's, and the web "
		    "programs could not open them). Create it for the user "
		    "the web programs run as, then run the command as that "
		    "user:\n"
		    "  install -d -o www-data -g www-data -m 700 %s\n"
		    "  runuser -u www-data -- strapi-live",
		    dir, dir);
		for (i = 0; i < argc; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "\n");
		return -1;
	}
	if (sb.st_uid == 0)
		return 0;
	pw = getpwuid(sb.st_uid);
	gid = pw != NULL ? pw->pw_gid : sb.st_gid;
	if ((pw != NULL ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) ==
	        -1 ||
	    setgid(gid) == -1 || setuid(sb.st_uid) == -1) {
		fprintf(stderr,
		    "strapi-live: becoming the owner of %s "
		    "(uid %lu): %s\n",
		    dir, (unsigned long)sb.st_uid, strerror(errno));
		return -1;
	}
	log_info("running as %s, the owner of %s",
	    pw != NULL ? pw->pw_name : "(no name)", dir);
	return 0;
}
