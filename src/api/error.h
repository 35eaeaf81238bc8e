/* error.h: Strapi's error envelope, the one place it is written */
#ifndef ERROR_H
#define ERROR_H

#include "api/http.h"
#include "util/buf.h"

void strapi_error_json(struct buf *, int status, const char *name,
    const char *message, const char *details);
void strapi_error(struct http_resp *, int status, const char *name,
    const char *message, const char *details);
int strapi_post_only(const struct http_req *, struct http_resp *);
void strapi_invalid_details(struct buf *, const char *key, const char *path,
    const char *param);

#endif
