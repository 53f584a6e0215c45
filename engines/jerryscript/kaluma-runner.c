/*
 * jerry-kaluma: JerryScript 3.0.0 with the part of Kaluma's API that Cell's rpi-pico bundles use, on a
 * host. Behaviour follows Kaluma's sources (see README.md next to this file for what was checked where).
 * The link UART's bytes come in on stdin (or a pseudo-terminal with --pty) and go out on stdout (or
 * the pty); console output and `@@tag {json}` report lines go to stderr. The JS half (events module,
 * the uart/storage wrappers, require) is kaluma-prelude.js, run before the bundle as Kaluma runs its
 * startup module.
 *
 * usage: jerry-kaluma [--pty] [--link PORT] [--control-fd FD] [--storage FILE] [--opt KEY=VALUE]...
 *                     --prelude kaluma-prelude.js bundle.js
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "jerryscript.h"

/* ---- options and clock ---------------------------------------------------------------------- */

#define MAX_OPTS 32
static const char *opt_keys[MAX_OPTS], *opt_vals[MAX_OPTS];
static int opt_count;
static int link_port = 0;
static int in_fd = 0, out_fd = 1, control_fd = -1;
static const char *storage_file;
static struct timespec boot;

static const char *opt(const char *key) {
  for (int i = 0; i < opt_count; i++)
    if (strcmp(opt_keys[i], key) == 0) return opt_vals[i];
  return NULL;
}

/* Kaluma's millis(): milliseconds since boot. */
static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - boot.tv_sec) * 1000.0 + (double)(t.tv_nsec - boot.tv_nsec) / 1e6;
}

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd pf = {fd, POLLOUT, 0};
        poll(&pf, 1, 100);
        continue;
      }
      return; /* the host went away: as a UART with nothing attached */
    }
    p += w;
    n -= (size_t)w;
  }
}

/* ---- report lines ----------------------------------------------------------------------------- */

static void report_heap(const char *tag) {
  jerry_heap_stats_t s;
  memset(&s, 0, sizeof(s));
  jerry_heap_stats(&s);
  fprintf(stderr, "@@%s {\"heapTotal\":%lu,\"heapUsed\":%lu,\"heapPeak\":%lu}\n", tag, (unsigned long)s.size,
          (unsigned long)s.allocated_bytes, (unsigned long)s.peak_allocated_bytes);
  fflush(stderr);
}

/* Console text, escaped as a JSON string so a line may hold anything. */
static void report_text(const char *tag, const jerry_char_t *buf, jerry_size_t n) {
  fprintf(stderr, "@@%s \"", tag);
  for (jerry_size_t i = 0; i < n; i++) {
    unsigned char c = buf[i];
    if (c == '"' || c == '\\') fprintf(stderr, "\\%c", c);
    else if (c < 0x20) fprintf(stderr, "\\u%04x", c);
    else fputc(c, stderr);
  }
  fprintf(stderr, "\"\n");
  fflush(stderr);
}

static void report_value(const char *tag, jerry_value_t v) {
  jerry_value_t s = jerry_value_to_string(v);
  if (jerry_value_is_exception(s)) {
    jerry_value_free(s);
    s = jerry_string_sz("(unprintable)");
  }
  jerry_size_t n = jerry_string_size(s, JERRY_ENCODING_UTF8);
  jerry_char_t *buf = malloc(n + 1);
  jerry_string_to_buffer(s, JERRY_ENCODING_UTF8, buf, n);
  report_text(tag, buf, n);
  free(buf);
  jerry_value_free(s);
}

/* An exception out of a callback: Kaluma prints it (jerryxx_print_error) and carries on. */
static void report_exception(jerry_value_t ex) {
  jerry_value_t v = jerry_exception_value(ex, false);
  report_value("uncaught", v);
  jerry_value_free(v);
}

/* ---- helpers as Kaluma's jerryxx.h has them --------------------------------------------------- */

static jerry_value_t type_error(const char *fmt, const char *arg) {
  char msg[255];
  snprintf(msg, sizeof msg, fmt, arg);
  return jerry_throw_sz(JERRY_ERROR_TYPE, msg);
}
#define CHECK_NUMBER(i, name) \
  if (n <= (i) || !jerry_value_is_number(a[i])) return type_error("\"%s\" argument must be a number", name)
#define CHECK_FUNCTION(i, name) \
  if (n <= (i) || !jerry_value_is_function(a[i])) return type_error("\"%s\" argument must be a function", name)
#define CHECK_STRING(i, name) \
  if (n <= (i) || !jerry_value_is_string(a[i])) return type_error("\"%s\" argument must be a string", name)
#define CHECK_OBJECT(i, name) \
  if (n <= (i) || !jerry_value_is_object(a[i])) return type_error("\"%s\" argument must be an object", name)
#define CHECK_ARG(i, name) \
  if (n <= (i)) return type_error("\"%s\" argument required", name)
#define JSFN(name) static jerry_value_t name(const jerry_call_info_t *info, const jerry_value_t a[], const jerry_length_t n)

static void set_fn(jerry_value_t obj, const char *name, jerry_external_handler_t fn) {
  jerry_value_t f = jerry_function_external(fn);
  jerry_value_free(jerry_object_set_sz(obj, name, f));
  jerry_value_free(f);
}
static void set_num(jerry_value_t obj, const char *name, double v) {
  jerry_value_t x = jerry_number(v);
  jerry_value_free(jerry_object_set_sz(obj, name, x));
  jerry_value_free(x);
}
static double get_num(jerry_value_t obj, const char *name, double dflt) {
  jerry_value_t x = jerry_object_get_sz(obj, name);
  double v = jerry_value_is_number(x) ? jerry_value_as_number(x) : dflt;
  jerry_value_free(x);
  return v;
}

