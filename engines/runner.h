/* Shared state of the host Duktape runner (duk-runner.c: options and event loop; duk-natives.c: the
 * __rt object the personalities are built on, reporting, and calls into JS). */
#ifndef DUK_RUNNER_H
#define DUK_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include <duktape.h>
#include "duk-heap.h"
#include "../sim/firmware/wire.h"

#define MAX_OPTS 32

/* The runner must be a 32-bit program: Duktape's objects then have the sizes they have on the boards
 * (build.ts compiles with -m32), and its heap cap is faithful. A 64-bit build stops here. */
#ifndef RUNNER_X86_64_FOR_VALGRIND /* the instruction-count-only build (build.ts ensureDuktapeRunner64) */
typedef char runner_must_be_32_bit[sizeof(void *) == 4 ? 1 : -1];
#endif

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_PERSONALITY = 3, EXIT_OOM = 4, EXIT_FATAL = 5 };

typedef struct {
  duk_context *ctx;
  cap_heap_t heap;
  const char *personality; /* espruino | kaluma | sim */
  const char *opt_keys[MAX_OPTS];
  const char *opt_values[MAX_OPTS];
  int opt_count;
  int virtual_clock;
  double clock_origin_ms; /* real clock: monotonic time at start */
  double virtual_now_ms;
  size_t max_frame; /* sim: the firmware's largest frame (header + payload) */
  wire_acc_t acc;   /* sim: stream accumulator, as in the firmware */
  uint8_t *acc_buf;
  uint8_t *enc_buf;
  size_t enc_cap;
  size_t reported_used, reported_peak;
  unsigned long uncaught; /* errors thrown out of callbacks (the device keeps running) */
} runner_t;

extern runner_t R;

double runner_now(void);
/* Writes all bytes to stdout; exits quietly when the reader went away. */
void runner_output(const uint8_t *p, size_t n);
/* A stderr line "@@<tag> {json}"; `extra` is more JSON members (may be NULL). */
void report(const char *tag, const char *extra);
/* Reports "@@heap" if use or peak moved since the last report. */
void report_heap_if_changed(void);
/* JSON string literal of s (static buffer, truncated to a few KB). */
const char *json_string(const char *s);

void natives_install(duk_context *ctx);
/* Calls global function `name` with the `nargs` values on top of the stack. Returns the call's result
 * as a number (NaN if not a number or if it threw; a thrown error is reported, or ends the runner when
 * it was the heap cap). Leaves the stack as it was before the arguments were pushed. */
double call_hook(const char *name, int nargs);
/* Pushes a new Uint8Array holding a copy of p[0..n). */
void push_bytes(duk_context *ctx, const uint8_t *p, size_t n);
/* Handles the error on top of the stack from a protected call: ends the runner on heap exhaustion,
 * else reports it as uncaught (a device keeps running after a callback throws). */
void handle_js_error(duk_context *ctx, const char *where);
/* Ends the runner (EXIT_OOM) if the error on top of the stack is the heap cap's doing. */
void exit_if_oom(duk_context *ctx, const char *where);

#endif
