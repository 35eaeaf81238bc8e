/* status.h: GET /live/healthz and /live/metrics */
#ifndef PUSH_STATUS_H
#define PUSH_STATUS_H

#include "push/route.h"

extern const struct push_route push_status_routes[];

#endif
