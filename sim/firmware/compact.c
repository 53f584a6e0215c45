#include "compact.h"
#include <string.h>

void compact_reader_init(compact_reader_t *r, const uint8_t *p, size_t n) {
  r->p = p;
  r->n = n;
  r->at = 0;
  r->err = NULL;
}

uint32_t compact_read_u32(compact_reader_t *r) {
  uint32_t v = 0;
  unsigned shift;
  for (shift = 0; !r->err; shift += 7) {
    uint8_t b;
    if (r->at >= r->n) {
      r->err = "truncated varint";
      break;
    }
    b = r->p[r->at++];
    if (shift == 28 && b > 0x0F) {
      r->err = "varint overflow (more than 32 bits)";
      break;
    }
    v |= (uint32_t)(b & 0x7F) << shift;
    if (b < 0x80) {
      if (b == 0 && shift > 0) r->err = "varint not in shortest form";
      return r->err ? 0 : v;
    }
  }
  return 0;
}

size_t compact_read_bytes(compact_reader_t *r, const uint8_t **out) {
  uint32_t n = compact_read_u32(r);
  *out = NULL;
  if (r->err) return 0;
  if (n > r->n - r->at) {
    r->err = "bytes length is larger than what is left";
    return 0;
  }
  *out = r->p + r->at;
  r->at += n;
  return n;
}

int compact_read_bool(compact_reader_t *r) {
  uint8_t b;
  if (r->err) return 0;
  if (r->at >= r->n) {
    r->err = "truncated bool";
    return 0;
  }
  b = r->p[r->at++];
  if (b > 1) r->err = "bool is neither 0 nor 1";
  return b == 1;
}

const char *compact_read_end(compact_reader_t *r) {
  if (!r->err && r->at != r->n) r->err = "trailing bytes after the value";
  return r->err;
}

void compact_writer_init(compact_writer_t *w, uint8_t *p, size_t cap) {
  w->p = p;
  w->cap = cap;
  w->at = 0;
  w->overflow = 0;
}

static void put(compact_writer_t *w, uint8_t b) {
  if (w->at < w->cap) w->p[w->at++] = b;
  else w->overflow = 1;
}

void compact_write_u32(compact_writer_t *w, uint32_t v) {
  while (v > 0x7F) {
    put(w, (uint8_t)(v | 0x80));
    v >>= 7;
  }
  put(w, (uint8_t)v);
}

void compact_write_bool(compact_writer_t *w, int v) { put(w, v ? 1 : 0); }

void compact_write_string(compact_writer_t *w, const char *s, size_t n) {
  compact_write_u32(w, (uint32_t)n);
  if (n > w->cap - w->at) {
    w->overflow = 1;
    return;
  }
  memcpy(w->p + w->at, s, n);
  w->at += n;
}