/* A string argument as Kaluma's JERRYXX_GET_ARG_STRING_AS_CHAR gives it: CESU-8 bytes, NUL-ended. */
static char *cesu8_of(jerry_value_t s, jerry_size_t *size) {
  jerry_size_t sz = jerry_string_size(s, JERRY_ENCODING_CESU8);
  char *buf = malloc(sz + 1);
  jerry_string_to_buffer(s, JERRY_ENCODING_CESU8, (jerry_char_t *)buf, sz);
  buf[sz] = '\0';
  if (size) *size = sz;
  return buf;
}

/* Kaluma's SystemError (global.c / err.c): a constructor taking a negative errno. */
static jerry_value_t system_error(int err) {
  jerry_value_t global = jerry_current_realm();
  jerry_value_t ctor = jerry_object_get_sz(global, "SystemError");
  jerry_value_t arg = jerry_number(err);
  jerry_value_t e = jerry_construct(ctor, &arg, 1);
  jerry_value_free(arg);
  jerry_value_free(ctor);
  jerry_value_free(global);
  if (jerry_value_is_exception(e)) return e;
  return jerry_throw_value(e, true);
}
#define EINVPIN -140
#define ESTGFULL -142
#define ESTGNOKEY -143
#define ESTGSIZE -144
#define EDEVINIT -145
#define EDEVWRITE -147

/* ---- timers (global.c set_timeout_fn & co.) --------------------------------------------------- */

typedef struct {
  int id, used, repeat;
  double clock, delay;
  jerry_value_t cb;
} timer_t_;
static timer_t_ *timers;
static int timer_cap, next_handle_id = 1;

static jerry_value_t add_timer(const jerry_value_t a[], const jerry_length_t n, int repeat) {
  CHECK_FUNCTION(0, "callback");
  CHECK_NUMBER(1, "delay");
  int slot = -1;
  for (int i = 0; i < timer_cap; i++)
    if (!timers[i].used) {
      slot = i;
      break;
    }
  if (slot < 0) {
    int cap = timer_cap ? timer_cap * 2 : 16;
    timers = realloc(timers, sizeof(timer_t_) * (size_t)cap);
    memset(timers + timer_cap, 0, sizeof(timer_t_) * (size_t)(cap - timer_cap));
    slot = timer_cap;
    timer_cap = cap;
  }
  double d = jerry_value_as_number(a[1]);
  timer_t_ *t = &timers[slot];
  t->used = 1;
  t->id = next_handle_id++;
  t->repeat = repeat;
  t->clock = now_ms();
  t->delay = d > 0 ? (double)(uint64_t)d : 0; /* (uint64_t) as Kaluma casts it */
  t->cb = jerry_value_copy(a[0]);
  return jerry_number(t->id);
}
JSFN(set_timeout_fn) { (void)info; return add_timer(a, n, 0); }
JSFN(set_interval_fn) { (void)info; return add_timer(a, n, 1); }

static void stop_timer(timer_t_ *t) {
  jerry_value_free(t->cb);
  t->used = 0;
}
/* clearTimeout/clearInterval: one function; the id must be a number (clearTimeout(undefined) throws). */
JSFN(clear_timer_fn) {
  (void)info;
  CHECK_NUMBER(0, "id");
  int id = (int)jerry_value_as_number(a[0]);
  for (int i = 0; i < timer_cap; i++)
    if (timers[i].used && timers[i].id == id) stop_timer(&timers[i]);
  return jerry_undefined();
}

/* Runs the timers that are due, once each; returns ms to the next deadline (-1: none). */
static double run_timers(void) {
  double now = now_ms();
  for (int i = 0; i < timer_cap; i++) {
    timer_t_ *t = &timers[i];
    if (!t->used || t->clock + t->delay > now) continue;
    int id = t->id;
    jerry_value_t cb = jerry_value_copy(t->cb);
    jerry_value_t this_val = jerry_undefined();
    jerry_value_t r = jerry_call(cb, this_val, NULL, 0);
    jerry_value_free(cb);
    t = &timers[i]; /* the callback may have grown the table */
    int alive = t->used && t->id == id;
    if (jerry_value_is_exception(r)) {
      report_exception(r);
      if (alive) stop_timer(t); /* an interval that throws is stopped, as set_timer_cb does */
    } else if (alive) {
      if (t->repeat) t->clock = now_ms();
      else stop_timer(t);
    }
    jerry_value_free(r);
  }
  double next = -1;
  now = now_ms();
  for (int i = 0; i < timer_cap; i++) {
    if (!timers[i].used) continue;
    double left = timers[i].clock + timers[i].delay - now;
    if (left < 0) left = 0;
    if (next < 0 || left < next) next = left;
  }
  return next;
}

JSFN(millis_fn) { (void)info; (void)a; (void)n; return jerry_number((double)(uint64_t)now_ms()); }
JSFN(micros_fn) { (void)info; (void)a; (void)n; return jerry_number((double)(uint64_t)(now_ms() * 1000.0)); }
JSFN(delay_fn) {
  (void)info;
  if (n > 0 && !jerry_value_is_number(a[0])) return type_error("\"%s\" argument must be a number", "msec");
  double ms = n > 0 ? jerry_value_as_number(a[0]) : 0, until = now_ms() + ms;
  while (now_ms() < until) usleep(1000);
  return jerry_undefined();
}

