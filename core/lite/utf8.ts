// UTF-8 for the lite path, with core/utf8.ts's exact rules: a lone surrogate is sent as U+FFFD, and
// malformed input decodes to U+FFFD (one per bad byte, or per whole sequence that is out of range).
import { put } from "./bytes";
import { STRING } from "./kinds";

/**
 * Bytes of `s` in UTF-8, appended to the frame unless `dry`. With `max`, stops before the character
 * that would pass it, so a clipped text never ends in half a character.
 */
export function utf8Write(s: string, max?: number, dry?: boolean): number {
  for (var i = 0, n = 0, c: number, d: number, k: number; i < s.length; i++) {
    if (((c = s.charCodeAt(i)) & 0xf800) == 0xd800) {
      d = s.charCodeAt(i + 1); // NaN past the end
      c = c < 0xdc00 && (d & 0xfc00) == 0xdc00 ? (i++, ((c - 0xd800) << 10) + d + 0x2400) : 0xfffd;
    }
    k = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3; // continuation bytes
    if (n + k + 1 > (max as number)) break; // false when max is undefined
    n += k + 1;
    if (!dry) for (put(k ? ((0xff << (7 - k)) & 0xff) | (c >> (6 * k)) : c); k--; ) put(0x80 | ((c >> (6 * k)) & 63));
  }
  return n;
}

/** ASCII only (anything else becomes "?"): for builds whose cells carry no strings, where only the
 * schema text, cell names (ASCII by the DSL's rules) and error messages are written. */
function asciiWrite(s: string, max?: number): number {
  for (var i = 0, c: number; i < s.length && !(i >= (max as number)); i++) put((c = s.charCodeAt(i)) < 128 ? c : 63);
  return i;
}

/** Writes protocol text (schema, names) and messages for people: UTF-8 when the build carries strings. */
export var writeText: (s: string, max?: number) => number = STRING ? utf8Write : asciiWrite;

/** Decodes `b[i..end)`. */
export function utf8Read(b: Uint8Array, i: number, end: number): string {
  for (var s = "", c: number, n: number, j: number, v: number; i < end; ) {
    if ((c = b[i++]) > 127) {
      // Continuation bytes the lead byte wants (-1: it starts nothing), then as many as are there.
      n = c > 0xf4 ? -1 : c > 0xef ? 3 : c > 0xdf ? 2 : c > 0xc1 ? 1 : -1;
      for (j = 0, v = c & (63 >> n); j < n && i + j < end && (b[i + j] & 0xc0) == 0x80; ) v = (v << 6) | (b[i + j++] & 63);
      // A whole sequence out of range (overlong, a surrogate, past U+10FFFF) is one U+FFFD; a broken
      // one is U+FFFD for its lead byte only.
      c = j == n && ((i += n), v >= 1 << (5 * n + 1) && (v & 0xfff800) != 0xd800 && v < 0x110000) ? v : 0xfffd;
    }
    s += c > 0xffff ? String.fromCharCode(0xd7c0 + (c >> 10), 0xdc00 + (c & 1023)) : String.fromCharCode(c);
  }
  return s;
}
