/* webhook_repl.c: webhooks that reach a replica go to the master */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_repl.h"
#include "webhook.h"
#include "xmalloc.h"

/*
 * Only the master applies webhooks. A delivery that reaches a replica is
 * answered 307 with the master's webhook URL (repl_webhook_urls maps each
 * site's replication address to its webhook URL): the sender repeats the
 * same POST, body and secret header there. When no master is known (an
 * election is running) or its URL isn't configured the answer is 503, so
 * the delivery is never applied here and never dropped silently.
 *
 * repl_forward = forward (proxying the request to the master) needs an
 * HTTP client in webhook.fcgi; until that lands it answers 307 as well.
 */

/* The URL configured for addr ("host:port"), or NULL. Caller frees. */
static char *
master_url(const struct conf *conf, const char *addr)
{
	char *list, *tok, *save, *eq, *url = NULL;

	list = xstrdup(conf_str(conf, CFG_REPL_WEBHOOK_URLS));
	for (tok = strtok_r(list, " ,", &save); tok != NULL && url == NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(tok, addr) == 0)
			url = xstrdup(eq + 1);
	}
	free(list);
	return url;
}

/*
 * Returns 0 when this process should apply the delivery, or 1 when resp
 * holds the answer (a redirect to the master, or 503).
 */
int
webhook_repl_route(const struct conf *conf, struct store *st,
    struct http_resp *resp)
{
	char addr[STORE_REPL_ADDR_MAX];
	char *url;
	int r;

	if (!store_repl_enabled())
		return 0;
	r = store_repl_write_target(st, addr, sizeof(addr));
	if (r == 0)
		return 0;
	if (r == -1) {
		http_resp_header(resp, "Retry-After", "1");
		http_resp_error(resp, 503, "no replication master is "
		    "available; the delivery was not stored");
		resp->note = "no-master";
		return 1;
	}
	if ((url = master_url(conf, addr)) == NULL) {
		log_warnx("webhook: master %s has no URL in repl_webhook_urls",
		    addr);
		http_resp_error(resp, 503, "this site is a replica and the "
		    "master's webhook URL is not configured");
		resp->note = "no-master-url";
		return 1;
	}
	http_resp_header(resp, "Location", "%s", url);
	http_resp_error(resp, 307, "this site is a replica; deliver to the "
	    "master");
	resp->note = "redirect";
	free(url);
	return 1;
}
