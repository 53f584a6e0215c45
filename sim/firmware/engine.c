#include "engine.h"
#include <string.h>
#include "arena.h"
#include "clock.h"
#include "console.h"
#include "jsapi.h"
#include "link.h"
#include "release.h"
#include "store.h"
#include "timers.h"
#include "uart.h"

jmp_buf engine_fatal_jmp;

static uint8_t heap_mem[CELL_HEAP_SIZE] __attribute__((aligned(8)));
static arena_t arena;
static duk_context *ctx;
static int running;
static char last_error[256];
static uint64_t js_deadline; /* 0: no JS call in progress */

/* Duktape's Date provider (duk_overrides.h): milliseconds since boot, so time is the board's own. */
double cell_date_now(void) { return (double)clock_millis(); }

/* Duktape polls this every so many bytecodes: a runaway call gets a RangeError instead of the board. */
int cell_exec_timeout(void *udata) {
  (void)udata;
  return js_deadline != 0 && clock_millis() > js_deadline;
}

/* Duktape asks before each native recursion step: a RangeError well before the stack runs into .bss. */
#define STACK_MARGIN (24u * 1024u)
extern char _sstack, _estack;
uint32_t stack_peak_bytes(void);
int cell_stack_low(void) {
  volatile char probe;
  return (uintptr_t)&probe < (uintptr_t)&_sstack + STACK_MARGIN;
}

static void *heap_alloc(void *udata, duk_size_t n) { return arena_alloc((arena_t *)udata, n); }
static void *heap_realloc(void *udata, void *p, duk_size_t n) { return arena_realloc((arena_t *)udata, p, n); }
static void heap_free(void *udata, void *p) { arena_free((arena_t *)udata, p); }

/* Keeps the message valid UTF-8 when it has to be cut (status.lastError is a string). */
static void set_error(const char *prefix, const char *msg) {
  size_t cap = sizeof last_error - 1, n = strlen(prefix);
  if (n > cap) n = cap;
  memcpy(last_error, prefix, n);
  while (*msg && n < cap) last_error[n++] = *msg++;
  if (*msg)
    while (n > 0 && ((uint8_t)last_error[n] & 0xC0) == 0x80) n--;
  last_error[n] = 0;
}

static void heap_fatal(void *udata, const char *msg) {
  (void)udata;
  set_error("fatal: ", msg ? msg : "unknown");
  con_printf("JS fatal error: %s\n", msg ? msg : "unknown");
  longjmp(engine_fatal_jmp, 1);
}

int engine_call(duk_context *c, int nargs, int method, const char *what) {
  uint64_t saved = js_deadline;
  int rc;
  if (!saved) js_deadline = clock_millis() + CELL_JS_TIMEOUT_MS;
  rc = method ? duk_pcall_method(c, nargs) : duk_pcall(c, nargs);
  js_deadline = saved;
  if (rc != DUK_EXEC_SUCCESS) {
    const char *msg = duk_safe_to_stacktrace(c, -1);
    con_printf("%s: uncaught %s\n", what, msg);
    set_error("", msg);
  }
  duk_pop(c);
  return rc != DUK_EXEC_SUCCESS;
}

static void stop_heap(void) {
  timers_clear();
  if (ctx) {
    js_deadline = clock_millis() + CELL_JS_TIMEOUT_MS; /* finalizers are JS too */
    duk_destroy_heap(ctx);
    js_deadline = 0;
  }
  ctx = NULL;
  running = 0;
}

static void prefix_error(const char *prefix) {
  char msg[sizeof last_error];
  strcpy(msg, last_error);
  set_error(prefix, msg);
}

/* Compiles and runs the stored bundle; on failure records why and drops the heap, so no half-started
 * bundle is left answering frames or running timers. */