/* ---- analogRead (global.c, targets/rp2/src/adc.c) ---------------------------------------------- */

JSFN(analog_read_fn) {
  (void)info;
  CHECK_NUMBER(0, "pin");
  int pin = (uint8_t)jerry_value_as_number(a[0]);
  if (pin < 26 || pin > 29) return system_error(EINVPIN);
  char key[16];
  snprintf(key, sizeof key, "adc.%d", pin);
  const char *v = opt(key);
  return jerry_number(v ? atof(v) : 0.5);
}

/* ---- console, print, process.memoryUsage ------------------------------------------------------ */

static void print_args(const jerry_value_t a[], jerry_length_t n, const char *tag) {
  /* One line per call. Kaluma pretty-prints non-strings; JSON is close enough for a log. */
  size_t cap = 256, len = 0;
  jerry_char_t *line = malloc(cap);
  for (jerry_length_t i = 0; i < n; i++) {
    jerry_value_t s;
    if (jerry_value_is_string(a[i])) s = jerry_value_copy(a[i]);
    else {
      s = jerry_json_stringify(a[i]);
      if (jerry_value_is_exception(s) || !jerry_value_is_string(s)) {
        jerry_value_free(s);
        s = jerry_value_to_string(a[i]);
        if (jerry_value_is_exception(s)) {
          jerry_value_free(s);
          s = jerry_string_sz("?");
        }
      }
    }
    jerry_size_t sz = jerry_string_size(s, JERRY_ENCODING_UTF8);
    while (len + sz + 2 > cap) line = realloc(line, cap *= 2);
    if (i > 0) line[len++] = ' ';
    len += jerry_string_to_buffer(s, JERRY_ENCODING_UTF8, line + len, sz);
    jerry_value_free(s);
  }
  report_text(tag, line, (jerry_size_t)len);
  free(line);
}
JSFN(console_log_fn) { (void)info; if (n > 0) print_args(a, n, "log"); return jerry_undefined(); }
JSFN(console_error_fn) { (void)info; if (n > 0) print_args(a, n, "log"); return jerry_undefined(); }
/* print() writes no newline on Kaluma; as a log line it is still one line per call. */
JSFN(print_fn) { (void)info; if (n > 0) print_args(a, n, "print"); return jerry_undefined(); }

JSFN(memory_usage_fn) {
  (void)info; (void)a; (void)n;
  jerry_heap_stats_t s;
  memset(&s, 0, sizeof(s));
  if (!jerry_heap_stats(&s)) return jerry_undefined();
  jerry_value_t o = jerry_object();
  set_num(o, "heapTotal", (double)s.size);
  set_num(o, "heapUsed", (double)s.allocated_bytes);
  set_num(o, "heapPeak", (double)s.peak_allocated_bytes);
  return o;
}

/* ---- TextEncoder / TextDecoder (global.c) ----------------------------------------------------- */

