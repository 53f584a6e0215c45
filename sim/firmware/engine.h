/* The JS engine's life cycle: a Duktape heap in a bounded arena, the stored bundle run in it, and every
 * call into JS made protected and time-limited, so a bundle can fail but never take the board down. */
#ifndef CELL_ENGINE_H
#define CELL_ENGINE_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#ifndef CELL_ENGINE_JERRYSCRIPT /* the JerryScript image's engine code is in jerry/ */
#include "duktape.h"
#endif

#ifndef CELL_HEAP_SIZE
#define CELL_HEAP_SIZE (256u * 1024u)
#endif
#ifndef CELL_JS_TIMEOUT_MS
#define CELL_JS_TIMEOUT_MS 5000u /* longest a single call into JS may run before it is interrupted */
#endif
#ifndef CELL_BOARD_NAME
#define CELL_BOARD_NAME "qemu-mps2-an385"
#endif

/* Duktape's fatal handler jumps here (set in main); the caller then calls engine_recover(). */
extern jmp_buf engine_fatal_jmp;

/* Fresh heap (the arena is wiped), JS API installed, stored bundle compiled and run. Prints the banner. */
void engine_boot(void);
/* Destroys the heap, then engine_boot(): what the loader's reset and commit do. */
void engine_soft_reset(void);
/* After a fatal error: the heap is abandoned (arena wiped), no bundle runs until the next reset. */
void engine_recover(void);

/* Hands a frame to sim.onFrame. Returns 0 if no bundle handler is installed. */
int engine_deliver(const uint8_t *frame, size_t len);
void engine_run_timers(void);
int engine_timers_due(void);

#ifndef CELL_ENGINE_JERRYSCRIPT
/* Calls the function below `nargs` arguments on the value stack (with `this` below that if method is 1),
 * protected and time-limited; logs and records an error. Leaves nothing on the stack; returns 0 on success. */
int engine_call(duk_context *ctx, int nargs, int method, const char *what);
#endif

int engine_running(void);
const char *engine_last_error(void);
size_t engine_heap_size(void);
size_t engine_heap_used(void);
size_t engine_heap_peak(void);

#endif
