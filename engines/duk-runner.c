/* Host Duktape runner: runs a device bundle unmodified under an engine "personality" (a faithful mock of
 * the objects Espruino, Kaluma or the sim firmware give a bundle), with the heap capped at the board's
 * RAM budget. Stream bytes in on stdin, the device's bytes out on stdout, logs and "@@" reports on stderr.
 *
 *   duk-runner --personality espruino|kaluma|sim [--heap-limit N | --heap-budget N] [--clock real|virtual]
 *              [--control-fd FD] [--opt KEY=VALUE]... [--max-frame N] [--chunk N] bundle.js
 *
 * --heap-limit caps the whole heap; --heap-budget caps what the bundle adds on top of the startup
 * baseline (engine built-ins plus personality), for boards whose built-ins live in flash.
 * Control commands (one per line on --control-fd): "tick MS" (virtual clock), "gc", "heap". */
#define _POSIX_C_SOURCE 200809L
#include "runner.h"
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef PERSONALITY_DIR
#define PERSONALITY_DIR "personalities"
#endif

runner_t R;

static double monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

double runner_now(void) {
  return R.virtual_clock ? R.virtual_now_ms : monotonic_ms() - R.clock_origin_ms;
}

void runner_output(const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(1, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) exit(EXIT_OK); /* the harness closed our stdout: nothing left to do */
    p += w;
    n -= (size_t)w;
  }
}

static void fatal_handler(void *udata, const char *msg) {
  char extra[4200];
  (void)udata;
  snprintf(extra, sizeof(extra), "\"message\":%s", json_string(msg));
  report(R.heap.refused ? "oom" : "fatal", extra);
  exit(R.heap.refused ? EXIT_OOM : EXIT_FATAL);
}

static void usage(const char *why) {
  fprintf(stderr, "duk-runner: %s\nusage: duk-runner --personality espruino|kaluma|sim [--heap-limit N | --heap-budget N]\n"
                  "  [--clock real|virtual] [--control-fd FD] [--opt KEY=VALUE]... [--max-frame N] [--chunk N] bundle.js\n", why);
  exit(EXIT_USAGE);
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (char *)malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
  fclose(f);
  buf[n] = 0;
  *len = (size_t)n;
  return buf;
}

/* Compiles and runs a file as a program; on failure reports and exits with `code`. */
static void run_file(const char *path, const char *tag, int code) {
  size_t len;
  char *src = read_file(path, &len);
  char extra[4600];
  if (!src) {
    snprintf(extra, sizeof(extra), "\"message\":%s", json_string("cannot read file"));
    snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ",\"file\":%s", json_string(path));
    report(tag, extra);
    exit(code);
  }
  duk_push_string(R.ctx, path);
  if (duk_pcompile_lstring_filename(R.ctx, 0, src, len) != 0 || duk_pcall(R.ctx, 0) != DUK_EXEC_SUCCESS) {
    free(src);
    exit_if_oom(R.ctx, path);
    snprintf(extra, sizeof(extra), "\"message\":%s", json_string(duk_safe_to_stacktrace(R.ctx, -1)));
    report(tag, extra);
    exit(code);
  }
  free(src);
  duk_pop(R.ctx);
}

static void run_due_timers(void) {
  /* One timer per call, so an error thrown by one is reported and the others still run. */
  int guard = 100000;
  while (guard-- > 0) {
    double ran = call_hook("__rt_timers", 0);
    if (!(ran == 1)) break;
  }
}

/* Hands stdin bytes to the personality: byte personalities get chunks, sim gets checked frames. */
static void deliver(const uint8_t *p, size_t n, size_t chunk) {
  if (strcmp(R.personality, "sim") == 0) {
    size_t i, len;
    for (i = 0; i < n; i++) {
      len = wire_acc_feed(&R.acc, p[i]);
      if (len) {
        push_bytes(R.ctx, R.acc.buf, len);
        call_hook("__rt_frame", 1);
      }
    }
    return;
  }
  while (n > 0) {
    size_t k = n < chunk ? n : chunk;
    push_bytes(R.ctx, p, k);
    call_hook("__rt_input", 1);
    p += k;
    n -= k;
  }
}

static void control_command(char *line) {
  if (strncmp(line, "tick ", 5) == 0) {
    double ms = atof(line + 5);
    if (ms > 0) R.virtual_now_ms += ms;
  } else if (strcmp(line, "gc") == 0) {
    duk_gc(R.ctx, 0);
    duk_gc(R.ctx, 0);
    report("heap", NULL);
  } else if (strcmp(line, "heap") == 0) {
    report("heap", NULL);
  } else {
    fprintf(stderr, "duk-runner: unknown control command '%s'\n", line);
  }
}

static void read_control(int fd, int *open) {
  static char line[256];
  static size_t have = 0;
  char buf[256];
  ssize_t n = read(fd, buf, sizeof(buf));
  ssize_t i;
  if (n <= 0) { *open = 0; return; }
  for (i = 0; i < n; i++) {
    if (buf[i] == '\n') {
      line[have] = 0;
      control_command(line);
      have = 0;
    } else if (have < sizeof(line) - 1) {
      line[have++] = buf[i];
    }
  }
}