static char *encoding_of(jerry_value_t self) {
  jerry_value_t e = jerry_object_get_sz(self, "encoding");
  char *s = jerry_value_is_string(e) ? cesu8_of(e, NULL) : strdup("");
  jerry_value_free(e);
  return s;
}
JSFN(text_ctor_fn) {
  if (n > 0 && !jerry_value_is_string(a[0])) return type_error("\"%s\" argument must be a string", "label");
  jerry_value_t label = n > 0 ? jerry_value_copy(a[0]) : jerry_string_sz("utf-8");
  jerry_value_free(jerry_object_set_sz(info->this_value, "encoding", label));
  jerry_value_free(label);
  return jerry_undefined();
}
/* Kaluma's jerryxx_string_to_ascii_char_buffer: one byte per UTF-16 unit, 0 above U+00FF. */
static void ascii_bytes(jerry_value_t s, uint8_t *out, jerry_length_t len) {
  jerry_size_t sz = jerry_string_size(s, JERRY_ENCODING_UTF8);
  uint8_t *u = malloc(sz + 4);
  jerry_string_to_buffer(s, JERRY_ENCODING_UTF8, u, sz);
  memset(u + sz, 0, 4);
  jerry_size_t p = 0;
  for (jerry_length_t i = 0; i < len; i++) {
    uint8_t c = p < sz ? u[p] : 0;
    if (c < 128) { out[i] = c; p++; }
    else if (c >> 5 == 6) { out[i] = c == 0xc2 ? u[p + 1] : c == 0xc3 ? (uint8_t)(u[p + 1] + 64) : 0; p += 2; }
    else if (c >> 4 == 14) { out[i] = 0; p += 3; }
    else { out[i] = 0; p += 4; }
  }
  free(u);
}
JSFN(text_encode_fn) {
  CHECK_STRING(0, "input");
  char *enc = encoding_of(info->this_value);
  jerry_value_t r;
  if (strcmp(enc, "ascii") == 0) {
    jerry_length_t len = jerry_string_length(a[0]);
    r = jerry_typedarray(JERRY_TYPEDARRAY_UINT8, len);
    jerry_length_t off = 0, bl = 0;
    jerry_value_t ab = jerry_typedarray_buffer(r, &off, &bl);
    ascii_bytes(a[0], jerry_arraybuffer_data(ab), len);
    jerry_value_free(ab);
  } else if (strcmp(enc, "utf-8") == 0) {
    jerry_size_t len = jerry_string_size(a[0], JERRY_ENCODING_UTF8);
    r = jerry_typedarray(JERRY_TYPEDARRAY_UINT8, len);
    jerry_length_t off = 0, bl = 0;
    jerry_value_t ab = jerry_typedarray_buffer(r, &off, &bl);
    jerry_string_to_buffer(a[0], JERRY_ENCODING_UTF8, jerry_arraybuffer_data(ab), len);
    jerry_value_free(ab);
  } else r = jerry_throw_sz(JERRY_ERROR_COMMON, "Unsupported encoding.");
  free(enc);
  return r;
}
JSFN(text_decode_fn) {
  CHECK_ARG(0, "input");
  if (!jerry_value_is_typedarray(a[0]) || jerry_typedarray_type(a[0]) != JERRY_TYPEDARRAY_UINT8)
    return jerry_throw_sz(JERRY_ERROR_COMMON, "input must be Uint8Array.");
  char *enc = encoding_of(info->this_value);
  jerry_value_t r;
  if (strcmp(enc, "ascii") == 0) {
    jerry_value_t global = jerry_current_realm(), str = jerry_object_get_sz(global, "String");
    jerry_value_t fcc = jerry_object_get_sz(str, "fromCharCode"), apply = jerry_object_get_sz(fcc, "apply");
    jerry_value_t args[2] = {jerry_null(), a[0]};
    r = jerry_call(apply, fcc, args, 2);
    jerry_value_free(apply); jerry_value_free(fcc); jerry_value_free(str); jerry_value_free(global);
  } else if (strcmp(enc, "utf-8") == 0) {
    jerry_length_t off = 0, bl = 0;
    jerry_value_t ab = jerry_typedarray_buffer(a[0], &off, &bl);
    const uint8_t *p = jerry_arraybuffer_data(ab) + off;
    /* Kaluma passes the bytes on unchecked; JerryScript's result for malformed UTF-8 is undefined
     * there, so the runner says so instead of guessing (a board may show garbage or crash). */
    if (!jerry_validate_string(p, bl, JERRY_ENCODING_UTF8)) {
      fprintf(stderr, "@@warn \"TextDecoder.decode: %u bytes that are not UTF-8 (undefined behaviour on Kaluma)\"\n", (unsigned)bl);
      r = jerry_string_sz("");
    } else r = jerry_string(p, bl, JERRY_ENCODING_UTF8);
    jerry_value_free(ab);
  } else r = jerry_throw_sz(JERRY_ERROR_COMMON, "Unsupported encoding.");
  free(enc);
  return r;
}

/* ---- Kaluma's own encodeURIComponent / decodeURIComponent (global.c) ---------------------------
 * Kaluma replaces the engine's functions with these: they percent-encode the string's CESU-8 bytes
 * (a character outside the BMP becomes two 3-byte surrogates, not UTF-8's 4 bytes; a lone surrogate
 * is encoded, not refused), and decode to bytes read back as CESU-8 up to the first NUL, unchecked.
 * `char` is unsigned on ARM, so bytes 0x80-0xFF encode as %80-%FF. */
static int uri_char(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
         c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
}
static jerry_value_t arg_string(const jerry_value_t a[], jerry_length_t n) {
  return jerry_value_is_string(a[0]) ? jerry_value_copy(a[0]) : jerry_value_to_string(a[0]);
  (void)n;
}
JSFN(encode_uri_component_fn) {
  (void)info;
  CHECK_ARG(0, "data");
  jerry_value_t s = arg_string(a, n);
  if (jerry_value_is_exception(s)) return s;
  jerry_size_t sz;
  unsigned char *d = (unsigned char *)cesu8_of(s, &sz);
  jerry_value_free(s);
  static const char hex[] = "0123456789ABCDEF";
  char *out = malloc(sz * 3 + 1);
  size_t p = 0;
  for (jerry_size_t i = 0; i < sz; i++) {
    if (uri_char(d[i])) out[p++] = (char)d[i];
    else {
      out[p++] = '%';
      out[p++] = hex[d[i] >> 4];
      out[p++] = hex[d[i] & 15];
    }
  }
  out[p] = '\0';
  jerry_value_t r = jerry_string_sz(out);
  free(out);
  free(d);
  return r;
}
static int hex1(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
}
JSFN(decode_uri_component_fn) {
  (void)info;
  CHECK_ARG(0, "data");
  jerry_value_t s = arg_string(a, n);
  if (jerry_value_is_exception(s)) return s;
  jerry_size_t sz;
  char *d = cesu8_of(s, &sz);
  jerry_value_free(s);
  char *out = malloc(sz + 1);
  size_t p = 0;
  for (jerry_size_t i = 0; i < sz;) {
    if (d[i] == '%') {
      char h = i + 1 < sz ? d[i + 1] : 0, l = i + 2 < sz ? d[i + 2] : 0;
      out[p++] = (char)(hex1(h) << 4 | hex1(l));
      i += 3;
    } else out[p++] = d[i++];
  }
  out[p] = '\0';
  size_t len = strlen(out); /* jerry_string_sz: stops at the first NUL */
  jerry_value_t r;
  if (!jerry_validate_string((const jerry_char_t *)out, (jerry_size_t)len, JERRY_ENCODING_CESU8)) {
    /* On a board JerryScript takes these bytes as they are (assertions are off) and the string's
     * contents are undefined; the runner keeps the bytes too, and says so. */
    fprintf(stderr, "@@warn \"decodeURIComponent: %u bytes that are not CESU-8 (undefined behaviour on Kaluma)\"\n", (unsigned)len);
  }
  r = jerry_string((const jerry_char_t *)out, (jerry_size_t)len, JERRY_ENCODING_CESU8);
  free(out);
  free(d);
  return r;
}

