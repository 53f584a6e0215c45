#include "jsapi.h"
#include <string.h>
#include "clock.h"
#include "console.h"
#include "engine.h"
#include "link.h"
#include "store.h"
#include "text.h"
#include "timers.h"
#include "wire.h"

/* false (nothing sent) for a frame the link cannot carry: 20..CELL_MAX_FRAME bytes with a valid header. */
static duk_ret_t js_send_frame(duk_context *ctx) {
  duk_size_t len;
  const uint8_t *p = (const uint8_t *)duk_require_buffer_data(ctx, 0, &len);
  duk_push_boolean(ctx, len <= CELL_MAX_FRAME && wire_header_ok(p, len) && link_send(p, len));
  return 1;
}

/* Text natives (text.h): a COMPACT string's bytes in one call. Duktape hands its strings over as they
 * are kept (CESU-8), so only text with characters above U+FFFF is converted through this buffer. */
static uint8_t text_buf[CELL_MAX_FRAME * 3 / 2];

/* sim.textIn(bytes, start, end): the string whose UTF-8 is bytes[start..end); URIError for malformed
 * bytes (as decodeURIComponent); undefined (the bundle's own path) for more than this buffer takes. */
static duk_ret_t js_text_in(duk_context *ctx) {
  duk_size_t len;
  const uint8_t *p = (const uint8_t *)duk_require_buffer_data(ctx, 0, &len);
  duk_uint_t a = duk_require_uint(ctx, 1), b = duk_require_uint(ctx, 2);
  size_t n;
  if (a > b || b > len) return duk_error(ctx, DUK_ERR_RANGE_ERROR, "textIn: %u..%u outside %u bytes", a, b, (unsigned)len);
  n = text_utf8_to_cesu8(p + a, b - a, NULL);
  if (n == TEXT_BAD) return duk_error(ctx, DUK_ERR_URI_ERROR, "malformed UTF-8");
  if (n == b - a) duk_push_lstring(ctx, (const char *)p + a, n); /* nothing above U+FFFF: the same bytes */
  else if (n <= sizeof text_buf) {
    text_utf8_to_cesu8(p + a, b - a, text_buf);
    duk_push_lstring(ctx, (const char *)text_buf, n);
  } else return 0;
  return 1;
}

/* sim.textOut(s, frame, at, prefixed): writes s as UTF-8 (after its length as a varint when prefixed)
 * into frame from at, as much as fits; answers where the whole ends (past frame.length: it did not
 * fit); URIError for a lone surrogate (as encodeURIComponent), before writing anything. */
static duk_ret_t js_text_out(duk_context *ctx) {
  duk_size_t sn, fn;
  const uint8_t *s = (const uint8_t *)duk_require_lstring(ctx, 0, &sn);
  uint8_t *f = (uint8_t *)duk_require_buffer_data(ctx, 1, &fn);
  duk_uint_t at = duk_require_uint(ctx, 2);
  size_t end = text_put(s, sn, f, fn, at, duk_to_boolean(ctx, 3));
  if (end == TEXT_BAD) return duk_error(ctx, DUK_ERR_URI_ERROR, "lone surrogate");
  duk_push_uint(ctx, (duk_uint_t)end);
  return 1;
}

static duk_ret_t js_millis(duk_context *ctx) {
  duk_push_number(ctx, (double)clock_millis());
  return 1;
}

static duk_ret_t js_log(duk_context *ctx) {
  duk_size_t n;
  const char *s = duk_safe_to_lstring(ctx, 0, &n);
  con_write(s, n);
  con_write("\n", 1);
  return 0;
}

static duk_ret_t js_print(duk_context *ctx) {
  duk_idx_t i, n = duk_get_top(ctx);
  for (i = 0; i < n; i++) {
    duk_size_t len;
    const char *s = duk_safe_to_lstring(ctx, i, &len);
    if (i) con_write(" ", 1);
    con_write(s, len);
  }
  con_write("\n", 1);
  return 0;
}

