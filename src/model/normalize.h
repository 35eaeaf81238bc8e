/* normalize.h: a Strapi payload entry into the form the store keeps */
#ifndef NORMALIZE_H
#define NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "model/schema.h"

/*
 * The stored form of an entry of a type the schema describes. Strapi's
 * webhook payloads are deep-populated copies that go stale (a renamed
 * author sends no article delivery), so the store keeps each entry's own
 * data and references, and answers resolve references at read time.
 *
 * One compact JSON object, the same bytes whatever brought the entry (a
 * webhook payload, a REST answer: their key orders differ), keys in
 * Strapi's order ("id", "documentId", scalar attributes in the schema's
 * order, the timestamps and "locale", then the other attributes in the
 * schema's order):
 * - "id", "documentId", "createdAt", "updatedAt", "publishedAt", "locale"
 *   (when the payload has them) and every scalar attribute the schema
 *   names that is not private, as sent;
 * - a relation: to-one {"documentId":"...","locale":"fr"} ("locale" only
 *   when the payload's related row has one) or null; to-many an array of
 *   those, each (documentId, locale) once: Strapi lists a document's
 *   draft and published rows both. A relation sent as {"count":N} (the
 *   Content Manager's unpublish) or not sent is left out, and so is the
 *   inverse side of one (author.articles, mappedBy a manyToOne): answers
 *   read it from the store's referrer index, and a payload's copy of it
 *   is as old as the payload;
 * - media: single, the file's id (a number) or null; multiple, an array
 *   of ids. The files themselves become media rows (struct norm_media);
 * - a component: its object, normalized by these same rules against the
 *   component's schema (its "id" kept); repeatable: an array of them;
 * - a dynamic zone: an array of component objects, each normalized
 *   against the schema its "__component" names, keeping "__component";
 *   an item naming a component the schema does not list is dropped;
 * - anything else (attributes the schema does not name, "localizations",
 *   "createdBy", private attributes) is dropped.
 *
 * The public form is the same object with only the first bullet's keys:
 * what Strapi's REST answers without populate, and what the change
 * stream and live queries carry.
 */

/* A media file met in a payload or a media.* delivery. */
struct norm_media {
	int64_t id;           /* Strapi's numeric id: the REST key */
	int64_t updated_at;   /* ms since the epoch */
	int64_t published_at; /* ms, or INT64_MIN when null */
	char *json;           /* the file object, compact, Strapi's 20 keys */
	size_t json_len;
};

/* A reference from an entry to another, for the referrer index. */
struct norm_ref {
	char *attr;   /* the attribute path: "author", "blocks.file" */
	char *target; /* target type uid, "api::author.author" */
	char *document_id;
	char *locale; /* "" when the target row has none */
};

#define NORM_WHY_MAX 160

struct norm {
	char *json; /* the stored form */
	size_t json_len;
	char *public_json; /* the public form */
	size_t public_len;
	struct norm_media *media; /* every file met, each id once */
	size_t nmedia;
	struct norm_ref *refs; /* every relation met, each once */
	size_t nrefs;
	char why[NORM_WHY_MAX]; /* the text *why points to after a failure */
};

void norm_init(struct norm *);
void norm_clear(struct norm *);
/*
 * Normalizes a payload entry of type t. 0, or -1 with *why (naming the
 * attribute's path, "entry.blocks.file: ...", in n->why, valid until n is
 * used again; the rest of n is untouched) when a value has a shape no
 * Strapi sends (a relation that is a string, a media that is not an
 * object or null). Only s's and t's fields are read: no schema.c call.
 */
int normalize_entry(struct norm *, const struct schema *,
    const struct schema_type *t, struct json_object *entry, const char **why);
/*
 * As normalize_entry, for an entry that may already be a stored form
 * (what `strapi-live dump` prints, for import): a media may also be a
 * file's id alone, kept as it is, with no media row. A webhook payload
 * never sends one (normalize_entry refuses it).
 */
int normalize_stored(struct norm *, const struct schema *,
    const struct schema_type *t, struct json_object *entry, const char **why);
/*
 * 1 when two stored forms of type t (two locales of one document) hold
 * different values of an attribute the schema marks not localized (i18n
 * "localized": false, which Strapi keeps the same in every locale), or
 * when either is not a JSON object; else 0.
 */
int normalize_shared_differ(const struct schema_type *t, const char *a,
    size_t alen, const char *b, size_t blen);
/* A media.* delivery's "media" object into one media row. */
int normalize_media(struct norm_media *, struct json_object *media,
    const char **why);
void norm_media_clear(struct norm_media *);

#endif