/* ---- UART (modules/uart/module_uart.c, targets/rp2/src/uart.c) -------------------------------- */

#define UART_NUM 2
static struct {
  int enabled;
  size_t buffer_size;
  jerry_value_t cb;
} uarts[UART_NUM];

static int pins_ok(int port, int tx, int rx) {
  if (port == 0) return (tx < 0 || tx == 0 || tx == 12 || tx == 16) && (rx < 0 || rx == 1 || rx == 13 || rx == 17);
  return (tx < 0 || tx == 4 || tx == 8) && (rx < 0 || rx == 5 || rx == 9);
}

JSFN(uart_ctor_fn) {
  CHECK_NUMBER(0, "port");
  CHECK_OBJECT(1, "options");
  CHECK_FUNCTION(2, "callback");
  int port = (uint8_t)jerry_value_as_number(a[0]);
  jerry_value_t o = a[1];
  double baud = get_num(o, "baudrate", 115200), bits = get_num(o, "bits", 8), parity = get_num(o, "parity", 0);
  double stop = get_num(o, "stop", 1), flow = get_num(o, "flow", 0), bufsize = get_num(o, "bufferSize", 2048);
  int tx = (int8_t)get_num(o, "tx", port == 0 ? 0 : 8), rx = (int8_t)get_num(o, "rx", port == 0 ? 1 : 9);
  if (port >= UART_NUM || uarts[port].enabled || bits < 5 || bits > 8 || !pins_ok(port, tx, rx)) return system_error(EDEVINIT);
  uarts[port].enabled = 1;
  uarts[port].buffer_size = (size_t)(uint32_t)bufsize;
  uarts[port].cb = jerry_value_copy(a[2]);
  jerry_value_t self = info->this_value;
  set_num(self, "port", port);
  set_num(self, "baudrate", (uint32_t)baud);
  set_num(self, "bits", (uint32_t)bits);
  set_num(self, "parity", (uint32_t)parity);
  set_num(self, "stop", (uint32_t)stop);
  set_num(self, "flow", (uint32_t)flow);
  set_num(self, "bufferSize", (uint32_t)bufsize);
  set_num(self, "tx", tx);
  set_num(self, "rx", rx);
  return jerry_undefined();
}

static int port_of(jerry_value_t self) {
  jerry_value_t p = jerry_object_get_sz(self, "port");
  int port = jerry_value_is_number(p) ? (uint8_t)jerry_value_as_number(p) : -1;
  jerry_value_free(p);
  return port;
}

static void uart_out(int port, const uint8_t *p, size_t len) {
  if (port == link_port) write_all(out_fd, p, len);
}

JSFN(uart_write_fn) {
  CHECK_ARG(0, "data");
  if (n > 1 && !jerry_value_is_number(a[1])) return type_error("\"%s\" argument must be a number", "count");
  uint32_t count = n > 1 ? (uint32_t)jerry_value_as_number(a[1]) : 1;
  int port = port_of(info->this_value);
  if (port < 0) return jerry_throw_sz(JERRY_ERROR_REFERENCE, "UART port is not initialized.");
  int ret = 0;
  if (jerry_value_is_typedarray(a[0]) && jerry_typedarray_type(a[0]) == JERRY_TYPEDARRAY_UINT8) {
    /* As Kaluma does: the whole ArrayBuffer behind the array goes out, whatever its offset and
     * length (a subarray sends the bytes around it too). */
    jerry_length_t off = 0, bl = 0;
    jerry_value_t ab = jerry_typedarray_buffer(a[0], &off, &bl);
    size_t len = jerry_arraybuffer_size(ab);
    const uint8_t *buf = jerry_arraybuffer_data(ab);
    for (uint32_t c = 0; c < count; c++) {
      if (port >= UART_NUM || !uarts[port].enabled) { ret = EDEVWRITE; break; }
      uart_out(port, buf, len);
      ret = (int)len;
    }
    jerry_value_free(ab);
  } else if (jerry_value_is_string(a[0])) {
    jerry_length_t len = jerry_string_length(a[0]);
    uint8_t *buf = malloc(len + 1);
    ascii_bytes(a[0], buf, len);
    for (uint32_t c = 0; c < count; c++) {
      if (port >= UART_NUM || !uarts[port].enabled) { ret = EDEVWRITE; break; }
      uart_out(port, buf, len);
      ret = (int)len;
    }
    free(buf);
  } else return jerry_throw_sz(JERRY_ERROR_TYPE, "The data argument must be Uint8Array or string.");
  if (ret < 0) return system_error(ret);
  return jerry_number(ret);
}

JSFN(uart_close_fn) {
  (void)a; (void)n;
  int port = port_of(info->this_value);
  if (port < 0) return jerry_throw_sz(JERRY_ERROR_REFERENCE, "UART port is not initialized.");
  if (port >= UART_NUM || !uarts[port].enabled) return system_error(EDEVINIT);
  uarts[port].enabled = 0;
  jerry_value_free(uarts[port].cb);
  jerry_value_t k = jerry_string_sz("port");
  jerry_value_free(jerry_object_delete(info->this_value, k));
  jerry_value_free(k);
  return jerry_undefined();
}

