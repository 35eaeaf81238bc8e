/* sync_fcgi.c: sync.fcgi's handler: the admin secret, the query, the answer */
#include "config.h"

#include <string.h>

#include "api/error.h"
#include "api/qs.h"
#include "upstream/sync.h"
#include "upstream/sync_fcgi.h"
#include "util/log.h"

static int
flag_value(const char *v, size_t n, int *out)
{
	if ((n == 1 && v[0] == '1') || (n == 4 && strncmp(v, "true", 4) == 0))
		*out = 1;
	else if ((n == 1 && v[0] == '0') ||
	    (n == 5 && strncmp(v, "false", 5) == 0))
		*out = 0;
	else
		return -1;
	return 0;
}

/*
 * Query string: collection=NAME, dryRun=1|0, prune=1|0, percent-decoded.
 * Unknown keys are refused (as Strapi's strictParams does). Returns NULL,
 * or why.
 */
static const char *
parse_query(const char *q, struct sync_opts *o, char *coll, size_t collsz)
{
	struct qs_iter it;
	struct qs_pair pr;
	char val[128];
	int prune = 1, r;

	qs_iter_init(&it, q, strlen(q), 0);
	while ((r = qs_next(&it, &pr, val, sizeof(val))) != QS_END) {
		if (!pr.has_value)
			return "query: every parameter needs a value";
		if (r == QS_KEY_LONG || r == QS_KEY_BAD)
			pr.key[0] = '\0'; /* unknown */
		if (strcmp(pr.key, "collection") == 0) {
			if (r != QS_PAIR || pr.vlen == 0 || pr.vlen >= collsz)
				return "query: collection: bad name";
			memcpy(coll, pr.val, pr.vlen + 1);
			o->collection = coll;
		} else if (strcmp(pr.key, "dryRun") == 0) {
			if (r != QS_PAIR ||
			    flag_value(pr.val, pr.vlen, &o->dry_run) == -1)
				return "query: dryRun must be 1 or 0";
		} else if (strcmp(pr.key, "prune") == 0) {
			if (r != QS_PAIR ||
			    flag_value(pr.val, pr.vlen, &prune) == -1)
				return "query: prune must be 1 or 0";
		} else
			return "query: unknown parameter (collection, dryRun, "
			       "prune)";
	}
	o->no_prune = !prune;
	return NULL;
}

/*
 * sync.fcgi: POST runs a sync and answers with the JSON summary (200 when
 * it completed or ran without pruning, 502 when Strapi failed it, 503 when
 * the store did, 409 when a sync is already running). The admin secret is
 * checked in constant time; 401 otherwise.
 */
void
sync_handle(const struct http_req *req, struct http_resp *resp, void *arg)
{
	const struct sync_ctx *ctx = arg;
	struct sync_opts o;
	struct sync_result r;
	static const char no_secret[] =
	    "no sync secret is configured "
	    "(sync_secret); every request is refused";
	struct buf details;
	char coll[128];
	const char *why;
	int status;

	if (!strapi_post_only(req, resp))
		return;
	if (conf_str(ctx->conf, CFG_SYNC_SECRET)[0] == '\0') {
		strapi_error(resp, 503, NULL, no_secret, NULL);
		resp->note = "no-secret";
		return;
	}
	if (!sync_secret_ok(ctx->conf, http_req_bearer(req))) {
		strapi_error(resp, 401, NULL, "Missing or invalid credentials",
		    NULL);
		resp->note = "rejected";
		return;
	}
	sync_opts_init(&o);
	o.schema = ctx->schema;
	if ((why = parse_query(req->query != NULL ? req->query : "", &o, coll,
	         sizeof(coll))) != NULL) {
		strapi_error(resp, 400, NULL, why, NULL);
		resp->note = "rejected";
		return;
	}
	if (o.collection != NULL &&
	    conf_collection_by_name(ctx->conf, o.collection) == NULL) {
		strapi_error(resp, 400, NULL,
		    "query: collection: not configured", NULL);
		resp->note = "rejected";
		return;
	}
	switch (sync_run(ctx->conf, ctx->store, &o, &r)) {
	case SYNC_OK:
	case SYNC_INCOMPLETE:
		status = 200;
		break;
	case SYNC_BUSY:
		status = 409;
		break;
	case SYNC_USAGE:
	case SYNC_STORE:
		status = 503;
		break;
	default:
		status = 502;
		break;
	}
	resp->note = sync_status_name(r.status);
	if (status == 200) {
		http_resp_json(resp, 200);
		sync_result_json(&r, &resp->body);
	} else {
		/* Keep the summary, as the error's details. */
		buf_init(&details);
		buf_adds(&details, "{\"summary\":");
		sync_result_json(&r, &details);
		buf_addc(&details, '}');
		strapi_error(resp, status, NULL,
		    r.error != NULL ? r.error : "sync failed", details.data);
		buf_clear(&details);
	}
	log_info("sync: %s in %.2f s%s%s", sync_status_name(r.status),
	    r.seconds, r.error != NULL ? ": " : "",
	    r.error != NULL ? r.error : "");
	sync_result_clear(&r);
}
