/* The natives bundles see on the JerryScript image: the same `sim` object, print() and timers as the
 * Duktape image's ../jsapi.c (spec/loader.md, "what a bundle sees"), so firmware/adapters/duktape-sim.ts
 * runs unchanged. Strings cross into C as UTF-8 (JerryScript keeps them as CESU-8 inside). */
#include <string.h>
#include "clock.h"
#include "console.h"
#include "engine.h"
#include "jengine.h"
#include "link.h"
#include "store.h"
#include "text.h"
#include "wire.h"

static jerry_value_t sim_obj; /* kept from jsapi_install to jsapi_release */
static int sim_held;

#define ARG(i) ((i) < argc ? args[i] : jerry_undefined())

const uint8_t *jengine_bytes(jerry_value_t value, size_t *len) {
  jerry_size_t offset = 0, length = 0;
  jerry_value_t buffer;
  const uint8_t *data;
  if (jerry_value_is_typedarray(value)) buffer = jerry_typedarray_buffer(value, &offset, &length);
  else if (jerry_value_is_dataview(value)) buffer = jerry_dataview_buffer(value, &offset, &length);
  else if (jerry_value_is_arraybuffer(value)) {
    buffer = jerry_value_copy(value);
    length = jerry_arraybuffer_size(value);
  } else return NULL;
  if (jerry_value_is_exception(buffer)) {
    jerry_value_free(buffer);
    return NULL;
  }
  data = jerry_arraybuffer_data(buffer);
  jerry_value_free(buffer); /* the view that was passed in keeps the buffer alive */
  *len = length;
  return data ? data + offset : (length == 0 ? (const uint8_t *)"" : NULL);
}

void jengine_set(jerry_value_t obj, const char *name, jerry_value_t value) {
  jerry_value_free(jerry_object_set_sz(obj, name, value));
  jerry_value_free(value);
}

void jengine_set_fn(jerry_value_t obj, const char *name, jerry_external_handler_t fn) {
  jengine_set(obj, name, jerry_function_external(fn));
}

static void print_byte(uint32_t byte, void *user) {
  char c = (char)byte;
  (void)user;
  con_write(&c, 1);
}

void jengine_print_value(jerry_value_t value) {
  jerry_value_t text = jerry_value_to_string(value);
  if (jerry_value_is_exception(text)) con_write("(unprintable)", 13);
  else jerry_string_iterate(text, JERRY_ENCODING_UTF8, print_byte, NULL);
  jerry_value_free(text);
}

/* false (nothing sent) for a frame the link cannot carry: 20..CELL_MAX_FRAME bytes with a valid header. */
static jerry_value_t js_send_frame(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  size_t len = 0;
  const uint8_t *p = jengine_bytes(ARG(0), &len);
  (void)info;
  if (!p) return jerry_throw_sz(JERRY_ERROR_TYPE, "sendFrame: a Uint8Array is required");
  return jerry_boolean(len <= CELL_MAX_FRAME && wire_header_ok(p, len) && link_send(p, len));
}

/* Text natives (text.h): a COMPACT string's bytes in one call. JerryScript keeps strings as CESU-8;
 * they cross through this buffer (a string too long for it: undefined, the bundle's own path). */
static uint8_t text_buf[CELL_MAX_FRAME * 3 / 2];

static uint32_t arg_uint(const jerry_value_t v) { return jerry_value_is_number(v) ? (uint32_t)jerry_value_as_number(v) : 0; }

/* sim.textIn(bytes, start, end): the string whose UTF-8 is bytes[start..end); URIError for malformed bytes. */
static jerry_value_t js_text_in(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  size_t len = 0, n;
  const uint8_t *p = jengine_bytes(ARG(0), &len);
  uint32_t a = arg_uint(ARG(1)), b = arg_uint(ARG(2));
  (void)info;
  if (!p) return jerry_throw_sz(JERRY_ERROR_TYPE, "textIn: a Uint8Array is required");
  if (a > b || b > len) return jerry_throw_sz(JERRY_ERROR_RANGE, "textIn: range outside the bytes");
  n = text_utf8_to_cesu8(p + a, b - a, NULL);
  if (n == TEXT_BAD) return jerry_throw_sz(JERRY_ERROR_URI, "malformed UTF-8");
  if (n == b - a) return jerry_string(p + a, (jerry_size_t)n, JERRY_ENCODING_CESU8);
  if (n > sizeof text_buf) return jerry_undefined();
  text_utf8_to_cesu8(p + a, b - a, text_buf);
  return jerry_string(text_buf, (jerry_size_t)n, JERRY_ENCODING_CESU8);
}

/* sim.textOut(s, frame, at, prefixed): as ../jsapi.c's. */
static jerry_value_t js_text_out(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  size_t fn = 0, end;
  uint8_t *f = (uint8_t *)jengine_bytes(ARG(1), &fn);
  jerry_size_t sn;
  (void)info;
  if (!jerry_value_is_string(ARG(0)) || !f) return jerry_throw_sz(JERRY_ERROR_TYPE, "textOut: a string and a Uint8Array are required");
  sn = jerry_string_size(ARG(0), JERRY_ENCODING_CESU8);
  if (sn > sizeof text_buf) return jerry_undefined();
  jerry_string_to_buffer(ARG(0), JERRY_ENCODING_CESU8, text_buf, sn);
  end = text_put(text_buf, sn, f, fn, arg_uint(ARG(2)), jerry_value_to_boolean(ARG(3)));
  if (end == TEXT_BAD) return jerry_throw_sz(JERRY_ERROR_URI, "lone surrogate");
  return jerry_number((double)end);
}

