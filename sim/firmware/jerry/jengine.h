/* The JerryScript image's engine code (sim/firmware/jerry/): what its parts share. The engine-neutral
 * life cycle (engine_boot, engine_deliver...) is ../engine.h, the same the Duktape image implements. */
#ifndef CELL_JENGINE_H
#define CELL_JENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "jerryscript.h"
#include "jerryscript-port.h"

/* Calls fn(this, args...), protected and time-limited (CELL_JS_TIMEOUT_MS); logs and records an uncaught
 * exception. Frees the result; returns 0 on success. */
int jengine_call(jerry_value_t fn, jerry_value_t this_value, const jerry_value_t *args, jerry_length_t argc, const char *what);

/* Writes a JS value's string form (ToString; a failing ToString gives a placeholder) as UTF-8 to the console. */
void jengine_print_value(jerry_value_t value);

/* Registers a native function on an object. */
void jengine_set_fn(jerry_value_t obj, const char *name, jerry_external_handler_t fn);
/* obj[name] = value; value is freed. */
void jengine_set(jerry_value_t obj, const char *name, jerry_value_t value);

/* The bytes of a Uint8Array (any typed array), ArrayBuffer or DataView; NULL for anything else. */
const uint8_t *jengine_bytes(jerry_value_t value, size_t *len);

/* The `sim` object and the natives (jsapi.c); the `sim` value is kept by C until jsapi_release(). */
void jsapi_install(void);
jerry_value_t jsapi_sim(void);
void jsapi_release(void);

/* setTimeout & co. (timers.c): the same fixed table and rules as the Duktape image's timers.c. */
#define CELL_MAX_TIMERS 64
void timers_install(void);
void timers_release(void);
void timers_clear(void);
void timers_run(uint64_t now);
int timers_due(uint64_t now);

#endif
