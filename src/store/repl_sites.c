/* repl_sites.c: the group's members as the CLI lists and removes them */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "util/now.h"
#include "store/store_int.h"
#include "store/repl_int.h"
#include "util/xmalloc.h"

/* 1 when host:port is in this site's member list. */
static int
member(struct store *st, const char *host, unsigned port)
{
	DB_REPMGR_SITE *list = NULL;
	u_int n = 0, i;
	int found = 0;

	if (st->env->repmgr_site_list(st->env, &n, &list) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (list[i].port == port && strcmp(list[i].host, host) == 0)
			found = 1;
	free(list);
	return found;
}

/*
 * Calls fn for each member of the group as this site sees it (this site
 * first). Returns 0, or -1 after logging.
 */
int
store_repl_sites(struct store *st,
    void (*fn)(void *, const struct store_repl_site *), void *arg)
{
	struct store_repl_status s;
	struct store_repl_site one;
	DB_REPMGR_SITE *list = NULL;
	u_int n = 0, i;
	int ret;

	if (st->repl == NULL)
		return 0;
	if (store_repl_status(st, &s) == -1)
		return -1;
	memset(&one, 0, sizeof(one));
	snprintf(one.addr, sizeof(one.addr), "%s", s.self);
	one.self = one.configured = one.connected = 1;
	one.master = s.role == STORE_REPL_MASTER;
	fn(arg, &one);
	if ((ret = st->env->repmgr_site_list(st->env, &n, &list)) != 0)
		return repl_fail("repmgr_site_list", ret);
	for (i = 0; i < n; i++) {
		memset(&one, 0, sizeof(one));
		snprintf(one.addr, sizeof(one.addr), "%s:%u", list[i].host,
		    list[i].port);
		one.configured = repl_configured(list[i].host, list[i].port);
		one.connected = list[i].status == DB_REPMGR_CONNECTED;
		one.master = strcmp(one.addr, s.master) == 0;
		fn(arg, &one);
	}
	free(list);
	return 0;
}

/*
 * Removes addr ("host:port") from the group: libdb sends the request to
 * the master. Returns 0, or -1 after logging (not a member, no master).
 */
int
store_repl_remove_site(struct store *st, const char *addr)
{
	struct repl_site a;
	char *path, *tmp;
	FILE *f;
	int64_t deadline;
	int ok = -1;

	if (st->repl == NULL || repl_parse_addr(addr, &a) == -1) {
		log_warnx("replication: '%s' is not host:port", addr);
		return -1;
	}
	if (!member(st, a.host, a.port)) {
		log_warnx("replication: %s is not a member of the group", addr);
		free(a.host);
		return -1;
	}
	if (st->repl->node && st->repl->started) {
		ok = repl_remove_member(st->env, a.host, a.port) == 0 ? 0 : -1;
		free(a.host);
		return ok;
	}
	/* Handed to the replication process's watchdog (see above). */
	xasprintf(&path, "%s/%s", st->dir, REPL_REMOVE_FILE);
	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%s\n", addr) < 0 ||
	    fclose(f) != 0 || rename(tmp, path) == -1) {
		log_warn("replication: %s", path);
		goto out;
	}
	deadline = now_mono_ms() + (int64_t)repl_ack_wait_ms();
	while (now_mono_ms() < deadline) {
		if (!member(st, a.host, a.port)) {
			ok = 0;
			break;
		}
		repl_msleep(100);
	}
	if (ok == -1)
		log_warnx("replication: %s is still a member (is this host's "
		          "replication process running?)",
		    addr);
	(void)unlink(path);
out:
	free(path);
	free(tmp);
	free(a.host);
	return ok;
}
