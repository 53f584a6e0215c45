/* The engine life cycle of ../engine.h on JerryScript 3.0.0: its static heap (JERRY_GLOBAL_HEAP_SIZE, the
 * board's ramBytes), the stored bundle run in it, every call into JS protected and time-limited. The same
 * contract as the Duktape image's ../engine.c (spec/loader.md), with JerryScript's own behaviour where it
 * differs: running out of heap is fatal in JerryScript (jerry_port_fatal), so the heap is abandoned. */
#include "engine.h"
#include <string.h>
#include "clock.h"
#include "console.h"
#include "jengine.h"
#include "link.h"
#include "release.h"
#include "store.h"
#include "uart.h"

jmp_buf engine_fatal_jmp;

static int alive; /* a heap exists (jerry_init done, no fatal error since) */
static int running;
static char last_error[256];
static uint64_t js_deadline; /* 0: no JS call in progress */
static size_t last_used, last_peak; /* heap figures of the last heap, kept when it is gone */

extern char _sstack, _estack;
uint32_t stack_peak_bytes(void);

/* Keeps the message valid UTF-8 when it has to be cut (status.lastError is a string). */
static void set_error(const char *prefix, const char *msg, size_t msg_len) {
  size_t cap = sizeof last_error - 1, n = strlen(prefix), i = 0;
  if (n > cap) n = cap;
  memmove(last_error, prefix, n);
  while (i < msg_len && n < cap) last_error[n++] = msg[i++];
  if (i < msg_len)
    while (n > 0 && ((uint8_t)last_error[n] & 0xC0) == 0x80) n--;
  last_error[n] = 0;
}

static const char *fatal_name(jerry_fatal_code_t code) {
  switch (code) {
  case JERRY_FATAL_OUT_OF_MEMORY: return "out of memory";
  case JERRY_FATAL_REF_COUNT_LIMIT: return "reference count limit";
  case JERRY_FATAL_DISABLED_BYTE_CODE: return "disabled byte code";
  case JERRY_FATAL_UNTERMINATED_GC_LOOPS: return "unterminated GC loops";
  case JERRY_FATAL_FAILED_ASSERTION: return "failed assertion";
  default: return "unknown";
  }
}

/* JerryScript's fatal errors (out of memory among them) never return: the heap is abandoned (main). */
void jerry_port_fatal(jerry_fatal_code_t code) {
  const char *name = fatal_name(code);
  jerry_heap_stats_t stats;
  if (alive && jerry_heap_stats(&stats)) last_peak = stats.peak_allocated_bytes; /* status shows how full it got */
  alive = 0;
  set_error("fatal: ", name, strlen(name));
  con_printf("JS fatal error: %s\n", name);
  longjmp(engine_fatal_jmp, 1);
}

/* Polled on backward jumps: a runaway call gets an uncatchable RangeError instead of the board. */
static jerry_value_t halt_check(void *user) {
  (void)user;
  if (js_deadline != 0 && clock_millis() > js_deadline)
    return jerry_throw_sz(JERRY_ERROR_RANGE, "execution timeout: a call into JS ran longer than 5 s");
  return jerry_undefined();
}

/* The string form of a thrown value, as UTF-8, into last_error after `prefix`. */
static void record_exception(const char *prefix, jerry_value_t exception) {
  jerry_value_t value = jerry_exception_value(exception, false);
  jerry_value_t text = jerry_value_to_string(value);
  char buf[sizeof last_error];
  jerry_size_t n = 0;
  if (!jerry_value_is_exception(text)) n = jerry_string_to_buffer(text, JERRY_ENCODING_UTF8, (jerry_char_t *)buf, sizeof buf - 1);
  else {
    strcpy(buf, "(a value whose toString throws)");
    n = (jerry_size_t)strlen(buf);
  }
  jerry_value_free(text);
  jerry_value_free(value);
  set_error(prefix, buf, n);
}

int jengine_call(jerry_value_t fn, jerry_value_t this_value, const jerry_value_t *args, jerry_length_t argc, const char *what) {
  uint64_t saved = js_deadline;
  jerry_value_t result;
  int failed;
  if (!saved) js_deadline = clock_millis() + CELL_JS_TIMEOUT_MS;
  result = jerry_call(fn, this_value, args, argc);
  js_deadline = saved;
  failed = jerry_value_is_exception(result);
  if (failed) {
    record_exception("", result);
    con_printf("%s: uncaught %s\n", what, last_error);
  }
  jerry_value_free(result);
  return failed;
}

