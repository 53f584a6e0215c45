/* JerryScript's port (jerryscript-port.h) for the board: time from the board clock, output to the
 * console UART, no file system or modules. jerry_port_fatal is in engine.c (it abandons the heap). */
#include <stdlib.h>
#include "clock.h"
#include "console.h"
#include "jerryscript-port.h"

void jerry_port_init(void) {}

void jerry_port_sleep(uint32_t sleep_time) {
  uint64_t until = clock_millis() + sleep_time;
  while (clock_millis() < until) {
  }
}

void jerry_port_log(const char *message_p) { con_printf("%s", message_p); }

void jerry_port_print_buffer(const jerry_char_t *buffer_p, jerry_size_t buffer_size) { con_write((const char *)buffer_p, buffer_size); }

jerry_char_t *jerry_port_line_read(jerry_size_t *out_size_p) {
  *out_size_p = 0;
  return NULL;
}

void jerry_port_line_free(jerry_char_t *buffer_p) { (void)buffer_p; }

/* No file system: module specifiers resolve to nothing, and loading one fails (bundles are one script). */
jerry_char_t *jerry_port_path_normalize(const jerry_char_t *path_p, jerry_size_t path_size) {
  (void)path_p, (void)path_size;
  return NULL;
}

void jerry_port_path_free(jerry_char_t *path_p) { (void)path_p; }

jerry_size_t jerry_port_path_base(const jerry_char_t *path_p) {
  (void)path_p;
  return 0;
}

jerry_char_t *jerry_port_source_read(const char *file_name_p, jerry_size_t *out_size_p) {
  (void)file_name_p;
  *out_size_p = 0;
  return NULL;
}

void jerry_port_source_free(jerry_char_t *buffer_p) { (void)buffer_p; }

/* There is no wall clock: Date.now() is milliseconds since boot, and local time is UTC (as on Duktape's image). */
int32_t jerry_port_local_tza(double unix_ms) {
  (void)unix_ms;
  return 0;
}

double jerry_port_current_time(void) { return (double)clock_millis(); }