int main(int argc, char **argv) {
  const char *bundle = NULL, *dir = PERSONALITY_DIR, *clock = "real";
  size_t heap_limit = 0, heap_budget = 0, chunk = 1024;
  int control_fd = -1, i;
  char path[4096];

  memset(&R, 0, sizeof(R));
  R.max_frame = 1024;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--personality") == 0 && v) { R.personality = v; i++; }
    else if (strcmp(a, "--personality-dir") == 0 && v) { dir = v; i++; }
    else if (strcmp(a, "--heap-limit") == 0 && v) { heap_limit = (size_t)strtoull(v, NULL, 10); i++; }
    else if (strcmp(a, "--heap-budget") == 0 && v) { heap_budget = (size_t)strtoull(v, NULL, 10); i++; }
    else if (strcmp(a, "--clock") == 0 && v) { clock = v; i++; }
    else if (strcmp(a, "--control-fd") == 0 && v) { control_fd = atoi(v); i++; }
    else if (strcmp(a, "--max-frame") == 0 && v) { R.max_frame = (size_t)strtoull(v, NULL, 10); i++; }
    else if (strcmp(a, "--chunk") == 0 && v) { chunk = (size_t)strtoull(v, NULL, 10); i++; }
    else if (strcmp(a, "--opt") == 0 && v) {
      char *eq = strchr(argv[i + 1], '=');
      if (!eq || R.opt_count == MAX_OPTS) usage("--opt takes KEY=VALUE (at most 32)");
      *eq = 0;
      R.opt_keys[R.opt_count] = argv[i + 1];
      R.opt_values[R.opt_count++] = eq + 1;
      i++;
    } else if (a[0] != '-' && !bundle) bundle = a;
    else usage("unknown or incomplete option");
  }
  if (!bundle) usage("no bundle given");
  if (!R.personality || (strcmp(R.personality, "espruino") && strcmp(R.personality, "kaluma") && strcmp(R.personality, "sim")))
    usage("--personality must be espruino, kaluma or sim");
  if (heap_limit && heap_budget) usage("give --heap-limit or --heap-budget, not both");
  if (strcmp(clock, "real") && strcmp(clock, "virtual")) usage("--clock must be real or virtual");
  if (chunk == 0) chunk = 1;
  if (R.max_frame < WIRE_HEADER_SIZE || R.max_frame > 1 << 20) usage("--max-frame out of range");
  R.virtual_clock = strcmp(clock, "virtual") == 0;
  R.clock_origin_ms = monotonic_ms();
  signal(SIGPIPE, SIG_IGN);

  /* The firmware's buffers, as sim/firmware sizes them: header + payload + CRC in, worst case out. */
  R.acc_buf = (uint8_t *)malloc(R.max_frame + WIRE_CRC_SIZE);
  R.enc_cap = WIRE_STREAM_MAX(R.max_frame);
  R.enc_buf = (uint8_t *)malloc(R.enc_cap);
  wire_acc_init(&R.acc, R.acc_buf, R.max_frame + WIRE_CRC_SIZE);

  R.ctx = duk_create_heap(cap_alloc, cap_realloc, cap_free, &R.heap, fatal_handler);
  if (!R.ctx) { report("fatal", "\"message\":\"duk_create_heap failed\""); return EXIT_FATAL; }
  natives_install(R.ctx);
  snprintf(path, sizeof(path), "%s/common.js", dir);
  run_file(path, "personality-error", EXIT_PERSONALITY);
  snprintf(path, sizeof(path), "%s/%s.js", dir, R.personality);
  run_file(path, "personality-error", EXIT_PERSONALITY);
  duk_gc(R.ctx, 0);
  R.heap.baseline = R.heap.used;
  R.heap.limit = heap_limit ? heap_limit : heap_budget ? R.heap.baseline + heap_budget : 0;
  if (R.heap.limit && R.heap.limit < R.heap.used) {
    report("oom", "\"message\":\"the heap limit is below what the engine needs to start\"");
    return EXIT_OOM;
  }
  report("ready", NULL);

  run_file(bundle, "error", EXIT_USAGE);
  duk_gc(R.ctx, 0);
  duk_gc(R.ctx, 0);
  report("started", NULL);

  {
    int in_open = 1, ctl_open = control_fd >= 0;
    uint8_t buf[4096];
    for (;;) {
      struct pollfd fds[2];
      int nfds = 0, timeout = -1, in_at = -1, ctl_at = -1;
      double next;
      run_due_timers();
      report_heap_if_changed();
      if (!in_open) break; /* the host hung up: the device has no one left to talk to */
      next = call_hook("__rt_next", 0);
      if (!R.virtual_clock && next >= 0) {
        double wait = next - runner_now();
        timeout = wait <= 0 ? 0 : (int)ceil(wait);
      }
      in_at = nfds;
      fds[nfds].fd = 0;
      fds[nfds++].events = POLLIN;
      if (ctl_open) {
        ctl_at = nfds;
        fds[nfds].fd = control_fd;
        fds[nfds++].events = POLLIN;
      }
      if (poll(fds, (nfds_t)nfds, timeout) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (ctl_at >= 0 && (fds[ctl_at].revents & (POLLIN | POLLHUP))) read_control(control_fd, &ctl_open);
      if (fds[in_at].revents & (POLLIN | POLLHUP)) {
        ssize_t n = read(0, buf, sizeof(buf));
        if (n > 0) deliver(buf, (size_t)n, chunk);
        else if (n == 0 || errno != EINTR) in_open = 0;
      }
    }
  }
  report("exit", NULL);
  duk_destroy_heap(R.ctx);
  return EXIT_OK;
}
