/* hup.h: noticing SSE clients that went away */
#ifndef PUSH_HUP_H
#define PUSH_HUP_H

#include "push/state.h"

void push_hup_open(struct push *);
void push_hup_watch(struct push *, struct push_client *);
void push_hup_unwatch(struct push *, struct push_client *);
void push_hup_drain(struct push *);

#endif