/* One 'data' event with what arrived, at most the read buffer's size (uart_read_cb). */
static void uart_deliver(int port, const uint8_t *buf, size_t len) {
  jerry_value_t ab = jerry_arraybuffer((jerry_length_t)len);
  jerry_arraybuffer_write(ab, 0, buf, (jerry_length_t)len);
  jerry_value_t arr = jerry_typedarray_with_buffer(JERRY_TYPEDARRAY_UINT8, ab);
  jerry_value_free(ab);
  jerry_value_t cb = jerry_value_copy(uarts[port].cb), this_val = jerry_undefined();
  jerry_value_t r = jerry_call(cb, this_val, &arr, 1);
  if (jerry_value_is_exception(r)) report_exception(r);
  jerry_value_free(r);
  jerry_value_free(cb);
  jerry_value_free(arr);
}

/* ---- storage (modules/storage/module_storage.c, storage.c, storage.h) -------------------------
 * Flash slots of one page (256 bytes): status, key length, value length, then key and value bytes
 * (CESU-8) back to back, at most 253. 64 slots on the Pico (KALUMA_STORAGE_SECTOR_COUNT sectors). A
 * replaced item's slot is marked removed; the JS half sweeps when no empty slot is left. */

#define SLOT_COUNT 64
#define SLOT_DATA_MAX 253
enum { SS_REMOVED = 0x00, SS_USE = 0xF0, SS_EMPTY = 0xFF };
typedef struct {
  uint8_t status, key_length, value_length;
  char buffer[SLOT_DATA_MAX];
} slot_t;
static slot_t slots[SLOT_COUNT];

static void storage_save(void) {
  if (!storage_file) return;
  FILE *f = fopen(storage_file, "wb");
  if (f) {
    fwrite(slots, sizeof slots, 1, f);
    fclose(f);
  }
}
static void storage_load(void) {
  memset(slots, 0xFF, sizeof slots);
  if (!storage_file) return;
  FILE *f = fopen(storage_file, "rb");
  if (f) {
    if (fread(slots, sizeof slots, 1, f) != 1) memset(slots, 0xFF, sizeof slots);
    fclose(f);
  }
}
/* As storage.c's slot_find: the first used slot whose bytes start with the key (strncmp over the
 * key's length), so a key that is a prefix of another item's key + value finds that item. */
static int slot_find(const char *key) {
  size_t len = strlen(key);
  for (int i = 0; i < SLOT_COUNT; i++)
    if (slots[i].status == SS_USE && strncmp(slots[i].buffer, key, len) == 0) return i;
  return -1;
}
JSFN(storage_set_item_fn) {
  (void)info;
  CHECK_STRING(0, "key");
  CHECK_STRING(1, "value");
  char *key = cesu8_of(a[0], NULL), *value = cesu8_of(a[1], NULL);
  size_t kl = strlen(key), vl = strlen(value);
  int ret = 0;
  if (kl + vl > SLOT_DATA_MAX) ret = ESTGSIZE;
  else {
    int old = slot_find(key);
    if (old >= 0) slots[old].status = SS_REMOVED;
    int slot = -1;
    for (int i = 0; i < SLOT_COUNT; i++)
      if (slots[i].status == SS_EMPTY) { slot = i; break; }
    if (slot < 0) ret = ESTGFULL;
    else {
      memcpy(slots[slot].buffer, key, kl);
      memcpy(slots[slot].buffer + kl, value, vl);
      if (kl + vl < SLOT_DATA_MAX) memset(slots[slot].buffer + kl + vl, 0xFF, SLOT_DATA_MAX - kl - vl);
      slots[slot].status = SS_USE;
      slots[slot].key_length = (uint8_t)kl;
      slots[slot].value_length = (uint8_t)vl;
    }
    storage_save();
  }
  free(key);
  free(value);
  if (ret < 0) return system_error(ret);
  return jerry_undefined();
}
JSFN(storage_get_item_fn) {
  (void)info;
  CHECK_STRING(0, "key");
  char *key = cesu8_of(a[0], NULL);
  int slot = slot_find(key);
  free(key);
  if (slot < 0) return jerry_null();
  return jerry_string((const jerry_char_t *)slots[slot].buffer + slots[slot].key_length, slots[slot].value_length, JERRY_ENCODING_CESU8);
}
JSFN(storage_remove_item_fn) {
  (void)info;
  CHECK_STRING(0, "key");
  char *key = cesu8_of(a[0], NULL);
  int slot = slot_find(key);
  free(key);
  if (slot >= 0) {
    slots[slot].status = SS_REMOVED;
    storage_save();
  }
  return jerry_undefined();
}
JSFN(storage_clear_fn) {
  (void)info; (void)a; (void)n;
  memset(slots, 0xFF, sizeof slots);
  storage_save();
  return jerry_undefined();
}
JSFN(storage_length_fn) {
  (void)info; (void)a; (void)n;
  int c = 0;
  for (int i = 0; i < SLOT_COUNT; i++) c += slots[i].status == SS_USE;
  return jerry_number(c);
}
JSFN(storage_key_fn) {
  (void)info;
  CHECK_NUMBER(0, "index");
  int index = (int)jerry_value_as_number(a[0]), pos = 0;
  for (int i = 0; i < SLOT_COUNT; i++) {
    if (slots[i].status != SS_USE) continue;
    if (pos++ == index) return jerry_string((const jerry_char_t *)slots[i].buffer, slots[i].key_length, JERRY_ENCODING_CESU8);
  }
  return jerry_null();
}

