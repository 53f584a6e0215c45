/* setTimeout / setInterval for bundles: a fixed table in C (bounded), callbacks kept in the heap stash. */
#ifndef CELL_TIMERS_H
#define CELL_TIMERS_H

#include <stdint.h>
#include "duktape.h"

#define CELL_MAX_TIMERS 64

void timers_install(duk_context *ctx);
void timers_clear(void);
void timers_run(duk_context *ctx, uint64_t now);
int timers_due(uint64_t now);

#endif
