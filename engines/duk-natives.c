#include "runner.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

const char *json_string(const char *s) {
  static char out[4096];
  size_t o = 0;
  out[o++] = '"';
  for (; s && *s && o < sizeof(out) - 8; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
    else if (c < 0x20) o += (size_t)snprintf(out + o, 7, "\\u%04x", c);
    else out[o++] = (char)c;
  }
  out[o++] = '"';
  out[o] = 0;
  return out;
}

void report(const char *tag, const char *extra) {
  fprintf(stderr, "@@%s {\"used\":%zu,\"peak\":%zu,\"limit\":%zu,\"baseline\":%zu,\"refused\":%lu,\"uncaught\":%lu%s%s}\n",
          tag, R.heap.used, R.heap.peak, R.heap.limit, R.heap.baseline, R.heap.refused, R.uncaught,
          extra ? "," : "", extra ? extra : "");
  fflush(stderr);
  R.reported_used = R.heap.used;
  R.reported_peak = R.heap.peak;
}

void report_heap_if_changed(void) {
  if (R.heap.used != R.reported_used || R.heap.peak != R.reported_peak) report("heap", NULL);
}

void exit_if_oom(duk_context *ctx, const char *where) {
  char extra[4600];
  const char *msg = duk_safe_to_stacktrace(ctx, -1);
  /* Duktape throws RangeError "alloc failed" once an allocation fails even after a GC (or a DoubleError
   * when even the error object cannot be made): with a cap in place that means the bundle needs more
   * heap than the board has. */
  if (!(R.heap.refused > 0 && msg && (strstr(msg, "alloc failed") || strstr(msg, "DoubleError")))) return;
  snprintf(extra, sizeof(extra), "\"where\":%s,", json_string(where));
  snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "\"message\":%s,\"request\":%zu", json_string(msg), R.heap.last_refused);
  report("oom", extra);
  exit(EXIT_OOM);
}

void handle_js_error(duk_context *ctx, const char *where) {
  char extra[4600];
  exit_if_oom(ctx, where);
  snprintf(extra, sizeof(extra), "\"where\":%s,", json_string(where));
  snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "\"message\":%s", json_string(duk_safe_to_stacktrace(ctx, -1)));
  R.uncaught++;
  report("uncaught", extra);
}

double call_hook(const char *name, int nargs) {
  duk_context *ctx = R.ctx;
  double result;
  if (!duk_get_global_string(ctx, name) || !duk_is_function(ctx, -1)) {
    duk_pop_n(ctx, nargs + 1);
    return NAN;
  }
  duk_insert(ctx, -(nargs + 1)); /* function below its arguments */
  if (duk_pcall(ctx, nargs) != DUK_EXEC_SUCCESS) {
    handle_js_error(ctx, name);
    duk_pop(ctx);
    return NAN;
  }
  result = duk_is_number(ctx, -1) ? duk_get_number(ctx, -1) : (duk_is_boolean(ctx, -1) ? duk_get_boolean(ctx, -1) : NAN);
  duk_pop(ctx);
  return result;
}

void push_bytes(duk_context *ctx, const uint8_t *p, size_t n) {
  void *buf = duk_push_fixed_buffer(ctx, n);
  if (n) memcpy(buf, p, n);
  duk_push_buffer_object(ctx, -1, 0, n, DUK_BUFOBJ_UINT8ARRAY);
  duk_remove(ctx, -2);
}

/* __rt.write(bytes | binary string): to stdout, the device's link. */
static duk_ret_t rt_write(duk_context *ctx) {
  if (duk_is_string(ctx, 0)) {
    /* A string of byte-valued chars (Espruino's convention): one byte per UTF-16 unit. */
    duk_size_t i, n;
    uint8_t tmp[512];
    size_t t = 0;
    duk_get_prop_string(ctx, 0, "length");
    n = (duk_size_t)duk_get_uint(ctx, -1);
    duk_pop(ctx);
    for (i = 0; i < n; i++) {
      duk_get_prop_string(ctx, 0, "charCodeAt");
      duk_dup(ctx, 0);
      duk_push_uint(ctx, (duk_uint_t)i);
      duk_call_method(ctx, 1);
      tmp[t++] = (uint8_t)(duk_get_uint(ctx, -1) & 255);
      duk_pop(ctx);
      if (t == sizeof(tmp)) { runner_output(tmp, t); t = 0; }
    }
    if (t) runner_output(tmp, t);
    return 0;
  } else {
    duk_size_t n;
    void *p = duk_get_buffer_data(ctx, 0, &n);
    if (!p && n == 0 && !duk_is_buffer_data(ctx, 0)) return duk_error(ctx, DUK_ERR_TYPE_ERROR, "__rt.write: bytes or string expected");
    if (n) runner_output((const uint8_t *)p, n);
    return 0;
  }
}

