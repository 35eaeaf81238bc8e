/* repl_group.c: the replication group as configured: addresses and settings */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <db.h>

#include "util/log.h"
#include "store/store_int.h"
#include "store/repl_int.h"
#include "util/xmalloc.h"

/* Process-wide configuration (store_repl_configure). */
struct repl_config repl_rc;

int
repl_parse_addr(const char *s, struct repl_site *out)
{
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (colon == NULL || colon == s || colon[1] == '\0')
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port == 0 || port > 65535)
		return -1;
	out->host = xstrndup(s, (size_t)(colon - s));
	out->port = (unsigned)port;
	return 0;
}

static const struct {
	const char *name;
	u_int32_t policy;
} ack_policies[] = {
	{ "quorum", DB_REPMGR_ACKS_QUORUM },
	{ "all", DB_REPMGR_ACKS_ALL },
	{ "all_available", DB_REPMGR_ACKS_ALL_AVAILABLE },
	{ "all_peers", DB_REPMGR_ACKS_ALL_PEERS },
	{ "one", DB_REPMGR_ACKS_ONE },
	{ "one_peer", DB_REPMGR_ACKS_ONE_PEER },
	{ "none", DB_REPMGR_ACKS_NONE },
};

int
store_repl_configure(const struct store_repl_opts *o, char **cause)
{
	const char *local = o->local != NULL ? o->local : "";
	const char *pol = o->ack_policy != NULL ? o->ack_policy : "quorum";
	char *list, *tok, *save;
	size_t i;

	memset(&repl_rc, 0, sizeof(repl_rc));
	if (local[0] == '\0')
		return 0;
	if (repl_parse_addr(local, &repl_rc.local) == -1) {
		xasprintf(cause, "repl_local: '%s' is not host:port", local);
		return -1;
	}
	list = xstrdup(o->sites != NULL ? o->sites : "");
	for (tok = strtok_r(list, " ,", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,", &save)) {
		repl_rc.sites = xreallocarray(repl_rc.sites, repl_rc.nsites + 1,
		    sizeof(*repl_rc.sites));
		if (repl_parse_addr(tok, &repl_rc.sites[repl_rc.nsites]) ==
		    -1) {
			xasprintf(cause, "repl_sites: '%s' is not host:port",
			    tok);
			free(list);
			return -1;
		}
		repl_rc.nsites++;
	}
	free(list);
	for (i = 0; i < sizeof(ack_policies) / sizeof(ack_policies[0]); i++)
		if (strcmp(pol, ack_policies[i].name) == 0)
			break;
	if (i == sizeof(ack_policies) / sizeof(ack_policies[0])) {
		xasprintf(cause, "repl_ack_policy: unknown policy '%s'", pol);
		return -1;
	}
	repl_rc.ack_policy = ack_policies[i].policy;
	repl_rc.priority = o->priority;
	repl_rc.ack_timeout_ms = o->ack_timeout_ms;
	repl_rc.election_timeout_ms = o->election_timeout_ms;
	repl_rc.election_retry_ms = o->election_retry_ms;
	repl_rc.heartbeat_ms = o->heartbeat_ms;
	repl_rc.creator = o->group_creator;
	repl_rc.start_timeout_s = o->start_timeout_s;
	repl_rc.on = 1;
	return 0;
}

int
store_repl_enabled(void)
{
	return repl_rc.on;
}

/* 1 when host:port is this site or one of repl_sites. */
int
repl_configured(const char *host, unsigned port)
{
	size_t i;

	if (port == repl_rc.local.port && strcmp(host, repl_rc.local.host) == 0)
		return 1;
	for (i = 0; i < repl_rc.nsites; i++)
		if (port == repl_rc.sites[i].port &&
		    strcmp(host, repl_rc.sites[i].host) == 0)
			return 1;
	return 0;
}

int
repl_fail(const char *what, int ret)
{
	log_warnx("replication: %s: %s", what, db_strerror(ret));
	return -1;
}

void
repl_msleep(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* How long repl-sites waits for a removal: two ack waits and then some. */
int
repl_ack_wait_ms(void)
{
	return 2 * repl_rc.ack_timeout_ms + 5000;
}

/* This site's replication address "host:port" ("" when off). Borrowed. */
const char *
store_repl_self(void)
{
	static char self[STORE_REPL_ADDR_MAX];

	if (!repl_rc.on)
		return "";
	snprintf(self, sizeof(self), "%s:%u", repl_rc.local.host,
	    repl_rc.local.port);
	return self;
}
