/* push_wsmsg.c: WebSocket client messages, parsed and validated (pure) */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "model/entry.h"
#include "model/jsonget.h"
#include "model/wsmsg.h"

static const struct collection *
find_collection(const struct conf *conf, const char *name)
{
	const struct collection *co;

	co = conf_collection_by_plural(conf, name, strlen(name));
	return co != NULL ? co : conf_collection_by_name(conf, name);
}

/*
 * A populate, fields or filters value of a subscribe query as REST's
 * bracketed pairs: under "populate", {"author":true} is populate[author]=true and
 * ["a","b"] populate[0]=a&populate[1]=b; strings, numbers and booleans
 * are taken as they read. key (the name so far) is restored on return.
 */
static const char *
add_flat(struct subscription_spec *spec, struct buf *key, struct json_object *v,
    int depth)
{
	struct json_object_iterator it, end;
	const char *why = NULL;
	size_t len = key->len, i, n;
	char num[32];

	if (depth > 16)
		return "populate or filters nest too deep";
	switch (json_object_get_type(v)) {
	case json_type_object:
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		for (; why == NULL && !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it)) {
			buf_printf(key, "[%s]",
			    json_object_iter_peek_name(&it));
			why = add_flat(spec, key,
			    json_object_iter_peek_value(&it), depth + 1);
			key->len = len;
		}
		return why;
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; why == NULL && i < n; i++) {
			buf_printf(key, "[%zu]", i);
			why = add_flat(spec, key,
			    json_object_array_get_idx(v, i), depth + 1);
			key->len = len;
		}
		return why;
	case json_type_int:
		snprintf(num, sizeof(num), "%" PRId64,
		    json_object_get_int64(v));
		break;
	case json_type_boolean:
		snprintf(num, sizeof(num), "%s",
		    json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_double:
		/* as the message wrote it (json-c keeps a parsed number's text) */
		snprintf(num, sizeof(num), "%s", json_object_get_string(v));
		break;
	case json_type_string:
		break;
	default:
		return "populate and filters values must be objects, arrays, "
		       "strings, numbers or booleans";
	}
	if (subscription_spec_set(spec, buf_cstr(key),
	        json_object_is_type(v, json_type_string)
	            ? json_object_get_string(v)
	            : num,
	        &why) == -1)
		return why;
	return NULL;
}

static const char *
parse_subscribe(const struct conf *conf, struct json_object *o,
    struct push_ws_req *r)
{
	struct json_object *q, *v;
	struct json_object_iterator it, end;
	const char *coll, *why = NULL, *val;
	char num[32];

	if (r->id[0] == '\0')
		return "id is required";
	if ((coll = jsonget_str(o, "collection")) == NULL)
		return "collection is required";
	r->spec.coll = find_collection(conf, coll);
	if (json_object_object_get_ex(o, "query", &q) && q != NULL) {
		if (!json_object_is_type(q, json_type_object))
			return "query must be an object";
		it = json_object_iter_begin(q);
		end = json_object_iter_end(q);
		for (; !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it)) {
			v = json_object_iter_peek_value(&it);
			if (subscription_is_populate(
			        json_object_iter_peek_name(&it)) ||
			    strncmp(json_object_iter_peek_name(&it), "filters",
			        7) == 0 ||
			    strncmp(json_object_iter_peek_name(&it), "sort[",
			        5) == 0) {
				struct buf key;

				buf_init(&key);
				buf_adds(&key, json_object_iter_peek_name(&it));
				why = add_flat(&r->spec, &key, v, 0);
				buf_clear(&key);
				if (why != NULL)
					return why;
				continue;
			}
			if (json_object_is_type(v, json_type_int)) {
				snprintf(num, sizeof(num), "%" PRId64,
				    json_object_get_int64(v));
				val = num;
			} else if (json_object_is_type(v, json_type_string))
				val = json_object_get_string(v);
			else
				return "query values must be strings or numbers";
			if (subscription_spec_set(&r->spec,
			        json_object_iter_peek_name(&it), val,
			        &why) == -1)
				return why;
		}
	}
	if (subscription_spec_check(&r->spec, &why) == -1)
		return why;
	r->patch = json_object_object_get_ex(o, "patch", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
	return NULL;
}

static const char *
parse_changes(const struct conf *conf, struct json_object *o,
    struct push_ws_req *r)
{
	struct json_object *v;
	const char *coll;
	int64_t since;

	if ((coll = jsonget_str(o, "collection")) != NULL &&
	    (r->filter = find_collection(conf, coll)) == NULL)
		return "unknown collection";
	if (!json_object_object_get_ex(o, "since", &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_int) ||
	    (since = json_object_get_int64(v)) < 0)
		return "since must be a non-negative integer";
	r->has_since = 1;
	r->since = (uint64_t)since;
	return NULL;
}

/*
 * Parses one client message: strict JSON (entry_parse_json: UTF-8, depth,
 * no duplicate keys), an object with type, an id of 1 to 64 printable
 * characters when given, and the fields of its type. Returns 0 with *r
 * filled, or -1 with *why (static text); r->id is set as soon as the id
 * is valid, so an error can name its subscription. The caller clears r
 * with push_ws_req_clear either way.
 */
int
push_ws_parse_message(const struct conf *conf, const char *msg, size_t len,
    struct push_ws_req *r, const char **why)
{
	struct json_object *o, *v;
	const char *type, *id;
	size_t idlen;

	memset(r, 0, sizeof(*r));
	subscription_spec_init(&r->spec);
	*why = NULL;
	if ((o = entry_parse_json(msg, len, why)) == NULL) {
		*why = "message is not valid JSON";
		return -1;
	}
	if (!json_object_is_type(o, json_type_object)) {
		*why = "message must be a JSON object";
		goto out;
	}
	if (json_object_object_get_ex(o, "id", &v) && v != NULL) {
		id = json_object_get_string(v);
		idlen = (size_t)json_object_get_string_len(v);
		if (!json_object_is_type(v, json_type_string) ||
		    !entry_valid_key_string(id, idlen, PUSH_WSMSG_ID_MAX)) {
			*why = "id must be 1 to 64 printable characters";
			goto out;
		}
		memcpy(r->id, id, idlen);
		r->id[idlen] = '\0';
	}
	if ((type = jsonget_str(o, "type")) == NULL)
		*why = "type is required";
	else if (strcmp(type, "subscribe") == 0) {
		r->type = PUSH_WS_SUBSCRIBE;
		*why = parse_subscribe(conf, o, r);
	} else if (strcmp(type, "unsubscribe") == 0) {
		r->type = PUSH_WS_UNSUBSCRIBE;
		if (r->id[0] == '\0')
			*why = "id is required";
	} else if (strcmp(type, "changes") == 0) {
		r->type = PUSH_WS_CHANGES;
		*why = parse_changes(conf, o, r);
	} else
		*why = "unknown message type";
out:
	json_object_put(o);
	return *why == NULL ? 0 : -1;
}

void
push_ws_req_clear(struct push_ws_req *r)
{

	subscription_spec_clear(&r->spec);
}

/*
 * Writes the header of an unmasked final text frame (server to client,
 * RFC 6455 5.2) carrying len bytes into h (PUSH_WS_HEAD_MAX bytes).
 * Returns the header's length.
 */
size_t
push_ws_frame_head(unsigned char *h, size_t len)
{
	size_t i;

	h[0] = 0x81; /* FIN, text */
	if (len < 126) {
		h[1] = (unsigned char)len;
		return 2;
	}
	if (len <= 0xffff) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		return 4;
	}
	h[1] = 127;
	for (i = 0; i < 8; i++)
		h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	return 10;
}
