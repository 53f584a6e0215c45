/* jerry-kaluma: how received bytes reach a UART's 'data' event on a Pico running Kaluma, so that a
 * burst the board cannot take loses the bytes a board would lose.
 *
 * From Kaluma's docs (https://kalumajs.org/docs/api/uart, kept in niklauslee/kaluma-docs-backup as
 * api-reference/uart.md: option `bufferSize`, "the size of internal read buffer") and sources
 * (kaluma-project/kaluma; the default 2048 is src/modules/uart/module_uart.c UART_DEFAULT_BUFFERSIZE):
 * - targets/rp2/src/uart.c km_uart_setup mallocs a read buffer of `bufferSize` bytes (none: EDEVINIT)
 *   and makes it a ring (include/ringbuffer.h); the RX interrupt (__uart_fill_ringbuffer) puts every
 *   byte the UART got into the ring with ringbuffer_write, whatever JavaScript is doing.
 * - src/ringbuffer.c ringbuffer_write does not look for room: it writes and moves w_ptr on, over unread
 *   bytes. ringbuffer_length is (w_ptr - r_ptr) mod size, so a ring shows at most size - 1 bytes, and n
 *   bytes written since the last read show as n mod size: the last n mod size bytes come out, the
 *   others are lost (n = size shows as empty).
 * - src/io.c km_io_uart_run, once per turn of the loop (after the timers): everything the ring shows is
 *   read and given to one 'data' callback (module_uart.c uart_read_cb). A callback that runs long keeps
 *   the loop from reading while the interrupt goes on filling the ring.
 * Here a reader thread takes the host's bytes as they come and stamps them; they reach the ring at the
 * UART's pace (start, data, parity and stop bits at the baud rate) from the moment the host wrote them,
 * as if sent by a host's UART. Bytes that come before the port is opened are lost (the pins are not the
 * UART's yet). Not modelled: the RP2040's 32-byte hardware FIFO (the interrupt empties it long before it
 * fills), a malloc that fails on the Pico for a large bufferSize (the host has the memory). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kaluma.h"

/* What the reader thread holds before the wire takes it: enough for a host that writes ahead of the
 * baud rate; past it the thread stops reading and the pipe or pty pushes back. */
#define QUEUE_MAX (1 << 20)
#define DEFAULT_BYTE_MS (10 * 1000.0 / 115200)

typedef struct chunk {
  struct chunk *next;
  double at; /* when the host's bytes came (ms since boot) */
  size_t len, done;
  uint8_t bytes[];
} chunk_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static chunk_t *head, *tail;
static size_t queued;
static int input_ended;
static int notify_pipe[2] = {-1, -1};
static int rx_fd, rx_is_pty;
/* When the last byte taken off the wire had arrived. */
static double wire_clock;

static struct {
  uint8_t *buf; /* NULL: the port is closed */
  uint32_t size, r, w;
  double byte_ms;
  unsigned long long since_read; /* bytes the interrupt wrote since the loop last read */
} rings[UART_NUM];

static void *reader(void *arg) {
  (void)arg;
  uint8_t buf[4096];
  for (;;) {
    pthread_mutex_lock(&lock);
    int full = queued >= QUEUE_MAX;
    pthread_mutex_unlock(&lock);
    if (full) {
      usleep(1000);
      continue;
    }
    struct pollfd pf = {rx_fd, POLLIN, 0};
    if (poll(&pf, 1, 100) <= 0) continue;
    ssize_t r = read(rx_fd, buf, sizeof buf);
    if (r > 0) {
      chunk_t *c = malloc(sizeof(chunk_t) + (size_t)r);
      c->next = NULL;
      c->at = now_ms();
      c->len = (size_t)r;
      c->done = 0;
      memcpy(c->bytes, buf, (size_t)r);
      pthread_mutex_lock(&lock);
      if (tail) tail->next = c;
      else head = c;
      tail = c;
      queued += (size_t)r;
      pthread_mutex_unlock(&lock);
    } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    else if (rx_is_pty) {
      usleep(10000); /* no host on the pty now (EIO): one may open it later */
      continue;
    } else {
      pthread_mutex_lock(&lock);
      input_ended = 1;
      pthread_mutex_unlock(&lock);
    }
    if (write(notify_pipe[1], "", 1) < 0) { /* full: the loop is woken already */ }
    if (input_ended) return NULL;
  }
}

