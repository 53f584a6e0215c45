/* What the files of jerry-kaluma share (kaluma-runner.c: options, reports, timers, the loop;
 * kaluma-text.c: TextEncoder/TextDecoder and Kaluma's URI functions; kaluma-io.c: UART and storage;
 * kaluma-uart-rx.c: how received bytes reach the UART's 'data' event). */
#ifndef KALUMA_H
#define KALUMA_H
#include <stddef.h>
#include <stdint.h>

#include "jerryscript.h"

extern int link_port, out_fd;
extern const char *storage_file;

const char *opt(const char *key);
double now_ms(void);
void write_all(int fd, const uint8_t *p, size_t n);
void report_exception(jerry_value_t ex);
jerry_value_t type_error(const char *fmt, const char *arg);
void set_fn(jerry_value_t obj, const char *name, jerry_external_handler_t fn);
void set_num(jerry_value_t obj, const char *name, double v);
double get_num(jerry_value_t obj, const char *name, double dflt);
char *cesu8_of(jerry_value_t s, jerry_size_t *size);
jerry_value_t system_error(int err);

/* kaluma-text.c */
void ascii_bytes(jerry_value_t s, uint8_t *out, jerry_length_t len);
void kaluma_text_register(jerry_value_t global);

/* kaluma-io.c */
#define UART_NUM 2
jerry_value_t kaluma_uart_module(void);
jerry_value_t kaluma_storage_module(void);
void storage_load(void);
void kaluma_uart_deliver(int port, const uint8_t *buf, size_t len);

/* kaluma-uart-rx.c: the link port's receive path (wire pace, the interrupt's ring buffer, the loop's read) */
void rx_start(int fd, int is_pty);
int rx_notify_fd(void);
int rx_open(int port, uint32_t size, double bits_per_byte, double baud);
void rx_close(int port);
void rx_pump(double now);
void rx_run(void);
double rx_next_ms(double now);
int rx_ended(void);

/* As Kaluma's jerryxx.h checks arguments. */
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

/* include/err.h */
#define EINVPIN -140
#define ESTGFULL -142
#define ESTGNOKEY -143
#define ESTGSIZE -144
#define EDEVINIT -145
#define EDEVWRITE -147
#endif
