// UTF-8 for the lite path through the engine's own encodeURIComponent / decodeURIComponent (ES5, in
// every small engine), so the bundle carries no UTF-8 tables or state machines. This is stricter
// than core/utf8.ts, as spec/codecs.md allows a size-first device: malformed UTF-8 is refused
// (URIError, answered BadPayload) instead of read as U+FFFD, and a lone surrogate is refused on
// write instead of sent as U+FFFD. Well-formed text gives exactly core's bytes and strings.
// On Kaluma (TEXT_CODER) the engine's TextEncoder/TextDecoder: its URI functions work on JerryScript's
// internal CESU-8, so characters above U+FFFF would reach the cell mangled.
// On Espruino boards (BYTE_STRINGS: built without Unicode support) a string is a byte string: the
// URI functions would work on its bytes too, but a copy is smaller and faster, and keeps the UTF-8 the
// host sent as the string's bytes, so it goes back out unchanged (unchecked: the host sent it).
import { put, frame, at, seek } from "./bytes";
import { STRING } from "./kinds";
import { BYTE_STRINGS, NATIVE_TEXT, TEXT_CODER } from "./features";

// Kaluma's globals (not in ES5): real UTF-8 both ways. Its TextDecoder does not check the bytes.
declare var TextEncoder: { new (): { encode(s: string): Uint8Array } };
declare var TextDecoder: { new (): { decode(b: Uint8Array): string } };

/** Text natives a firmware offers (the QEMU sim firmware's sim.textIn / sim.textOut, sim/firmware/text.c):
 * a string's bytes in one native call instead of interpreted work per byte. Either may answer undefined
 * (declined: too long for the firmware's buffer); the path below then does it. */
export interface TextNatives {
  /** The string whose UTF-8 is b[i..end); URIError for malformed bytes. */
  textIn(b: Uint8Array, i: number, end: number): string | undefined;
  /** Writes s as UTF-8 into f from `at` (after its length as a varint when `prefixed`), as much as fits;
   * answers where the whole ends (past f.length: it did not fit); URIError for a lone surrogate. */
  textOut(s: string, f: Uint8Array, at: number, prefixed?: number): number | undefined;
}

var natives: TextNatives | undefined;

/** The adapter of a firmware with text natives hands them over (undefined: the engine's own path). */
export function useTextNatives(n: TextNatives | undefined): void {
  natives = n;
}

/** Appends `s` through the natives (a COMPACT string when `prefixed`); false when there are none or they
 * declined. Past the frame's end: throws 7 (TooLarge) with what fits written, as the path below. */
export function nativeOut(s: string, prefixed?: number): boolean {
  var e = NATIVE_TEXT && natives ? natives.textOut(s, frame, at, prefixed) : undefined;
  if (e == null) return false;
  seek(e > frame.length ? frame.length : e);
  if (e > frame.length) throw 7;
  return true;
}

/**
 * Bytes of `s` in UTF-8, appended to the frame unless `dry`; returns how many. Throws URIError for a
 * lone surrogate, before writing anything. (A text clipped to a size is cut at a character boundary
 * afterwards: see serve.ts fail().)
 */
export function utf8Write(s: string, dry?: boolean): number {
  if (BYTE_STRINGS) {
    for (var j = 0; !dry && j < s.length;) put(s.charCodeAt(j++));
    return s.length;
  }
  if (NATIVE_TEXT && !dry) {
    var start = at;
    if (nativeOut(s)) return at - start;
  }
  if (TEXT_CODER) {
    var u = new TextEncoder()["encode"](s); // quoted: the build mangles .encode (the codecs')
    for (j = 0; !dry && j < u.length;) put(u[j++]);
    return u.length;
  }
  // "%XX" is one byte; anything else encodeURIComponent leaves is ASCII and stands for itself. The
  // count takes one split, and the bytes go straight into the frame: a call per byte costs a small engine.
  var e = encodeURIComponent(s),
    n = e.length - 2 * (e.split("%").length - 1),
    i = 0,
    p = at,
    f = frame,
    b: number;
  if (dry) return n;
  while (i < e.length) {
    if (p >= f.length) {
      seek(p);
      throw 7; // TooLarge, with the bytes that fit written (serve.ts fail() cuts there)
    }
    if ((b = e.charCodeAt(i++)) == 37) b = parseInt(e.slice(i, (i += 2)), 16);
    f[p++] = b;
  }
  seek(p);
  return n;
}

/** ASCII only (anything else becomes "?"): for builds whose cells carry no strings, where only the
 * schema text, cell names (ASCII by the DSL's rules) and error messages are written. Smaller, and never throws. */
function asciiWrite(s: string): number {
  for (var i = 0, c: number; i < s.length; i++) put((c = s.charCodeAt(i)) < 128 ? c : 63);
  return i;
}

/** Writes protocol text (schema, names) and messages for people: UTF-8 when the build carries strings. */
export var writeText: (s: string) => number = STRING ? utf8Write : asciiWrite;

/** Decodes `b[i..end)`; throws URIError for bytes that are not well-formed UTF-8. */
export function utf8Read(b: Uint8Array, i: number, end: number): string {
  if (NATIVE_TEXT && natives) {
    var v = natives.textIn(b, i, end);
    if (v != null) return v;
  }
  if (BYTE_STRINGS) {
    for (var t = ""; i < end;) t += String.fromCharCode(b[i++]);
    return t;
  }
  if (TEXT_CODER) return new TextDecoder()["decode"](b.subarray(i, end)); // quoted, as encode
  // ASCII (the usual text) in one call: a string built a character at a time costs a small engine a
  // new string per character.
  for (var j = i; j < end && b[j] < 128;) j++;
  if (j == end) return String.fromCharCode.apply(null, b.subarray(i, end) as any);
  for (var s = ""; i < end;) s += "%" + (b[i++] + 256).toString(16).slice(1);
  return decodeURIComponent(s);
}