/* ---- runner hooks for the prelude -------------------------------------------------------------- */

static jerry_value_t make_natives(void) {
  jerry_value_t natives = jerry_object();
  jerry_value_t uart = jerry_object(), ctor = jerry_function_external(uart_ctor_fn), proto = jerry_object();
  set_fn(proto, "write", uart_write_fn);
  set_fn(proto, "close", uart_close_fn);
  jerry_value_free(jerry_object_set_sz(ctor, "prototype", proto));
  jerry_value_free(jerry_object_set_sz(uart, "UART", ctor));
  set_num(uart, "PARITY_NONE", 0);
  set_num(uart, "PARITY_ODD", 1);
  set_num(uart, "PARITY_EVEN", 2);
  set_num(uart, "FLOW_NONE", 0);
  set_num(uart, "FLOW_RTS", 1);
  set_num(uart, "FLOW_CTS", 2);
  set_num(uart, "FLOW_RTS_CTS", 3);
  jerry_value_free(jerry_object_set_sz(natives, "uart", uart));
  jerry_value_free(proto);
  jerry_value_free(ctor);
  jerry_value_free(uart);

  jerry_value_t storage = jerry_object();
  set_fn(storage, "setItem", storage_set_item_fn);
  set_fn(storage, "getItem", storage_get_item_fn);
  set_fn(storage, "removeItem", storage_remove_item_fn);
  set_fn(storage, "clear", storage_clear_fn);
  set_fn(storage, "key", storage_key_fn);
  set_fn(storage, "length", storage_length_fn);
  jerry_value_free(jerry_object_set_sz(natives, "storage", storage));
  jerry_value_free(storage);
  return natives;
}

static void define_text_class(jerry_value_t global, const char *name, const char *method, jerry_external_handler_t fn) {
  jerry_value_t ctor = jerry_function_external(text_ctor_fn), proto = jerry_object();
  set_fn(proto, method, fn);
  jerry_value_free(jerry_object_set_sz(ctor, "prototype", proto));
  jerry_value_free(jerry_object_set_sz(global, name, ctor));
  jerry_value_free(proto);
  jerry_value_free(ctor);
}

static void register_globals(void) {
  jerry_value_t g = jerry_current_realm();
  jerry_value_free(jerry_object_set_sz(g, "global", g));
  set_fn(g, "setTimeout", set_timeout_fn);
  set_fn(g, "setInterval", set_interval_fn);
  set_fn(g, "clearTimeout", clear_timer_fn);
  set_fn(g, "clearInterval", clear_timer_fn);
  set_fn(g, "delay", delay_fn);
  set_fn(g, "millis", millis_fn);
  set_fn(g, "micros", micros_fn);
  set_fn(g, "analogRead", analog_read_fn);
  set_fn(g, "print", print_fn);
  /* --opt uri=jerryscript keeps the engine's own functions (to compare; no board has that). */
  if (!opt("uri") || strcmp(opt("uri"), "jerryscript") != 0) {
    set_fn(g, "encodeURIComponent", encode_uri_component_fn);
    set_fn(g, "decodeURIComponent", decode_uri_component_fn);
  }
  /* --opt plain=1 leaves them out: plain JerryScript has neither (to compare; no board has that). */
  if (!opt("plain")) {
    define_text_class(g, "TextEncoder", "encode", text_encode_fn);
    define_text_class(g, "TextDecoder", "decode", text_decode_fn);
  }
  jerry_value_t console = jerry_object();
  set_fn(console, "log", console_log_fn);
  set_fn(console, "error", console_error_fn);
  jerry_value_free(jerry_object_set_sz(g, "console", console));
  jerry_value_free(console);
  jerry_value_t process = jerry_object();
  jerry_value_t s;
  s = jerry_string_sz("arm"); jerry_value_free(jerry_object_set_sz(process, "arch", s)); jerry_value_free(s);
  s = jerry_string_sz("rp2"); jerry_value_free(jerry_object_set_sz(process, "platform", s)); jerry_value_free(s);
  s = jerry_string_sz(opt("version") ? opt("version") : "1.1.0");
  jerry_value_free(jerry_object_set_sz(process, "version", s));
  jerry_value_free(s);
  set_fn(process, "memoryUsage", memory_usage_fn);
  jerry_value_free(jerry_object_set_sz(g, "process", process));
  jerry_value_free(process);
  jerry_value_free(g);
}

/* ---- main -------------------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return buf;
}

/* Parses and runs a script; an exception is reported and returned as false. */
static int run_script(const char *path, const char *tag) {
  size_t size;
  char *src = read_file(path, &size);
  if (!src) {
    fprintf(stderr, "@@error \"cannot read %s\"\n", path);
    return 0;
  }
  jerry_parse_options_t po;
  memset(&po, 0, sizeof po);
  po.options = JERRY_PARSE_HAS_SOURCE_NAME;
  po.source_name = jerry_string_sz(path);
  jerry_value_t code = jerry_parse((const jerry_char_t *)src, size, &po);
  jerry_value_free(po.source_name);
  free(src);
  jerry_value_t r = jerry_value_is_exception(code) ? jerry_value_copy(code) : jerry_run(code);
  jerry_value_free(code);
  int ok = !jerry_value_is_exception(r);
  if (!ok) {
    jerry_value_t v = jerry_exception_value(r, false);
    report_value(tag, v);
    jerry_value_free(v);
  }
  jerry_value_free(r);
  return ok;
}

