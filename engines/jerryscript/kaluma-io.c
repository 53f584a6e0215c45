/* jerry-kaluma: the native halves of Kaluma's uart and storage modules (src/modules/uart/module_uart.c,
 * targets/rp2/src/uart.c; src/modules/storage/module_storage.c, storage.c, storage.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaluma.h"

/* ---- UART (modules/uart/module_uart.c, targets/rp2/src/uart.c) -------------------------------- */

static struct {
  int enabled;
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
  /* The read buffer: a ring the RX interrupt fills (kaluma-uart-rx.c); a byte is start + data + parity + stop bits. */
  double frame_bits = 1 + (uint32_t)bits + ((uint32_t)parity ? 1 : 0) + (uint32_t)stop;
  if (rx_open(port, (uint32_t)bufsize, frame_bits, (uint32_t)baud) < 0) return system_error(EDEVINIT);
  uarts[port].enabled = 1;
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
  rx_close(port);
  jerry_value_free(uarts[port].cb);
  jerry_value_t k = jerry_string_sz("port");
  jerry_value_free(jerry_object_delete(info->this_value, k));
  jerry_value_free(k);
  return jerry_undefined();
}

/* One 'data' event with what the read buffer showed (uart_read_cb). */
void kaluma_uart_deliver(int port, const uint8_t *buf, size_t len) {
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
void storage_load(void) {
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


jerry_value_t kaluma_uart_module(void) {
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
  jerry_value_free(proto);
  jerry_value_free(ctor);
  return uart;
}

jerry_value_t kaluma_storage_module(void) {
  jerry_value_t storage = jerry_object();
  set_fn(storage, "setItem", storage_set_item_fn);
  set_fn(storage, "getItem", storage_get_item_fn);
  set_fn(storage, "removeItem", storage_remove_item_fn);
  set_fn(storage, "clear", storage_clear_fn);
  set_fn(storage, "key", storage_key_fn);
  set_fn(storage, "length", storage_length_fn);
  return storage;
}