static duk_ret_t rt_log(duk_context *ctx) {
  fprintf(stderr, "%s\n", duk_safe_to_string(ctx, 0));
  fflush(stderr);
  return 0;
}

static duk_ret_t rt_now(duk_context *ctx) {
  duk_push_number(ctx, runner_now());
  return 1;
}

static duk_ret_t rt_heap(duk_context *ctx) {
  duk_push_object(ctx);
  duk_push_number(ctx, (double)R.heap.used);
  duk_put_prop_string(ctx, -2, "used");
  duk_push_number(ctx, (double)R.heap.peak);
  duk_put_prop_string(ctx, -2, "peak");
  duk_push_number(ctx, (double)R.heap.limit);
  duk_put_prop_string(ctx, -2, "limit");
  duk_push_number(ctx, (double)R.heap.baseline);
  duk_put_prop_string(ctx, -2, "baseline");
  return 1;
}

/* __rt.sendFrame(frame): the sim firmware's framing, done in C with sim/firmware/wire.c. */
static duk_ret_t rt_send_frame(duk_context *ctx) {
  duk_size_t n;
  size_t out;
  const uint8_t *p = (const uint8_t *)duk_get_buffer_data(ctx, 0, &n);
  if (!p && !duk_is_buffer_data(ctx, 0)) return duk_error(ctx, DUK_ERR_TYPE_ERROR, "sendFrame: Uint8Array expected");
  /* As sim/firmware/jsapi.c: only a well-formed frame the link can carry is sent. */
  if (n > R.max_frame || !wire_header_ok(p, n)) {
    duk_push_false(ctx);
    return 1;
  }
  out = wire_stream_encode(p, n, R.enc_buf, R.enc_cap);
  if (out == 0) {
    duk_push_false(ctx);
    return 1;
  }
  runner_output(R.enc_buf, out);
  duk_push_true(ctx);
  return 1;
}

/* Firmware-side drop counters, as the sim firmware would keep them. */
static duk_ret_t rt_wire_drops(duk_context *ctx) {
  duk_push_object(ctx);
  duk_push_uint(ctx, R.acc.drops_bad_cobs);
  duk_put_prop_string(ctx, -2, "BadCobs");
  duk_push_uint(ctx, R.acc.drops_bad_crc);
  duk_put_prop_string(ctx, -2, "BadCrc");
  duk_push_uint(ctx, R.acc.drops_too_long);
  duk_put_prop_string(ctx, -2, "TooLong");
  duk_push_uint(ctx, R.acc.drops_bad_header);
  duk_put_prop_string(ctx, -2, "BadHeader");
  return 1;
}

void natives_install(duk_context *ctx) {
  static const duk_function_list_entry fns[] = {
    { "write", rt_write, 1 },
    { "log", rt_log, 1 },
    { "now", rt_now, 0 },
    { "heap", rt_heap, 0 },
    { "sendFrame", rt_send_frame, 1 },
    { "wireDrops", rt_wire_drops, 0 },
    { NULL, NULL, 0 }
  };
  int i;
  duk_push_global_object(ctx);
  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, fns);
  duk_push_string(ctx, R.personality);
  duk_put_prop_string(ctx, -2, "personality");
  duk_push_number(ctx, (double)R.max_frame);
  duk_put_prop_string(ctx, -2, "maxFrame");
  duk_push_object(ctx);
  for (i = 0; i < R.opt_count; i++) {
    duk_push_string(ctx, R.opt_values[i]);
    duk_put_prop_string(ctx, -2, R.opt_keys[i]);
  }
  duk_put_prop_string(ctx, -2, "opts");
  duk_put_prop_string(ctx, -2, "__rt");
  duk_pop(ctx);
}
