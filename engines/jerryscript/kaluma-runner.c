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

#include "kaluma.h"

/* ---- options and clock ---------------------------------------------------------------------- */

#define MAX_OPTS 32
static const char *opt_keys[MAX_OPTS], *opt_vals[MAX_OPTS];
static int opt_count;
int link_port = 0;
int out_fd = 1;
static int in_fd = 0, control_fd = -1;
const char *storage_file;
static struct timespec boot;

const char *opt(const char *key) {
  for (int i = 0; i < opt_count; i++)
    if (strcmp(opt_keys[i], key) == 0) return opt_vals[i];
  return NULL;
}

/* Kaluma's millis(): milliseconds since boot. */
double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - boot.tv_sec) * 1000.0 + (double)(t.tv_nsec - boot.tv_nsec) / 1e6;
}

void write_all(int fd, const uint8_t *p, size_t n) {
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
void report_exception(jerry_value_t ex) {
  jerry_value_t v = jerry_exception_value(ex, false);
  report_value("uncaught", v);
  jerry_value_free(v);
}

/* ---- helpers as Kaluma's jerryxx.h has them --------------------------------------------------- */

jerry_value_t type_error(const char *fmt, const char *arg) {
  char msg[255];
  snprintf(msg, sizeof msg, fmt, arg);
  return jerry_throw_sz(JERRY_ERROR_TYPE, msg);
}

void set_fn(jerry_value_t obj, const char *name, jerry_external_handler_t fn) {
  jerry_value_t f = jerry_function_external(fn);
  jerry_value_free(jerry_object_set_sz(obj, name, f));
  jerry_value_free(f);
}
void set_num(jerry_value_t obj, const char *name, double v) {
  jerry_value_t x = jerry_number(v);
  jerry_value_free(jerry_object_set_sz(obj, name, x));
  jerry_value_free(x);
}
double get_num(jerry_value_t obj, const char *name, double dflt) {
  jerry_value_t x = jerry_object_get_sz(obj, name);
  double v = jerry_value_is_number(x) ? jerry_value_as_number(x) : dflt;
  jerry_value_free(x);
  return v;
}

/* A string argument as Kaluma's JERRYXX_GET_ARG_STRING_AS_CHAR gives it: CESU-8 bytes, NUL-ended. */
char *cesu8_of(jerry_value_t s, jerry_size_t *size) {
  jerry_size_t sz = jerry_string_size(s, JERRY_ENCODING_CESU8);
  char *buf = malloc(sz + 1);
  jerry_string_to_buffer(s, JERRY_ENCODING_CESU8, (jerry_char_t *)buf, sz);
  buf[sz] = '\0';
  if (size) *size = sz;
  return buf;
}

/* Kaluma's SystemError (global.c / err.c): a constructor taking a negative errno. */
jerry_value_t system_error(int err) {
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

/* ---- runner hooks for the prelude -------------------------------------------------------------- */

static jerry_value_t make_natives(void) {
  jerry_value_t natives = jerry_object(), uart = kaluma_uart_module(), storage = kaluma_storage_module();
  jerry_value_free(jerry_object_set_sz(natives, "uart", uart));
  jerry_value_free(jerry_object_set_sz(natives, "storage", storage));
  jerry_value_free(uart);
  jerry_value_free(storage);
  return natives;
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
  kaluma_text_register(g);
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
  rx_start(in_fd, use_pty);
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

  /* Kaluma's loop (io.c km_io_run): timers, then whatever the UART's read buffer shows, forever. The
   * link's bytes come in through kaluma-uart-rx.c (a reader thread, the wire's pace, the ring). */
  char ctl[256];
  size_t ctl_len = 0;
  for (;;) {
    double next = run_timers();
    double wire = rx_next_ms(now_ms());
    if (wire >= 0 && (next < 0 || wire < next)) next = wire;
    struct pollfd pf[2];
    int nf = 0;
    pf[nf++] = (struct pollfd){rx_notify_fd(), POLLIN, 0};
    if (control_fd >= 0) pf[nf++] = (struct pollfd){control_fd, POLLIN, 0};
    int wait = next < 0 ? -1 : (int)(next + 0.999);
    if (poll(pf, (nfds_t)nf, wait) < 0 && errno != EINTR) break;
    if (control_fd >= 0 && (pf[nf - 1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = read(control_fd, ctl + ctl_len, sizeof ctl - 1 - ctl_len);
      if (r <= 0) control_fd = -1;
      else {
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
    rx_pump(now_ms());
    rx_run();
    if (!use_pty && rx_ended()) break; /* stdin closed and all of it taken: the host is done */
  }
  report_heap("exit");
  return 0;
}
