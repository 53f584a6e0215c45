/* setTimeout / setInterval on the JerryScript image: the same bounded table and rules as ../timers.c
 * (at most 64, a timer made by a callback waits for the next run, missed interval beats are skipped,
 * clearTimeout(undefined) does nothing); the callbacks are kept in a JS object held by C. */
#include "clock.h"
#include "engine.h"
#include "jengine.h"

typedef struct {
  uint32_t id; /* 0: free slot */
  uint64_t due;
  uint32_t interval; /* 0: one-shot */
  int runnable;
} cell_timer_t;

static cell_timer_t timers[CELL_MAX_TIMERS];
static uint32_t next_id = 1;
static jerry_value_t table; /* id -> callback */
static int table_held;

void timers_clear(void) {
  int i;
  for (i = 0; i < CELL_MAX_TIMERS; i++) timers[i].id = 0;
}

static jerry_value_t add_timer(const jerry_value_t args[], jerry_length_t argc, int repeat) {
  double ms;
  int i;
  uint32_t id;
  if (argc < 1 || !jerry_value_is_function(args[0])) return jerry_throw_sz(JERRY_ERROR_TYPE, "timer callback must be a function");
  ms = argc > 1 && jerry_value_is_number(args[1]) ? jerry_value_as_number(args[1]) : 0;
  if (!(ms >= 0)) ms = 0; /* NaN and negatives: as soon as possible */
  if (ms > 2147483647.0) ms = 2147483647.0;
  for (i = 0; i < CELL_MAX_TIMERS && timers[i].id; i++) {
  }
  if (i == CELL_MAX_TIMERS) return jerry_throw_sz(JERRY_ERROR_RANGE, "too many timers (64)");
  id = next_id++;
  if (next_id == 0) next_id = 1;
  jerry_value_free(jerry_object_set_index(table, id, args[0]));
  timers[i].id = id;
  timers[i].interval = repeat ? (ms < 1 ? 1 : (uint32_t)ms) : 0;
  timers[i].due = clock_millis() + (uint32_t)ms;
  timers[i].runnable = 0;
  return jerry_number(id);
}

static jerry_value_t js_set_timeout(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info;
  return add_timer(args, argc, 0);
}

static jerry_value_t js_set_interval(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info;
  return add_timer(args, argc, 1);
}

static jerry_value_t js_clear_timer(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  double d;
  uint32_t id;
  int i;
  (void)info;
  if (argc < 1 || !jerry_value_is_number(args[0])) return jerry_undefined(); /* clearTimeout(undefined) is allowed */
  d = jerry_value_as_number(args[0]);
  if (!(d >= 1 && d <= 4294967295.0)) return jerry_undefined();
  id = (uint32_t)d;
  for (i = 0; i < CELL_MAX_TIMERS; i++) {
    if (timers[i].id == id) {
      timers[i].id = 0;
      jerry_value_free(jerry_object_delete_index(table, id));
    }
  }
  return jerry_undefined();
}

void timers_install(void) {
  jerry_value_t global = jerry_current_realm();
  table = jerry_object();
  table_held = 1;
  jengine_set_fn(global, "setTimeout", js_set_timeout);
  jengine_set_fn(global, "setInterval", js_set_interval);
  jengine_set_fn(global, "clearTimeout", js_clear_timer);
  jengine_set_fn(global, "clearInterval", js_clear_timer);
  jerry_value_free(global);
}

void timers_release(void) {
  if (table_held) jerry_value_free(table);
  table_held = 0;
}

int timers_due(uint64_t now) {
  int i;
  for (i = 0; i < CELL_MAX_TIMERS; i++)
    if (timers[i].id && timers[i].due <= now) return 1;
  return 0;
}

/* Runs every timer that was due at `now`, earliest first, each at most once. */
void timers_run(uint64_t now) {
  int i;
  for (i = 0; i < CELL_MAX_TIMERS; i++) timers[i].runnable = timers[i].id != 0;
  for (;;) {
    int best = -1;
    uint32_t id;
    jerry_value_t fn, undef;
    for (i = 0; i < CELL_MAX_TIMERS; i++) {
      if (timers[i].id && timers[i].runnable && timers[i].due <= now && (best < 0 || timers[i].due < timers[best].due))
        best = i;
    }
    if (best < 0) return;
    id = timers[best].id;
    timers[best].runnable = 0;
    fn = jerry_object_get_index(table, id);
    if (timers[best].interval) {
      timers[best].due += timers[best].interval;
      if (timers[best].due <= now) timers[best].due = now + timers[best].interval; /* skip missed beats */
    } else {
      timers[best].id = 0;
      jerry_value_free(jerry_object_delete_index(table, id));
    }
    undef = jerry_undefined();
    if (jerry_value_is_function(fn)) jengine_call(fn, undef, NULL, 0, "timer");
    jerry_value_free(fn);
  }
}
