#include "text.h"

/* Length of the sequence starting with b, and the least code point it may carry (shorter is overlong). */
static size_t seq_len(uint8_t b, uint32_t *cp, uint32_t *min) {
  if (b < 0x80) return *cp = b, *min = 0, 1;
  if ((b & 0xE0) == 0xC0) return *cp = b & 0x1F, *min = 0x80, 2;
  if ((b & 0xF0) == 0xE0) return *cp = b & 0x0F, *min = 0x800, 3;
  if ((b & 0xF8) == 0xF0) return *cp = b & 0x07, *min = 0x10000, 4;
  return 0;
}

/* The code point at in[0..n) (its length in *len), or TEXT_BAD as a code point for a malformed one. */
static uint32_t next_cp(const uint8_t *in, size_t n, size_t *len) {
  uint32_t cp, min;
  size_t k = seq_len(in[0], &cp, &min), i;
  if (!k || k > n) return (uint32_t)-1;
  for (i = 1; i < k; i++) {
    if ((in[i] & 0xC0) != 0x80) return (uint32_t)-1;
    cp = (cp << 6) | (in[i] & 0x3F);
  }
  *len = k;
  return cp < min ? (uint32_t)-1 : cp;
}

static size_t put3(uint32_t cp, uint8_t *out) {
  if (out) {
    out[0] = (uint8_t)(0xE0 | (cp >> 12));
    out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp & 0x3F));
  }
  return 3;
}

size_t text_utf8_to_cesu8(const uint8_t *in, size_t n, uint8_t *out) {
  size_t i = 0, o = 0, k;
  uint32_t cp;
  while (i < n) {
    if (in[i] < 0x80) { /* ASCII, the usual text */
      if (out) out[o] = in[i];
      o++, i++;
      continue;
    }
    cp = next_cp(in + i, n - i, &k);
    if (cp == (uint32_t)-1 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return TEXT_BAD;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      o += put3(0xD800 | (cp >> 10), out ? out + o : NULL);
      o += put3(0xDC00 | (cp & 0x3FF), out ? out + o : NULL);
    } else {
      if (out) for (size_t j = 0; j < k; j++) out[o + j] = in[i + j];
      o += k;
    }
    i += k;
  }
  return o;
}

size_t text_cesu8_to_utf8(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  size_t i = 0, o = 0, k, j;
  uint32_t cp, lo;
  uint8_t four[4];
  while (i < n) {
    if (in[i] < 0x80) {
      if (out && o < cap) out[o] = in[i];
      o++, i++;
      continue;
    }
    cp = next_cp(in + i, n - i, &k);
    if (cp == (uint32_t)-1) return TEXT_BAD; /* engines hand over well-formed internal strings: defensive */
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      size_t k2;
      if (cp > 0xDBFF || i + k >= n) return TEXT_BAD; /* a low surrogate first, or a high one last */
      lo = next_cp(in + i + k, n - i - k, &k2);
      if (lo < 0xDC00 || lo > 0xDFFF) return TEXT_BAD;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      four[0] = (uint8_t)(0xF0 | (cp >> 18));
      four[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
      four[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
      four[3] = (uint8_t)(0x80 | (cp & 0x3F));
      for (j = 0; j < 4; j++, o++)
        if (out && o < cap) out[o] = four[j];
      i += k + k2;
      continue;
    }
    for (j = 0; j < k; j++, o++)
      if (out && o < cap) out[o] = in[i + j];
    i += k;
  }
  return o;
}

size_t text_varint(uint32_t v, uint8_t *out) {
  size_t n = 0;
  for (; v > 127; v >>= 7) {
    if (out) out[n] = (uint8_t)((v & 127) | 128);
    n++;
  }
  if (out) out[n] = (uint8_t)v;
  return n + 1;
}

size_t text_put(const uint8_t *cesu, size_t n, uint8_t *out, size_t cap, size_t at, int prefixed) {
  uint8_t len[5];
  size_t u = text_cesu8_to_utf8(cesu, n, NULL, 0), v = 0, i;
  if (u == TEXT_BAD) return TEXT_BAD;
  if (prefixed) v = text_varint((uint32_t)u, len);
  for (i = 0; i < v; i++)
    if (at + i < cap) out[at + i] = len[i];
  if (at + v < cap) text_cesu8_to_utf8(cesu, n, out + at + v, cap - at - v);
  return at + v + u;
}
