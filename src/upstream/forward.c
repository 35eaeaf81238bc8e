/* forward.c: a replica's sidecar proxies a delivery to the master */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "util/log.h"
#include "upstream/forward.h"
#include "util/xmalloc.h"

/*
 * Only the master applies webhooks. A delivery that reaches a
 * replica is sent on, as it came (body and the sender's headers: secret,
 * event, signature), to the master's webhook URL, and the master's answer
 * (status, body, Content-Type, Retry-After) is the replica's answer: 200
 * means the master applied it under its ack policy. The header
 * X-Strapi-Live-Forwarded marks the hop, so a delivery is forwarded at
 * most once (a site that gets a forwarded delivery while not master
 * answers 503 instead of forwarding again).
 *
 * Note on the fence: <curl/curl.h> is included here as well as in
 * strapi.c; this file is linked into the sidecar only.
 */

#define FORWARD_MAX_BODY (1024 * 1024) /* the master's answer is small */

struct sink {
	struct http_resp *resp;
	int too_big;
};

static size_t
on_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->resp->body.len + size * n > FORWARD_MAX_BODY) {
		s->too_big = 1;
		return 0;
	}
	buf_add(&s->resp->body, ptr, size * n);
	return size * n;
}

/* Keeps the master's Content-Type and Retry-After. */
static size_t
on_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n, k;
	const char *keep[] = { "Content-Type", "Retry-After" };
	size_t i;
	char *v;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		k = strlen(keep[i]);
		if (len <= k + 1 || strncasecmp(ptr, keep[i], k) != 0 ||
		    ptr[k] != ':')
			continue;
		v = xstrndup(ptr + k + 1, len - k - 1);
		v[strcspn(v, "\r\n")] = '\0';
		http_resp_header(s->resp, keep[i], "%s", v + strspn(v, " \t"));
		free(v);
	}
	return len;
}

/* Hop-by-hop and framing headers are not passed on (RFC 9110 7.6.1). */
static int
skip_header(const char *name)
{
	static const char *const skip[] = { "HOST", "CONTENT_LENGTH",
		"CONTENT_TYPE", "CONNECTION", "KEEP_ALIVE", "TRANSFER_ENCODING",
		"TE", "TRAILER", "UPGRADE", "EXPECT", "PROXY_AUTHORIZATION",
		"PROXY_CONNECTION" };
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return 1;
	return 0;
}

/* "HTTP_X_STRAPI_EVENT=v" -> "X-Strapi-Event: v" (case is not kept). */
static struct curl_slist *
add_env_header(struct curl_slist *h, const char *var)
{
	const char *eq = strchr(var, '=');
	struct buf b;
	size_t i;
	int up = 1;

	if (eq == NULL || (size_t)(eq - var) <= 5)
		return h;
	buf_init(&b);
	for (i = 5; var + i < eq; i++) {
		if (var[i] == '_') {
			buf_addc(&b, '-');
			up = 1;
		} else {
			buf_addc(&b,
			    up ? var[i] : (char)tolower((unsigned char)var[i]));
			up = 0;
		}
	}
	buf_adds(&b, ": ");
	buf_adds(&b, eq + 1);
	h = curl_slist_append(h, buf_cstr(&b));
	buf_clear(&b);
	return h;
}

/*
 * POSTs req's body and headers to url and copies the answer into resp.
 * Returns 0 when the master answered (any status of strapi-live's), -1
 * when it could not be reached or answered nothing usable, or -2 when its
 * web server failed (a 5xx that is not strapi-live's JSON): the delivery
 * may or may not have been applied. Logged; resp untouched but for -2.
 */
/* libcurl's global set-up: once, before any thread starts forwarding. */
void
repl_forward_init(void)
{

	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Once no thread forwards any more. */
void
repl_forward_cleanup(void)
{

	curl_global_cleanup();
}

int
repl_forward(const char *url, const char *self, int timeout_ms,
    const struct http_req *req, struct http_resp *resp)
{
	CURL *c;
	CURLcode cr;
	struct curl_slist *h = NULL;
	struct sink s;
	struct http_resp out;
	char err[CURL_ERROR_SIZE] = "";
	char name[128];
	const char *eq;
	long status = 0;
	size_t i, n;
	char *line;
	int rc = -1;

	if ((c = curl_easy_init()) == NULL) {
		log_warnx("forward: curl_easy_init failed");
		return -1;
	}
	http_resp_init(&out);
	s.resp = &out;
	s.too_big = 0;
	for (i = 0; req->env != NULL && req->env[i] != NULL; i++) {
		if (strncmp(req->env[i], "HTTP_", 5) != 0 ||
		    (eq = strchr(req->env[i], '=')) == NULL)
			continue;
		n = (size_t)(eq - req->env[i]) - 5;
		if (n >= sizeof(name))
			continue;
		memcpy(name, req->env[i] + 5, n);
		name[n] = '\0';
		if (!skip_header(name) &&
		    strcmp(name, "X_STRAPI_LIVE_FORWARDED") != 0)
			h = add_env_header(h, req->env[i]);
	}
	xasprintf(&line, "Content-Type: %s",
	    req->content_type != NULL ? req->content_type : "");
	h = curl_slist_append(h, line);
	free(line);
	xasprintf(&line, "X-Strapi-Live-Forwarded: %s", self);
	h = curl_slist_append(h, line);
	free(line);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS,
	    req->body != NULL ? req->body : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)req->body_len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cr = curl_easy_perform(c);
	if (cr == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (cr != CURLE_OK || status < 100 || s.too_big) {
		log_warnx("forward: %s: %s", url,
		    s.too_big            ? "answer too large"
		        : err[0] != '\0' ? err
		                         : curl_easy_strerror(cr));
		goto out;
	}
	/*
	 * A 5xx that is not our JSON came from the master's web server, not
	 * from strapi-live (its FastCGI program died mid-request, as when the
	 * host goes down): not an answer to pass on as it is.
	 */
	if (status >= 500 &&
	    !http_ct_equal(http_resp_get_header(&out, "Content-Type", &n),
	        "application/json", 16)) {
		log_warnx("forward: %s: HTTP %ld from the master's web server",
		    url, status);
		rc = -2;
		goto out;
	}
	/* The master's answer becomes ours. */
	resp->status = (int)status;
	buf_reset(&resp->body);
	buf_add(&resp->body, out.body.data != NULL ? out.body.data : "",
	    out.body.len);
	buf_add(&resp->headers,
	    out.headers.data != NULL ? out.headers.data : "", out.headers.len);
	rc = 0;
out:
	http_resp_clear(&out);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}