static void run_bundle(void) {
  uint32_t size, crc;
  const uint8_t *src = bundle_get(&size, &crc);
  if (!src) return;
  if (faults_in_a_row() >= 2) {
    set_error("bundle not started: the firmware faulted twice or more in a row with it; commit or reset to retry", "");
    return;
  }
  {
    /* With a provisioned key, only a bundle whose signature file passes spec/signing.md §4 runs. */
    char why_buf[RELEASE_MSG_SIZE];
    const char *why = release_boot_check(src, size, why_buf);
    if (why) {
      set_error("bundle not started: ", why);
      con_printf("%s\n", last_error);
      return;
    }
  }
  duk_push_string(ctx, "bundle.js");
  if (duk_pcompile_lstring_filename(ctx, 0, (const char *)src, size) != 0) {
    set_error("bundle failed to compile: ", duk_safe_to_string(ctx, -1));
    con_printf("%s\n", last_error);
    stop_heap();
    return;
  }
  if (engine_call(ctx, 0, 0, "bundle start")) {
    prefix_error("bundle threw at start: ");
    stop_heap();
    return;
  }
  running = 1;
}

static void banner(void) {
  uint32_t size, crc;
  const uint8_t *b = bundle_get(&size, &crc);
  const wire_acc_t *link = link_stats();
  con_printf("cell-sim board=%s heap=%u used=%u peak=%u bundle=", CELL_BOARD_NAME, (uint32_t)engine_heap_size(),
             (uint32_t)engine_heap_used(), (uint32_t)engine_heap_peak());
  if (b) con_printf("%u bytes crc32=%x", size, crc);
  else con_printf("none");
  con_printf(" running=%s\n", running ? "yes" : "no");
  con_printf("stack peak=%u of %u\n", stack_peak_bytes(), (uint32_t)((uintptr_t)&_estack - (uintptr_t)&_sstack));
  con_printf("uart0 drops: cobs=%u crc=%u long=%u header=%u; rx stalls=%u\n", link->drops_bad_cobs, link->drops_bad_crc,
             link->drops_too_long, link->drops_bad_header, uart0_stalls());
  if (last_error[0]) con_printf("last error: %s\n", last_error);
}

void engine_boot(void) {
  last_error[0] = 0;
  running = 0;
  timers_clear();
  arena_init(&arena, heap_mem, sizeof heap_mem);
  ctx = duk_create_heap(heap_alloc, heap_realloc, heap_free, &arena, heap_fatal);
  if (!ctx) {
    set_error("", "could not create the JS heap: CELL_HEAP_SIZE is too small");
  } else {
    jsapi_install(ctx);
    run_bundle();
  }
  banner();
}

void engine_soft_reset(void) {
  stop_heap();
  engine_boot();
}

void engine_recover(void) {
  timers_clear();
  ctx = NULL;
  running = 0;
  js_deadline = 0;
  arena_init(&arena, heap_mem, sizeof heap_mem);
  con_printf("JS heap dropped after a fatal error; the loader still answers\n");
}

int engine_deliver(const uint8_t *frame, size_t len) {
  void *copy;
  if (!ctx) return 0;
  duk_push_heap_stash(ctx);
  duk_get_prop_string(ctx, -1, "sim");
  duk_get_prop_string(ctx, -1, "onFrame");
  if (!duk_is_function(ctx, -1)) {
    duk_pop_3(ctx);
    return 0;
  }
  duk_dup(ctx, -2); /* this = sim */
  copy = duk_push_fixed_buffer(ctx, len);
  memcpy(copy, frame, len);
  duk_push_buffer_object(ctx, -1, 0, len, DUK_BUFOBJ_UINT8ARRAY);
  duk_remove(ctx, -2);
  engine_call(ctx, 1, 1, "onFrame");
  duk_pop_2(ctx);
  return 1;
}

void engine_run_timers(void) {
  if (ctx) timers_run(ctx, clock_millis());
}

int engine_timers_due(void) { return ctx && timers_due(clock_millis()); }

int engine_running(void) { return running; }
const char *engine_last_error(void) { return last_error; }
size_t engine_heap_size(void) { return arena.size; }
size_t engine_heap_used(void) { return arena.used; }
size_t engine_heap_peak(void) { return arena.peak; }