void rx_start(int fd, int is_pty) {
  rx_fd = fd;
  rx_is_pty = is_pty;
  if (pipe(notify_pipe) < 0) {
    fprintf(stderr, "@@error \"pipe: %s\"\n", strerror(errno));
    exit(5);
  }
  fcntl(notify_pipe[0], F_SETFL, fcntl(notify_pipe[0], F_GETFL) | O_NONBLOCK);
  fcntl(notify_pipe[1], F_SETFL, fcntl(notify_pipe[1], F_GETFL) | O_NONBLOCK);
  pthread_t t;
  if (pthread_create(&t, NULL, reader, NULL) != 0) {
    fprintf(stderr, "@@error \"no reader thread\"\n");
    exit(5);
  }
  pthread_detach(t);
}

int rx_notify_fd(void) {
  return notify_pipe[0];
}

static double byte_ms(void) {
  return link_port >= 0 && link_port < UART_NUM && rings[link_port].buf ? rings[link_port].byte_ms : DEFAULT_BYTE_MS;
}

/* __uart_fill_ringbuffer: each byte into the ring, over unread ones when it is full. */
static void isr_write(const uint8_t *p, size_t n) {
  if (link_port < 0 || link_port >= UART_NUM || !rings[link_port].buf) {
    fprintf(stderr, "@@lost %lu\n", (unsigned long)n); /* the link port is not open: nothing receives */
    return;
  }
  uint32_t w = rings[link_port].w, size = rings[link_port].size;
  for (size_t k = 0; k < n; k++) {
    rings[link_port].buf[w] = p[k];
    w = (w + 1) % size;
  }
  rings[link_port].w = w;
  rings[link_port].since_read += n;
}

void rx_pump(double now) {
  double bt = byte_ms();
  pthread_mutex_lock(&lock);
  while (head) {
    chunk_t *c = head;
    double t0 = wire_clock > c->at ? wire_clock : c->at;
    if (t0 + bt > now) break;
    size_t n = (size_t)((now - t0) / bt);
    if (n > c->len - c->done) n = c->len - c->done;
    isr_write(c->bytes + c->done, n);
    c->done += n;
    queued -= n;
    wire_clock = t0 + (double)n * bt;
    if (c->done < c->len) break;
    head = c->next;
    if (!head) tail = NULL;
    free(c);
  }
  pthread_mutex_unlock(&lock);
  uint8_t drain[64];
  while (read(notify_pipe[0], drain, sizeof drain) > 0) {
  }
}

double rx_next_ms(double now) {
  double next = -1;
  pthread_mutex_lock(&lock);
  if (head) {
    double t0 = wire_clock > head->at ? wire_clock : head->at;
    next = t0 + byte_ms() - now;
    if (next < 0) next = 0;
  }
  pthread_mutex_unlock(&lock);
  return next;
}

int rx_ended(void) {
  pthread_mutex_lock(&lock);
  int ended = input_ended && !head;
  pthread_mutex_unlock(&lock);
  return ended;
}

/* km_io_uart_run with uart_available_cb and km_uart_read: what the ring shows, in one 'data' event. */
void rx_run(void) {
  if (link_port < 0 || link_port >= UART_NUM || !rings[link_port].buf) return;
  uint32_t r = rings[link_port].r, w = rings[link_port].w, size = rings[link_port].size;
  uint32_t len = r <= w ? w - r : w - r + size;
  unsigned long long written = rings[link_port].since_read;
  rings[link_port].since_read = 0;
  if (written > len) {
    fprintf(stderr, "@@overrun {\"port\":%d,\"received\":%llu,\"lost\":%llu,\"kept\":%u}\n", link_port, written, written - len, len);
    fflush(stderr);
  }
  if (len == 0) return;
  uint8_t *out = malloc(len);
  for (uint32_t k = 0; k < len; k++) {
    out[k] = rings[link_port].buf[r];
    r = (r + 1) % size;
  }
  rings[link_port].r = r;
  kaluma_uart_deliver(link_port, out, len);
  free(out);
}

int rx_open(int port, uint32_t size, double bits_per_byte, double baud) {
  if (link_port == port) rx_pump(now_ms()); /* what came before it opened is lost */
  if (size == 0) return EDEVINIT; /* a ring of 0 bytes: Kaluma's % size would divide by zero */
  uint8_t *buf = malloc(size);
  if (!buf) return EDEVINIT;
  rings[port].buf = buf;
  rings[port].size = size;
  rings[port].r = rings[port].w = 0;
  rings[port].since_read = 0;
  rings[port].byte_ms = bits_per_byte * 1000.0 / (baud > 0 ? baud : 115200);
  return 0;
}

void rx_close(int port) {
  free(rings[port].buf);
  rings[port].buf = NULL;
}
