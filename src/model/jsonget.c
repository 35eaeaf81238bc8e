/* jsonget.c: reading typed members of a json-c object */
#include "config.h"

#include "model/jsonget.h"

/* o's member key when it is a string, else NULL. Borrowed from o. */
const char *
jsonget_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
