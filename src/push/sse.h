/* sse.h: the SSE transport: the raw change stream and reactive queries */
#ifndef PUSH_SSE_H
#define PUSH_SSE_H

#include "push/route.h"

extern const struct push_route push_sse_routes[];

#endif