static void stop_heap(void) {
  jerry_heap_stats_t stats;
  timers_clear();
  if (alive) {
    memset(&stats, 0, sizeof stats);
    if (jerry_heap_stats(&stats)) last_peak = stats.peak_allocated_bytes;
    last_used = 0;
    timers_release();
    jsapi_release();
    js_deadline = clock_millis() + CELL_JS_TIMEOUT_MS; /* finalizers may run JS */
    jerry_cleanup();
    js_deadline = 0;
  }
  alive = 0;
  running = 0;
}

static void prefix_error(const char *prefix) {
  char msg[sizeof last_error];
  strcpy(msg, last_error);
  set_error(prefix, msg, strlen(msg));
}

/* Compiles and runs the stored bundle; on failure records why and drops the heap, so no half-started
 * bundle is left answering frames or running timers. */
static void run_bundle(void) {
  uint32_t size, crc;
  const uint8_t *src = bundle_get(&size, &crc);
  jerry_value_t script, result;
  uint64_t saved;
  if (!src) return;
  if (faults_in_a_row() >= 2) {
    set_error("bundle not started: the firmware faulted twice or more in a row with it; commit or reset to retry", "", 0);
    return;
  }
  {
    /* With a provisioned key, only a bundle whose signature file passes spec/signing.md §4 runs. */
    char why_buf[RELEASE_MSG_SIZE];
    const char *why = release_boot_check(src, size, why_buf);
    if (why) {
      set_error("bundle not started: ", why, strlen(why));
      con_printf("%s\n", last_error);
      return;
    }
  }
  script = jerry_parse((const jerry_char_t *)src, size, NULL);
  if (jerry_value_is_exception(script)) {
    record_exception("bundle failed to compile: ", script);
    jerry_value_free(script);
    con_printf("%s\n", last_error);
    stop_heap();
    return;
  }
  saved = js_deadline;
  js_deadline = clock_millis() + CELL_JS_TIMEOUT_MS;
  result = jerry_run(script);
  js_deadline = saved;
  jerry_value_free(script);
  if (jerry_value_is_exception(result)) {
    record_exception("", result);
    con_printf("bundle start: uncaught %s\n", last_error);
    jerry_value_free(result);
    prefix_error("bundle threw at start: ");
    stop_heap();
    return;
  }
  jerry_value_free(result);
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
  last_used = last_peak = 0;
  timers_clear();
  jerry_init(JERRY_INIT_EMPTY);
  alive = 1;
  jerry_halt_handler(1024, halt_check, NULL);
  jsapi_install();
  timers_install();
  run_bundle();
  banner();
}

void engine_soft_reset(void) {
  stop_heap();
  engine_boot();
}

/* After jerry_port_fatal: the heap's state is unknown, so nothing in it is touched again; the next
 * engine_boot's jerry_init starts from a zeroed context. */
void engine_recover(void) {
  timers_clear();
  alive = 0;
  running = 0;
  js_deadline = 0;
  last_used = 0;
  con_printf("JS heap dropped after a fatal error; the loader still answers\n");
}

int engine_deliver(const uint8_t *frame, size_t len) {
  jerry_value_t sim, fn, arr;
  size_t n;
  uint8_t *dst;
  if (!alive) return 0;
  sim = jsapi_sim();
  fn = jerry_object_get_sz(sim, "onFrame");
  if (!jerry_value_is_function(fn)) {
    jerry_value_free(fn);
    return 0;
  }
  arr = jerry_typedarray(JERRY_TYPEDARRAY_UINT8, (jerry_length_t)len);
  dst = (uint8_t *)jengine_bytes(arr, &n);
  if (dst && n == len) {
    memcpy(dst, frame, len);
    jengine_call(fn, sim, &arr, 1, "onFrame");
  }
  jerry_value_free(arr);
  jerry_value_free(fn);
  return 1;
}

void engine_run_timers(void) {
  if (alive) timers_run(clock_millis());
}

int engine_timers_due(void) { return alive && timers_due(clock_millis()); }

int engine_running(void) { return running; }
const char *engine_last_error(void) { return last_error; }
size_t engine_heap_size(void) { return (size_t)JERRY_GLOBAL_HEAP_SIZE * 1024u; }

size_t engine_heap_used(void) {
  jerry_heap_stats_t stats;
  if (!alive || !jerry_heap_stats(&stats)) return last_used;
  return stats.allocated_bytes;
}

size_t engine_heap_peak(void) {
  jerry_heap_stats_t stats;
  if (!alive || !jerry_heap_stats(&stats)) return last_peak;
  return stats.peak_allocated_bytes;
}
