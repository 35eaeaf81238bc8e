/* repl_group.c: the replication group as configured: addresses and settings */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <db.h>

#include "util/log.h"
#include "conf/repl_conf.h"
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
store_repl_configure(const struct conf *c, char **cause)
{
	const char *local = conf_str(c, CFG_REPL_LOCAL);
	const char *pol = conf_str(c, CFG_REPL_ACK_POLICY);
	char *list, *tok, *save;
	size_t i;

	memset(&repl_rc, 0, sizeof(repl_rc));
	if (local[0] == '\0')
		return 0;
	if (repl_parse_addr(local, &repl_rc.local) == -1) {
		xasprintf(cause, "repl_local: '%s' is not host:port", local);
		return -1;
	}
	list = xstrdup(conf_str(c, CFG_REPL_SITES));
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
	/* No wildcard or public address unless the operator says so. */
	if (repl_conf_check(c, cause) == -1)
		return -1;
	for (i = 0; i < sizeof(ack_policies) / sizeof(ack_policies[0]); i++)
		if (strcmp(pol, ack_policies[i].name) == 0)
			break;
	if (i == sizeof(ack_policies) / sizeof(ack_policies[0])) {
		xasprintf(cause, "repl_ack_policy: unknown policy '%s'", pol);
		return -1;
	}
	repl_rc.ack_policy = ack_policies[i].policy;
	repl_rc.priority = (int)conf_int(c, CFG_REPL_PRIORITY);
	repl_rc.ack_timeout_ms = (int)conf_int(c, CFG_REPL_ACK_TIMEOUT);
	repl_rc.election_timeout_ms =
	    (int)conf_int(c, CFG_REPL_ELECTION_TIMEOUT);
	repl_rc.election_retry_ms = (int)conf_int(c, CFG_REPL_ELECTION_RETRY);
	repl_rc.heartbeat_ms = (int)conf_int(c, CFG_REPL_HEARTBEAT);
	repl_rc.creator = conf_bool(c, CFG_REPL_GROUP_CREATOR);
	repl_rc.start_timeout_s = (int)conf_int(c, CFG_REPL_START_TIMEOUT);
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
