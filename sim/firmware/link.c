#include "link.h"
#include <string.h>
#include "uart.h"

static uint8_t rx_buf[CELL_MAX_FRAME + WIRE_CRC_SIZE];
static wire_acc_t acc;
static uint8_t tx_frame[CELL_MAX_FRAME];
static uint8_t tx_stream[WIRE_STREAM_MAX(CELL_MAX_FRAME)];

void link_init(void) { wire_acc_init(&acc, rx_buf, sizeof rx_buf); }

size_t link_poll(const uint8_t **frame) {
  int b;
  while ((b = uart0_read()) >= 0) {
    size_t n = wire_acc_feed(&acc, (uint8_t)b);
    if (n) {
      *frame = rx_buf;
      return n;
    }
  }
  return 0;
}

int link_send(const uint8_t *frame, size_t len) {
  size_t n;
  if (len > CELL_MAX_FRAME) return 0;
  n = wire_stream_encode(frame, len, tx_stream, sizeof tx_stream);
  uart0_write(tx_stream, n);
  return n != 0;
}

uint8_t *link_payload_buffer(void) { return tx_frame + WIRE_HEADER_SIZE; }

/* `payload` may be link_payload_buffer() itself: then it is already in place. */
static void reply(const uint8_t *req, uint8_t kind, uint8_t codec, const uint8_t *payload, size_t n) {
  if (n > CELL_MAX_FRAME - WIRE_HEADER_SIZE) n = CELL_MAX_FRAME - WIRE_HEADER_SIZE;
  if (n && payload != tx_frame + WIRE_HEADER_SIZE) memmove(tx_frame + WIRE_HEADER_SIZE, payload, n);
  wire_put_header(tx_frame, kind, codec, wire_get_u32(req + WIRE_AT_CELL), wire_get_u32(req + WIRE_AT_METHOD),
                  wire_get_u32(req + WIRE_AT_REQUEST), (uint32_t)n);
  link_send(tx_frame, WIRE_HEADER_SIZE + n);
}

void link_respond(const uint8_t *req, uint8_t codec, const uint8_t *payload, size_t n) {
  reply(req, WIRE_KIND_RESPONSE, codec, payload, n);
}

void link_error(const uint8_t *req, uint8_t code, const char *message) {
  uint8_t *p = tx_frame + WIRE_HEADER_SIZE;
  size_t n = strlen(message), room = CELL_MAX_FRAME - WIRE_HEADER_SIZE - 1;
  if (n > room) n = room;
  p[0] = code;
  memcpy(p + 1, message, n);
  reply(req, WIRE_KIND_ERROR, WIRE_CODEC_RAW, p, n + 1);
}

const wire_acc_t *link_stats(void) { return &acc; }
