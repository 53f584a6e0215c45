/* The few COMPACT codec pieces the loader needs (spec/codecs.md): LEB128 varints in shortest form,
 * length-prefixed bytes and strings, bool as one byte 0/1. Portable C99. */
#ifndef CELL_COMPACT_H
#define CELL_COMPACT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *p;
  size_t n, at;
  const char *err; /* first problem met; later reads are no-ops */
} compact_reader_t;

typedef struct {
  uint8_t *p;
  size_t cap, at;
  int overflow;
} compact_writer_t;

void compact_reader_init(compact_reader_t *r, const uint8_t *p, size_t n);
uint32_t compact_read_u32(compact_reader_t *r);
/* Points *out at the bytes inside the payload (no copy); returns their length. */
size_t compact_read_bytes(compact_reader_t *r, const uint8_t **out);
/* One byte, 0 or 1 (anything else is an error). */
int compact_read_bool(compact_reader_t *r);
/* Sets err if bytes are left over: a value has exactly one encoding. Returns err (NULL if all good). */
const char *compact_read_end(compact_reader_t *r);

void compact_writer_init(compact_writer_t *w, uint8_t *p, size_t cap);
void compact_write_u32(compact_writer_t *w, uint32_t v);
void compact_write_bool(compact_writer_t *w, int v);
void compact_write_string(compact_writer_t *w, const char *s, size_t n);

#endif