static jerry_value_t js_millis(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info, (void)args, (void)argc;
  return jerry_number((double)clock_millis());
}

static jerry_value_t js_log(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info;
  jengine_print_value(ARG(0));
  con_write("\n", 1);
  return jerry_undefined();
}

static jerry_value_t js_print(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  jerry_length_t i;
  (void)info;
  for (i = 0; i < argc; i++) {
    if (i) con_write(" ", 1);
    jengine_print_value(args[i]);
  }
  con_write("\n", 1);
  return jerry_undefined();
}

/* A key as UTF-8 into buf; 0 (and *ok = 0) when it is not a string or does not fit the store's 64 bytes. */
#define KEY_CAP 65 /* one more than the store takes, so an over-long key reaches kv_* and is refused there */
static jerry_size_t key_bytes(jerry_value_t key, uint8_t *buf, int *ok) {
  jerry_size_t n;
  *ok = jerry_value_is_string(key);
  if (!*ok) return 0;
  n = jerry_string_size(key, JERRY_ENCODING_UTF8);
  if (n > KEY_CAP) { /* too long for the store: a 65-byte key that kv_* refuses or never finds */
    memset(buf, 0, KEY_CAP);
    return KEY_CAP;
  }
  return jerry_string_to_buffer(key, JERRY_ENCODING_UTF8, buf, n);
}

static jerry_value_t js_storage_read(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  uint8_t key[KEY_CAP];
  const uint8_t *value;
  size_t value_len, n;
  jerry_size_t key_len;
  jerry_value_t out;
  uint8_t *dst;
  int ok;
  (void)info;
  key_len = key_bytes(ARG(0), key, &ok);
  if (!ok) return jerry_throw_sz(JERRY_ERROR_TYPE, "storageRead: the key must be a string");
  if (!kv_read(key, key_len, &value, &value_len)) return jerry_undefined();
  out = jerry_typedarray(JERRY_TYPEDARRAY_UINT8, (jerry_length_t)value_len);
  dst = (uint8_t *)jengine_bytes(out, &n);
  if (dst && value_len) memcpy(dst, value, value_len);
  return out;
}

static jerry_value_t js_storage_write(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  uint8_t key[KEY_CAP];
  const uint8_t *value;
  size_t value_len = 0;
  jerry_size_t key_len;
  int ok;
  (void)info;
  key_len = key_bytes(ARG(0), key, &ok);
  if (!ok) return jerry_throw_sz(JERRY_ERROR_TYPE, "storageWrite: the key must be a string");
  value = jengine_bytes(ARG(1), &value_len);
  if (!value) return jerry_throw_sz(JERRY_ERROR_TYPE, "storageWrite: the value must be a Uint8Array");
  return jerry_boolean(kv_write(key, key_len, value, value_len));
}

static jerry_value_t js_heap(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  jerry_value_t o = jerry_object();
  (void)info, (void)args, (void)argc;
  jengine_set(o, "size", jerry_number((double)engine_heap_size()));
  jengine_set(o, "total", jerry_number((double)engine_heap_size())); /* alias of size, for firmware/adapters/duktape-sim.ts */
  jengine_set(o, "used", jerry_number((double)engine_heap_used()));
  jengine_set(o, "peak", jerry_number((double)engine_heap_peak()));
  return o;
}

/* A full collection, so sim.heap().used after it counts live objects only (tests of heap growth). */
static jerry_value_t js_gc(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info, (void)args, (void)argc;
  jerry_heap_gc(JERRY_GC_PRESSURE_HIGH);
  return jerry_undefined();
}

/* A deterministic sensor: 21.5 °C ± 1.5 as a triangle wave with a 60 s period, in 0.01 steps (as ../jsapi.c). */
static jerry_value_t js_temperature(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  uint32_t phase = (uint32_t)(clock_millis() % 60000u);
  int32_t tri = phase < 30000u ? (int32_t)phase : (int32_t)(60000u - phase);
  int32_t centi = 2000 + tri / 100;
  (void)info, (void)args, (void)argc;
  return jerry_number(centi / 100.0);
}

void jsapi_install(void) {
  jerry_value_t global = jerry_current_realm();
  sim_obj = jerry_object();
  sim_held = 1;
  jengine_set_fn(sim_obj, "sendFrame", js_send_frame);
  jengine_set_fn(sim_obj, "textIn", js_text_in);
  jengine_set_fn(sim_obj, "textOut", js_text_out);
  jengine_set_fn(sim_obj, "millis", js_millis);
  jengine_set_fn(sim_obj, "log", js_log);
  jengine_set_fn(sim_obj, "storageRead", js_storage_read);
  jengine_set_fn(sim_obj, "storageWrite", js_storage_write);
  jengine_set_fn(sim_obj, "heap", js_heap);
  jengine_set_fn(sim_obj, "gc", js_gc);
  jengine_set_fn(sim_obj, "temperature", js_temperature);
  jengine_set(sim_obj, "board", jerry_string_sz(CELL_BOARD_NAME));
  jengine_set(global, "sim", jerry_value_copy(sim_obj));
  jengine_set_fn(global, "print", js_print);
  jerry_value_free(global);
}

jerry_value_t jsapi_sim(void) { return sim_obj; }

void jsapi_release(void) {
  if (sim_held) jerry_value_free(sim_obj);
  sim_held = 0;
}
