/* The Cell wire contract in portable C99 (spec/wire-format.md): 20-byte header, stream framing
 * COBS(header ‖ payload ‖ CRC-32 LE) ‖ 0x00. No hardware includes: the firmware and the host-side
 * Duktape runner both build this file. */
#ifndef CELL_WIRE_H
#define CELL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_HEADER_SIZE 20
#define WIRE_MAGIC 0xCE
#define WIRE_VERSION 1
#define WIRE_KIND_COUNT 6
#define WIRE_CRC_SIZE 4

enum { WIRE_KIND_REQUEST = 0, WIRE_KIND_RESPONSE = 1, WIRE_KIND_ERROR = 2, WIRE_KIND_EVENT = 3,
       WIRE_KIND_CANCEL = 4, WIRE_KIND_ANNOUNCE = 5 };
enum { WIRE_CODEC_RAW = 0, WIRE_CODEC_MSGPACK = 1, WIRE_CODEC_COMPACT = 2, WIRE_CODEC_JSON = 3 };
enum { WIRE_METHOD_DESCRIBE = 0, WIRE_METHOD_SUBSCRIBE = 1, WIRE_METHOD_UNSUBSCRIBE = 2 };

/* Header field offsets. */
#define WIRE_AT_MAGIC 0
#define WIRE_AT_VERSION 1
#define WIRE_AT_KIND 2
#define WIRE_AT_CODEC 3
#define WIRE_AT_CELL 4
#define WIRE_AT_METHOD 8
#define WIRE_AT_REQUEST 12
#define WIRE_AT_LENGTH 16

/* Worst-case stream size of a frame of n bytes: CRC, one COBS code byte per 254 bytes (+1), delimiter. */
#define WIRE_STREAM_MAX(n) ((n) + WIRE_CRC_SIZE + ((n) + WIRE_CRC_SIZE) / 254 + 2)

/* zlib CRC-32 (ISO-HDLC). Start with crc = 0; pass the previous result to continue over more bytes. */
uint32_t wire_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* Stream accumulator: decodes COBS byte by byte into buf. buf must hold header + payload + 4 CRC bytes. */
typedef struct {
  uint8_t *buf;
  size_t cap;
  size_t len;
  uint8_t code;  /* code byte of the current COBS block; 0 = nothing seen since the last delimiter */
  uint8_t left;  /* data bytes still to come in the current block */
  int overflow;  /* the frame outgrew cap: the rest is skipped up to the next delimiter */
  uint32_t drops_bad_cobs, drops_bad_crc, drops_too_long, drops_bad_header;
} wire_acc_t;

void wire_acc_init(wire_acc_t *a, uint8_t *buf, size_t cap);

/* Feeds one byte. Returns the length of a complete frame (header ‖ payload; CRC checked and stripped;
 * magic, version, kind and length checked) now at a->buf, valid until the next call; else 0.
 * Never fails: bad input is counted in the drops_* fields (spec/wire-format.md's reasons map as
 * BadCobs → bad_cobs, BadCrc → bad_crc, TooLong → too_long, TooShort and the header checks → bad_header). */
size_t wire_acc_feed(wire_acc_t *a, uint8_t byte);

/* Writes COBS(frame ‖ crc32 LE) ‖ 0x00 to out. Returns bytes written, or 0 if cap is too small. */
size_t wire_stream_encode(const uint8_t *frame, size_t len, uint8_t *out, size_t cap);

uint32_t wire_get_u32(const uint8_t *p);
void wire_put_u32(uint8_t *p, uint32_t v);

/* Writes a 20-byte header at out. */
void wire_put_header(uint8_t *out, uint8_t kind, uint8_t codec, uint32_t cell_id, uint32_t method_id,
                     uint32_t request_id, uint32_t length);

/* Checks a frame's header against its real size; returns 1 if well-formed. */
int wire_header_ok(const uint8_t *frame, size_t len);

/* FNV-1a-32, how cell and method ids are made (fnv1a32_str hashes a NUL-terminated UTF-8 string). */
uint32_t wire_fnv1a32(const uint8_t *p, size_t n);
uint32_t wire_fnv1a32_str(const char *s);

#endif
