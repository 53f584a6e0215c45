#include "timers.h"
#include "clock.h"
#include "engine.h"

typedef struct {
  uint32_t id; /* 0: free slot */
  uint64_t due;
  uint32_t interval; /* 0: one-shot */
  int runnable;      /* armed before the current run: a timer made by a callback waits for the next run */
} cell_timer_t;

static cell_timer_t timers[CELL_MAX_TIMERS];
static uint32_t next_id = 1;

void timers_clear(void) {
  int i;
  for (i = 0; i < CELL_MAX_TIMERS; i++) timers[i].id = 0;
}

/* Pushes stash.timers (the id → function table). */
static void push_table(duk_context *ctx) {
  duk_push_heap_stash(ctx);
  duk_get_prop_string(ctx, -1, "timers");
  duk_remove(ctx, -2);
}

static duk_ret_t add_timer(duk_context *ctx, int repeat) {
  double ms;
  int i;
  uint32_t id;
  if (!duk_is_function(ctx, 0)) return duk_error(ctx, DUK_ERR_TYPE_ERROR, "timer callback must be a function");
  ms = duk_get_number_default(ctx, 1, 0);
  if (!(ms >= 0)) ms = 0; /* NaN and negatives: as soon as possible */
  if (ms > 2147483647.0) ms = 2147483647.0;
  for (i = 0; i < CELL_MAX_TIMERS && timers[i].id; i++) {
  }
  if (i == CELL_MAX_TIMERS) return duk_error(ctx, DUK_ERR_RANGE_ERROR, "too many timers (%d)", CELL_MAX_TIMERS);
  id = next_id++;
  if (next_id == 0) next_id = 1;
  push_table(ctx);
  duk_dup(ctx, 0);
  duk_put_prop_index(ctx, -2, id);
  timers[i].id = id;
  timers[i].interval = repeat ? (ms < 1 ? 1 : (uint32_t)ms) : 0;
  timers[i].due = clock_millis() + (uint32_t)ms;
  timers[i].runnable = 0;
  duk_push_uint(ctx, id);
  return 1;
}

static duk_ret_t js_set_timeout(duk_context *ctx) { return add_timer(ctx, 0); }
static duk_ret_t js_set_interval(duk_context *ctx) { return add_timer(ctx, 1); }

static duk_ret_t js_clear_timer(duk_context *ctx) {
  uint32_t id;
  int i;
  if (!duk_is_number(ctx, 0)) return 0; /* clearTimeout(undefined) is allowed and does nothing */
  id = duk_get_uint(ctx, 0);
  for (i = 0; i < CELL_MAX_TIMERS; i++) {
    if (timers[i].id == id && id) {
      timers[i].id = 0;
      push_table(ctx);
      duk_del_prop_index(ctx, -1, id);
      duk_pop(ctx);
    }
  }
  return 0;
}

void timers_install(duk_context *ctx) {
  static const duk_function_list_entry fns[] = {
    { "setTimeout", js_set_timeout, DUK_VARARGS },
    { "setInterval", js_set_interval, DUK_VARARGS },
    { "clearTimeout", js_clear_timer, 1 },
    { "clearInterval", js_clear_timer, 1 },
    { NULL, NULL, 0 }
  };
  duk_push_heap_stash(ctx);
  duk_push_object(ctx);
  duk_put_prop_string(ctx, -2, "timers");
  duk_pop(ctx);
  duk_push_global_object(ctx);
  duk_put_function_list(ctx, -1, fns);
  duk_pop(ctx);
}

int timers_due(uint64_t now) {
  int i;
  for (i = 0; i < CELL_MAX_TIMERS; i++)
    if (timers[i].id && timers[i].due <= now) return 1;
  return 0;
}

/* Runs every timer that was due at `now`, earliest first, each at most once. */
void timers_run(duk_context *ctx, uint64_t now) {
  int i;
  for (i = 0; i < CELL_MAX_TIMERS; i++) timers[i].runnable = timers[i].id != 0;
  for (;;) {
    int best = -1;
    uint32_t id;
    for (i = 0; i < CELL_MAX_TIMERS; i++) {
      if (timers[i].id && timers[i].runnable && timers[i].due <= now && (best < 0 || timers[i].due < timers[best].due))
        best = i;
    }
    if (best < 0) return;
    id = timers[best].id;
    timers[best].runnable = 0;
    push_table(ctx);
    duk_get_prop_index(ctx, -1, id);
    if (timers[best].interval) {
      timers[best].due += timers[best].interval;
      if (timers[best].due <= now) timers[best].due = now + timers[best].interval; /* skip missed beats */
    } else {
      timers[best].id = 0;
      duk_del_prop_index(ctx, -2, id);
    }
    duk_remove(ctx, -2);
    engine_call(ctx, 0, 0, "timer");
  }
}
