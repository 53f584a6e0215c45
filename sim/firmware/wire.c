/* Portable wire code: CRC-32, streaming COBS decode with checks, stream encode, header helpers. */
#include "wire.h"

/* Nibble table: 64 bytes instead of 1 KB; two lookups per byte are plenty for UART speeds. */
static const uint32_t crc_nibble[16] = {
  0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
  0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu
};

uint32_t wire_crc32(uint32_t crc, const uint8_t *p, size_t n) {
  size_t i;
  crc = ~crc;
  for (i = 0; i < n; i++) {
    crc ^= p[i];
    crc = (crc >> 4) ^ crc_nibble[crc & 15];
    crc = (crc >> 4) ^ crc_nibble[crc & 15];
  }
  return ~crc;
}

uint32_t wire_get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void wire_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

void wire_put_header(uint8_t *out, uint8_t kind, uint8_t codec, uint32_t cell_id, uint32_t method_id,
                     uint32_t request_id, uint32_t length) {
  out[WIRE_AT_MAGIC] = WIRE_MAGIC;
  out[WIRE_AT_VERSION] = WIRE_VERSION;
  out[WIRE_AT_KIND] = (uint8_t)(kind & 15);
  out[WIRE_AT_CODEC] = codec;
  wire_put_u32(out + WIRE_AT_CELL, cell_id);
  wire_put_u32(out + WIRE_AT_METHOD, method_id);
  wire_put_u32(out + WIRE_AT_REQUEST, request_id);
  wire_put_u32(out + WIRE_AT_LENGTH, length);
}

int wire_header_ok(const uint8_t *frame, size_t len) {
  if (len < WIRE_HEADER_SIZE) return 0;
  if (frame[WIRE_AT_MAGIC] != WIRE_MAGIC || frame[WIRE_AT_VERSION] != WIRE_VERSION) return 0;
  if ((frame[WIRE_AT_KIND] & 15) >= WIRE_KIND_COUNT) return 0;
  return wire_get_u32(frame + WIRE_AT_LENGTH) == (uint32_t)(len - WIRE_HEADER_SIZE);
}

uint32_t wire_fnv1a32(const uint8_t *p, size_t n) {
  uint32_t h = 0x811C9DC5u;
  size_t i;
  for (i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x01000193u;
  }
  return h;
}

uint32_t wire_fnv1a32_str(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return wire_fnv1a32((const uint8_t *)s, n);
}

void wire_acc_init(wire_acc_t *a, uint8_t *buf, size_t cap) {
  a->buf = buf;
  a->cap = cap;
  a->len = 0;
  a->code = 0;
  a->left = 0;
  a->overflow = 0;
  a->drops_bad_cobs = a->drops_bad_crc = a->drops_too_long = a->drops_bad_header = 0;
}

static void acc_put(wire_acc_t *a, uint8_t b) {
  if (a->len < a->cap) a->buf[a->len++] = b;
  else a->overflow = 1;
}

/* A delimiter arrived: judge what was collected since the last one. */
static size_t acc_end(wire_acc_t *a) {
  size_t len = a->len;
  int started = a->code != 0, truncated = a->left != 0, overflow = a->overflow;
  a->len = 0;
  a->code = 0;
  a->left = 0;
  a->overflow = 0;
  if (!started) return 0; /* back-to-back delimiters are idle fill, not errors */
  if (overflow) { a->drops_too_long++; return 0; }
  if (truncated) { a->drops_bad_cobs++; return 0; }
  if (len < WIRE_HEADER_SIZE + WIRE_CRC_SIZE) { a->drops_bad_header++; return 0; } /* too short for a header */
  len -= WIRE_CRC_SIZE;
  if (wire_crc32(0, a->buf, len) != wire_get_u32(a->buf + len)) { a->drops_bad_crc++; return 0; }
  if (!wire_header_ok(a->buf, len)) { a->drops_bad_header++; return 0; }
  return len;
}

size_t wire_acc_feed(wire_acc_t *a, uint8_t byte) {
  if (byte == 0) return acc_end(a);
  if (a->left > 0) {
    acc_put(a, byte);
    a->left--;
    return 0;
  }
  /* A new code byte. The block before it ended with an implied zero unless it was a full 0xFF block. */
  if (a->code != 0 && a->code != 0xFF) acc_put(a, 0);
  a->code = byte;
  a->left = (uint8_t)(byte - 1);
  return 0;
}

/* COBS encoder state over a caller's buffer; fails soft (ok = 0) once cap is reached. */
typedef struct {
  uint8_t *out;
  size_t cap, pos, code_at;
  uint8_t code;
  int ok;
} cobs_enc_t;

static void enc_raw(cobs_enc_t *e, uint8_t b) {
  if (e->pos < e->cap) e->out[e->pos++] = b;
  else e->ok = 0;
}

static void enc_start_block(cobs_enc_t *e) {
  e->code_at = e->pos;
  e->code = 1;
  enc_raw(e, 0); /* placeholder for the code byte */
}

static void enc_close_block(cobs_enc_t *e) {
  if (e->ok) e->out[e->code_at] = e->code;
}

static void enc_byte(cobs_enc_t *e, uint8_t b) {
  if (b == 0) {
    enc_close_block(e);
    enc_start_block(e);
    return;
  }
  enc_raw(e, b);
  if (++e->code == 0xFF) {
    enc_close_block(e);
    enc_start_block(e);
  }
}

size_t wire_stream_encode(const uint8_t *frame, size_t len, uint8_t *out, size_t cap) {
  cobs_enc_t e;
  uint8_t crc[WIRE_CRC_SIZE];
  size_t i;
  wire_put_u32(crc, wire_crc32(0, frame, len));
  e.out = out;
  e.cap = cap;
  e.pos = 0;
  e.ok = 1;
  enc_start_block(&e);
  for (i = 0; i < len; i++) enc_byte(&e, frame[i]);
  for (i = 0; i < WIRE_CRC_SIZE; i++) enc_byte(&e, crc[i]);
  enc_close_block(&e);
  enc_raw(&e, 0);
  return e.ok ? e.pos : 0;
}