static const uint8_t *require_key(duk_context *ctx, duk_size_t *len) {
  return (const uint8_t *)duk_require_lstring(ctx, 0, len);
}

static duk_ret_t js_storage_read(duk_context *ctx) {
  duk_size_t key_len;
  const uint8_t *key = require_key(ctx, &key_len), *value;
  size_t value_len;
  void *copy;
  if (!kv_read(key, key_len, &value, &value_len)) return 0;
  copy = duk_push_fixed_buffer(ctx, value_len);
  if (value_len) memcpy(copy, value, value_len);
  duk_push_buffer_object(ctx, -1, 0, value_len, DUK_BUFOBJ_UINT8ARRAY);
  return 1;
}

static duk_ret_t js_storage_write(duk_context *ctx) {
  duk_size_t key_len, value_len;
  const uint8_t *key = require_key(ctx, &key_len);
  const uint8_t *value = (const uint8_t *)duk_require_buffer_data(ctx, 1, &value_len);
  duk_push_boolean(ctx, kv_write(key, key_len, value, value_len));
  return 1;
}

static duk_ret_t js_heap(duk_context *ctx) {
  duk_push_object(ctx);
  duk_push_uint(ctx, (duk_uint_t)engine_heap_size());
  duk_put_prop_string(ctx, -2, "size");
  duk_push_uint(ctx, (duk_uint_t)engine_heap_size());
  duk_put_prop_string(ctx, -2, "total"); /* alias of size, for firmware/adapters/duktape-sim.ts */
  duk_push_uint(ctx, (duk_uint_t)engine_heap_used());
  duk_put_prop_string(ctx, -2, "used");
  duk_push_uint(ctx, (duk_uint_t)engine_heap_peak());
  duk_put_prop_string(ctx, -2, "peak");
  return 1;
}

/* A full collection, so sim.heap().used after it counts live objects only (tests of heap growth).
 * Twice, as Duktape's documentation advises: the first run may leave objects that finalizers revived. */
static duk_ret_t js_gc(duk_context *ctx) {
  duk_gc(ctx, 0);
  duk_gc(ctx, 0);
  return 0;
}

/* A deterministic sensor: 21.5 °C ± 1.5 as a triangle wave with a 60 s period, in 0.01 steps. */
static duk_ret_t js_temperature(duk_context *ctx) {
  uint32_t phase = (uint32_t)(clock_millis() % 60000u);
  int32_t tri = phase < 30000u ? (int32_t)phase : (int32_t)(60000u - phase); /* 0..30000 */
  int32_t centi = 2000 + tri / 100;                                         /* 20.00..23.00 */
  duk_push_number(ctx, centi / 100.0);
  return 1;
}

void jsapi_install(duk_context *ctx) {
  static const duk_function_list_entry sim_fns[] = {
    { "sendFrame", js_send_frame, 1 },
    { "textIn", js_text_in, 3 },
    { "textOut", js_text_out, 4 },
    { "millis", js_millis, 0 },
    { "log", js_log, 1 },
    { "storageRead", js_storage_read, 1 },
    { "storageWrite", js_storage_write, 2 },
    { "heap", js_heap, 0 },
    { "gc", js_gc, 0 },
    { "temperature", js_temperature, 0 },
    { NULL, NULL, 0 }
  };
  duk_push_global_object(ctx);
  duk_push_c_function(ctx, js_print, DUK_VARARGS);
  duk_put_prop_string(ctx, -2, "print");
  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, sim_fns);
  duk_push_string(ctx, CELL_BOARD_NAME);
  duk_put_prop_string(ctx, -2, "board");
  duk_push_heap_stash(ctx);
  duk_dup(ctx, -2);
  duk_put_prop_string(ctx, -2, "sim");
  duk_pop(ctx);
  duk_put_prop_string(ctx, -2, "sim");
  duk_pop(ctx);
  timers_install(ctx);
}