static void control_command(const char *line) {
  if (strcmp(line, "gc") == 0) {
    jerry_heap_gc(JERRY_GC_PRESSURE_HIGH);
    report_heap("heap");
  } else if (strcmp(line, "heap") == 0) report_heap("heap");
}

static void open_pty(void) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
    fprintf(stderr, "@@error \"no pseudo-terminal: %s\"\n", strerror(errno));
    exit(5);
  }
  const char *name = ptsname(m);
  /* Raw on the device side, as a UART is: no echo, no line editing, no CR/LF changes. Opening the
   * slave once keeps the pty alive until a host program opens it. */
  int s = open(name, O_RDWR | O_NOCTTY);
  struct termios t;
  if (s >= 0 && tcgetattr(s, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
  }
  in_fd = out_fd = m;
  fprintf(stderr, "@@pty \"%s\"\n", name);
  fflush(stderr);
}

int main(int argc, char **argv) {
  const char *prelude = NULL, *bundle = NULL;
  int use_pty = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--pty") == 0) use_pty = 1;
    else if (strcmp(argv[i], "--link") == 0 && i + 1 < argc) link_port = atoi(argv[++i]);
    else if (strcmp(argv[i], "--control-fd") == 0 && i + 1 < argc) control_fd = atoi(argv[++i]);
    else if (strcmp(argv[i], "--storage") == 0 && i + 1 < argc) storage_file = argv[++i];
    else if (strcmp(argv[i], "--prelude") == 0 && i + 1 < argc) prelude = argv[++i];
    else if (strcmp(argv[i], "--opt") == 0 && i + 1 < argc && opt_count < MAX_OPTS) {
      char *kv = argv[++i], *eq = strchr(kv, '=');
      if (!eq) continue;
      *eq = '\0';
      opt_keys[opt_count] = kv;
      opt_vals[opt_count++] = eq + 1;
    } else if (argv[i][0] != '-' && !bundle) bundle = argv[i];
    else {
      bundle = NULL;
      break;
    }
  }
  if (!bundle || !prelude) {
    fprintf(stderr, "usage: jerry-kaluma [--pty] [--link PORT] [--control-fd FD] [--storage FILE] [--opt KEY=VALUE]... --prelude kaluma-prelude.js bundle.js\n");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &boot);
  if (use_pty) open_pty();
  fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  storage_load();

  jerry_init(JERRY_INIT_EMPTY);
  register_globals();
  jerry_value_t g = jerry_current_realm(), natives = make_natives();
  jerry_value_free(jerry_object_set_sz(g, "__natives", natives));
  jerry_value_free(natives);
  jerry_value_free(g);
  if (!run_script(prelude, "error")) return 3;
  jerry_heap_gc(JERRY_GC_PRESSURE_HIGH);
  report_heap("ready");
  if (!run_script(bundle, "error")) {
    report_heap("exit");
    return 2;
  }
  jerry_heap_gc(JERRY_GC_PRESSURE_HIGH);
  report_heap("started");

  /* Kaluma's loop (io.c km_io_run): timers, then whatever the UART has, forever. */
  uint8_t *buf = malloc(65536);
  char ctl[256];
  size_t ctl_len = 0;
  int input_open = 1;
  for (;;) {
    double next = run_timers();
    struct pollfd pf[2];
    int nf = 0;
    if (input_open) pf[nf++] = (struct pollfd){in_fd, POLLIN, 0};
    if (control_fd >= 0) pf[nf++] = (struct pollfd){control_fd, POLLIN, 0};
    if (nf == 0 && next < 0) break;
    int wait = next < 0 ? -1 : (int)(next + 0.999);
    if (poll(pf, (nfds_t)nf, wait) < 0 && errno != EINTR) break;
    for (int i = 0; i < nf; i++) {
      if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (pf[i].fd == in_fd && input_open) {
        int open_ = link_port < UART_NUM && uarts[link_port].enabled;
        size_t want = open_ ? uarts[link_port].buffer_size : 65536;
        if (want > 65536) want = 65536;
        if (want == 0) want = 1;
        ssize_t r = read(in_fd, buf, want);
        if (r > 0) {
          if (open_) uart_deliver(link_port, buf, (size_t)r);
          else fprintf(stderr, "@@lost %ld\n", (long)r); /* nothing listens on the UART: gone */
        } else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
          if (!use_pty) input_open = 0; /* stdin closed: the host is done */
        }
      } else if (pf[i].fd == control_fd) {
        ssize_t r = read(control_fd, ctl + ctl_len, sizeof ctl - 1 - ctl_len);
        if (r <= 0) {
          control_fd = -1;
          continue;
        }
        ctl_len += (size_t)r;
        char *nl;
        while ((nl = memchr(ctl, '\n', ctl_len))) {
          *nl = '\0';
          control_command(ctl);
          ctl_len -= (size_t)(nl + 1 - ctl);
          memmove(ctl, nl + 1, ctl_len);
        }
        if (ctl_len == sizeof ctl - 1) ctl_len = 0;
      }
    }
    if (!input_open && !use_pty) break;
  }
  report_heap("exit");
  return 0;
}
