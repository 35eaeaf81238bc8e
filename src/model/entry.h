/* entry.h: a Strapi entry validated into the fields the store indexes */
#ifndef ENTRY_H
#define ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "conf/conf.h"

#define ENTRY_DRAFT          INT64_MIN /* published_at of a draft row */
#define ENTRY_MAX_ID         128
#define ENTRY_MAX_SLUG       512
#define ENTRY_MAX_CATEGORY   256
#define ENTRY_MAX_LOCALE     32
#define ENTRY_MAX_JSON_DEPTH 32

struct entry {
	const struct collection *coll; /* borrowed from the conf */
	char *document_id;
	char *locale;   /* "" when the type has no locale */
	char *slug;     /* NULL when none */
	char *category; /* NULL when none */
	int64_t created_at;
	int64_t updated_at;   /* ms since the epoch */
	int64_t published_at; /* ms, or ENTRY_DRAFT */
	char *json;           /* compact JSON of the whole entry */
	size_t json_len;
};

void entry_init(struct entry *);
void entry_clear(struct entry *);
int entry_from_json(struct entry *, const struct collection *,
    struct json_object *, const char **why);
struct json_object *entry_parse_json(const char *, size_t, const char **why);
int64_t entry_parse_time(const char *);
void entry_format_time(int64_t, char out[64]);
int entry_is_published(const struct entry *);
int entry_valid_key_string(const char *, size_t, size_t max);
int entry_id_of(const char *, size_t, int64_t *id);

#endif
