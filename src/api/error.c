/* error.c: Strapi's error envelope, the one place it is written */
#include "config.h"

#include <string.h>

#include "api/error.h"

/*
 * Appends Strapi's error envelope to b:
 * {"data":null,"error":{"status":N,"name":"…","message":"…","details":D}}
 * name: NULL for the status's own (http_status_name); details: a JSON
 * object, NULL for {}.
 */
void
strapi_error_json(struct buf *b, int status, const char *name,
    const char *message, const char *details)
{
	buf_printf(b,
	    "{\"data\":null,\"error\":{\"status\":%d,\"name\":\"%s\",", status,
	    name != NULL ? name : http_status_name(status));
	buf_adds(b, "\"message\":");
	buf_add_json_string(b, message, strlen(message));
	buf_adds(b, ",\"details\":");
	buf_adds(b, details != NULL ? details : "{}");
	buf_adds(b, "}}");
}

/*
 * The details of Strapi's strict-parameter 400 ("Invalid key <key>") into
 * b: {"key":…,"path":…,"source":"query","param":…}, path null when NULL
 * or "".
 */
void
strapi_invalid_details(struct buf *b, const char *key, const char *path,
    const char *param)
{
	buf_adds(b, "{\"key\":");
	buf_add_json_string(b, key, strlen(key));
	buf_adds(b, ",\"path\":");
	if (path != NULL && *path != '\0')
		buf_add_json_string(b, path, strlen(path));
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"source\":\"query\",\"param\":");
	buf_add_json_string(b, param, strlen(param));
	buf_addc(b, '}');
}

/* Replaces resp's body with the error envelope, as JSON with status. */
void
strapi_error(struct http_resp *resp, int status, const char *name,
    const char *message, const char *details)
{
	buf_reset(&resp->body);
	http_resp_json(resp, status);
	strapi_error_json(&resp->body, status, name, message, details);
}

/*
 * For the endpoints that only take deliveries: 1 when req is a POST;
 * else resp holds the 405 (with Allow: POST) and 0 is returned.
 */
int
strapi_post_only(const struct http_req *req, struct http_resp *resp)
{
	if (strcmp(req->method, "POST") == 0)
		return 1;
	http_resp_header(resp, "Allow", "POST");
	strapi_error(resp, 405, NULL, "only POST is accepted here", NULL);
	resp->note = "method";
	return 0;
}
