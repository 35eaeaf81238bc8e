/* utf8.h: UTF-8 validation */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

int utf8_valid(const char *, size_t);

#endif
