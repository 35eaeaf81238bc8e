/* jsonget.h: reading typed members of a json-c object */
#ifndef JSONGET_H
#define JSONGET_H

#include <json-c/json.h>

const char *jsonget_str(struct json_object *, const char *key);

#endif
