/* refetch.c: an incomplete webhook delivery re-fetched from Strapi's REST */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/rich.h"
#include "util/log.h"
#include "upstream/refetch.h"
#include "upstream/strapi.h"
#include "upstream/sync.h"
#include "upstream/sync_int.h"
#include "util/xmalloc.h"

/*
 * Both run inside the webhook request, so that Strapi's delivery is
 * answered only once what it stood for is stored: each request is bounded
 * by refetch_timeout, with no retry (a failure leaves the delivery
 * refused and kept for replay, as without strapi_url).
 */

enum webhook_refetch
refetch_document(const struct conf *conf, const struct schema *schema,
    const struct collection *coll, const char *doc_id, const char *locale,
    struct json_object **entry, char *why, size_t len)
{
	const struct schema_type *t;
	struct strapi_opts so;
	struct strapi *api;
	struct strapi_page pg;
	enum strapi_status s;
	enum webhook_refetch r = WEBHOOK_REFETCH_FAILED;
	char *pq = NULL;

	strapi_opts_conf(&so, conf);
	so.timeout = (long)conf_int(conf, CFG_REFETCH_TIMEOUT);
	if (strapi_open(&api, &so) == -1) {
		snprintf(why, len, "libcurl could not start");
		return r;
	}
	if ((t = rich_type(schema, coll)) != NULL)
		pq = sync_populate_query(t);
	strapi_set_populate(api, pq);
	free(pq);
	if (coll->single)
		s = strapi_get_single(api, coll->name, locale, &pg);
	else
		s = strapi_get_document(api, coll->plural, doc_id, locale, &pg);
	if (s != STRAPI_OK) {
		snprintf(why, len, "GET %s: %s", strapi_last_url(api),
		    strapi_why(api));
		goto out;
	}
	if (json_object_array_length(pg.data) == 0)
		r = WEBHOOK_REFETCH_GONE;
	else {
		*entry = json_object_get(json_object_array_get_idx(pg.data, 0));
		r = WEBHOOK_REFETCH_OK;
	}
	log_info("refetch: GET %s: %s", strapi_last_url(api),
	    r == WEBHOOK_REFETCH_OK ? "found" : "no published row");
	strapi_page_clear(&pg);
out:
	strapi_close(api);
	return r;
}

enum webhook_refetch
refetch_collection(const struct conf *conf, struct store *st,
    const struct schema *schema, const struct collection *coll, char *why,
    size_t len)
{
	struct sync_opts o;
	struct sync_result res;
	enum sync_status s;

	sync_opts_init(&o);
	o.collection = coll->name;
	o.retries = 0;
	o.timeout = (long)conf_int(conf, CFG_REFETCH_TIMEOUT);
	o.schema = schema;
	s = sync_run(conf, st, &o, &res);
	if (s != SYNC_OK)
		snprintf(why, len, "sync of %s: %s", coll->plural,
		    res.error != NULL ? res.error : sync_status_name(s));
	else
		log_info("refetch: %s synced (%.3f s, %u requests)",
		    coll->plural, res.seconds, res.requests);
	sync_result_clear(&res);
	return s == SYNC_OK ? WEBHOOK_REFETCH_OK : WEBHOOK_REFETCH_FAILED;
}

void
refetch_setup(struct webhook_ctx *ctx)
{
	if (conf_str(ctx->conf, CFG_STRAPI_URL)[0] == '\0')
		return;
	ctx->refetch = refetch_document;
	ctx->resync = refetch_collection;
}
