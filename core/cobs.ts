// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a byte string
// so that 0x00 can delimit frames. A code byte N (1..0xFF) is followed by N-1 data bytes; an implicit
// 0x00 follows the group unless N is 0xFF or the group is the last one.
//
// The encoder is the one from the paper: a final run of exactly 254 non-zero bytes is closed with a
// trailing 0x01 group, so the output length is always n + floor(n/254) + 1. Decoders accept the
// shorter form without that 0x01 too.

/** The most bytes `cobsEncode` writes for `n` input bytes (no delimiter included). */
export function cobsMaxEncodedLength(n: number): number {
  return n + ((n / 254) | 0) + 1;
}

/**
 * Encodes `src[start..end)` into `out` at `at`; returns how many bytes were written.
 * `out` must have room for cobsMaxEncodedLength(end - start) bytes after `at` (else RangeError).
 */
export function cobsEncode(src: Uint8Array, out: Uint8Array, at?: number, start?: number, end?: number): number {
  var from = start || 0;
  var to = end === undefined ? src.length : end;
  var origin = at || 0;
  if (out.length - origin < cobsMaxEncodedLength(to - from)) throw new RangeError("cobsEncode: output buffer too small");
  var codeAt = origin; // where the current group's code byte goes
  var p = origin + 1;
  var code = 1;
  for (var i = from; i < to; i++) {
    var b = src[i];
    if (b === 0) {
      out[codeAt] = code;
      codeAt = p++;
      code = 1;
    } else {
      out[p++] = b;
      if (++code === 0xff) {
        out[codeAt] = code;
        codeAt = p++;
        code = 1;
      }
    }
  }
  out[codeAt] = code;
  return p - origin;
}

/**
 * Decodes one COBS chunk `src[start..end)` (without its 0x00 delimiter) into `out` at `at`;
 * `out` may be `src` itself (decoding in place is safe: the write position never passes the read position).
 * Returns the decoded length, or -1 when the chunk is not valid COBS (empty, a 0x00 inside, a group
 * running past the end). Throws RangeError only if `out` is too small for the decoded bytes.
 */
export function cobsDecode(src: Uint8Array, out?: Uint8Array, at?: number, start?: number, end?: number): number {
  var dst = out || src;
  var origin = at || 0;
  var i = start || 0;
  var to = end === undefined ? src.length : end;
  if (i >= to) return -1;
  var p = origin;
  var room = dst.length;
  while (i < to) {
    var code = src[i++];
    if (code === 0) return -1;
    var groupEnd = i + code - 1;
    if (groupEnd > to) return -1;
    if (p + (groupEnd - i) + (code < 0xff && groupEnd < to ? 1 : 0) > room) throw new RangeError("cobsDecode: output buffer too small");
    while (i < groupEnd) {
      var b = src[i++];
      if (b === 0) return -1;
      dst[p++] = b;
    }
    if (code < 0xff && i < to) dst[p++] = 0;
  }
  return p - origin;
}
