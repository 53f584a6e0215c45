/* Text between the wire's UTF-8 and the engines' internal CESU-8 (Duktape and JerryScript keep a
 * character above U+FFFF as its two UTF-16 surrogates, 3 bytes each), for the `sim` object's text
 * natives (sim.textIn / sim.textOut): a COMPACT string's bytes in one call instead of a loop of
 * interpreted operations per byte. Strict as the bundle's own path (decodeURIComponent /
 * encodeURIComponent, core/lite/utf8.ts): malformed UTF-8 and lone surrogates are refused. */
#ifndef CELL_TEXT_H
#define CELL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_BAD ((size_t)-1)

/* CESU-8 bytes for the well-formed UTF-8 in[0..n) (at most n * 3 / 2 of them; NULL out: only counts);
 * TEXT_BAD for bytes that are not (overlong forms, surrogates, past U+10FFFF, truncated sequences). */
size_t text_utf8_to_cesu8(const uint8_t *in, size_t n, uint8_t *out);

/* UTF-8 bytes for an engine's string in[0..n): CESU-8 surrogate pairs become one 4-byte sequence,
 * other sequences are copied. Writes at most `cap` bytes to out (NULL: none) and returns how many the
 * whole string takes; TEXT_BAD for a lone surrogate (nothing meaningful is written then). */
size_t text_cesu8_to_utf8(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* Bytes of the unsigned LEB128 varint of v (COMPACT's length prefix), written to out when not NULL. */
size_t text_varint(uint32_t v, uint8_t *out);

/* Writes the UTF-8 of an engine's string cesu[0..n) into out[at..cap), after its length as a varint
 * when `prefixed` (a COMPACT string), as much as fits; returns where the whole would end (past cap: it
 * did not fit), or TEXT_BAD for a lone surrogate, before writing anything. */
size_t text_put(const uint8_t *cesu, size_t n, uint8_t *out, size_t cap, size_t at, int prefixed);

#endif
