// COMPACT (codec 2) as one small function per type, for COMPACT-only bundles: the build
// (firmware/build/schemas.ts) knows every member's types and puts these functions in the cells'
// member tables instead of type descriptors, so the device carries no kind dispatch and no code for
// kinds it never sees. Same bytes and checks as ./compact.ts: a bad value or payload throws 3
// (BadPayload), and every length and count is checked against the bytes left before anything is allocated.
import { put, varint } from "./bytes";
import { nativeOut, utf8Read, utf8Write } from "./utf8";
import { BYTE_STRINGS, NATIVE_TEXT } from "./features";

type Enc = (v: any) => void;
type Dec = () => any;

var f64 = /*@__PURE__*/ new Float64Array(1);
var f32 = /*@__PURE__*/ new Float32Array(f64.buffer);
var raw = /*@__PURE__*/ new Uint8Array(f64.buffer);
// The payload being decoded, and the read position: one decode runs at a time (it calls no user code).
var src: Uint8Array;
var at: number;

/** The next byte (`one`), or an unsigned LEB128 varint of at most 32 bits in its shortest form. */
function vint(one?: number): number {
  for (var v = 0, s = 0, b: number; ; s += 7) {
    b = src[at++];
    if (one) {
      if (at > src.length) throw 3;
      return b;
    }
    // Past the end, b is undefined (or 0 on some engines): either way the varint is refused, as
    // truncated here or by the length check its caller makes with `at` past the end.
    if ((s == 28 && b > 15) || (s && !b)) throw 3;
    v |= (b & 127) << s;
    if (b < 128) return v >>> 0;
  }
}

/** A count or length, checked against the bytes left (each item at least `min` bytes; none: at most 65536). */
export function count(min: number): number {
  var n = vint();
  if (n * min > src.length - at || (!min && n > 65536)) throw 3;
  return n;
}

function float(v: any, size: number): void {
  if (typeof v != "number") throw 3;
  if (size > 4) f64[0] = v;
  // A finite value must stay finite as an f32 (|v| < 2^128 - 2^103).
  else if (((f32[0] = v), v - v === 0 && f32[0] - f32[0] !== 0)) throw 3;
  for (var i = 0; i < size; i++) put(raw[i]);
}

function zigzag(v: number): void {
  varint(((v << 1) ^ (v >> 31)) >>> 0);
}

export function eU8(v: any): void {
  if (typeof v != "number" || (v & 255) !== v) throw 3;
  put(v);
}
export function dU8(): number {
  return vint(1);
}
export function eU16(v: any): void {
  if (typeof v != "number" || (v & 65535) !== v) throw 3;
  varint(v);
}
export function dU16(): number {
  var v = vint();
  if (v > 65535) throw 3;
  return v;
}
export function eU32(v: any): void {
  if (typeof v != "number" || v >>> 0 !== v) throw 3;
  varint(v);
}
export function dU32(): number {
  return vint();
}
export function eI8(v: any): void {
  if (typeof v != "number" || (v << 24) >> 24 !== v) throw 3;
  put(v & 255);
}
export function dI8(): number {
  return (vint(1) << 24) >> 24;
}
export function eI16(v: any): void {
  if (typeof v != "number" || (v << 16) >> 16 !== v) throw 3;
  zigzag(v);
}
export function dI16(): number {
  var v = vint();
  if (v > 65535) throw 3;
  return (v >>> 1) ^ -(v & 1);
}
export function eI32(v: any): void {
  if (typeof v != "number" || (v | 0) !== v) throw 3;
  zigzag(v);
}
export function dI32(): number {
  var v = vint();
  return (v >>> 1) ^ -(v & 1);
}
export function eF32(v: any): void {
  float(v, 4);
}
export function dF32(): number {
  for (var i = 0; i < 4; i++) raw[i] = vint(1);
  return f32[0];
}
export function eF64(v: any): void {
  float(v, 8);
}
export function dF64(): number {
  for (var i = 0; i < 8; i++) raw[i] = vint(1);
  return f64[0];
}
export function eBool(v: any): void {
  if (v !== !!v) throw 3;
  put(v ? 1 : 0);
}
export function dBool(): boolean {
  var v = vint(1);
  if (v > 1) throw 3;
  return v == 1;
}
export function eString(v: any): void {
  if (typeof v != "string") throw 3;
  // The firmware's natives write the length and the bytes in one call where it has them (NATIVE_TEXT).
  if (NATIVE_TEXT && nativeOut(v, 1)) return;
  varint(utf8Write(v, true));
  utf8Write(v);
}
export function dString(): string {
  // count(1) and the byte-string loop, inlined: as calls, the minifier wraps them in function expressions.
  var n = vint(),
    s = "";
  if (n > src.length - at) throw 3;
  if (BYTE_STRINGS) {
    while (n--) s += String.fromCharCode(src[at++]);
    return s;
  }
  // utf8Read: the firmware's natives, the engine's TextDecoder, or ASCII in one call.
  return utf8Read(src, at, (at += n));
}
export function eBytes(v: any): void {
  if (!(v instanceof Uint8Array)) throw 3;
  varint(v.length);
  for (var i = 0; i < v.length; i++) put(v[i]);
}
export function dBytes(): Uint8Array {
  var n = count(1);
  return new Uint8Array(src.subarray(at, (at += n))); // a copy: the frame's buffer is reused
}
export function eArray(item: Enc): Enc {
  return function (v) {
    if (!Array.isArray(v)) throw 3;
    varint(v.length);
    for (var i = 0; i < v.length; i++) item(v[i]);
  };
}
/** `min`: the fewest bytes an item takes (the build works it out). */
export function dArray(item: Dec, min: number): Dec {
  return function () {
    for (var n = count(min), v = [], i = 0; i < n; i++) v.push(item());
    return v;
  };
}
export function eOptional(item: Enc): Enc {
  return function (v) {
    put(v == null ? 0 : 1);
    if (v != null) item(v);
  };
}
export function dOptional(item: Dec): Dec {
  return function () {
    var v = vint(1);
    if (v > 1) throw 3;
    return v ? item() : undefined;
  };
}
/** `fields`: [name, function] per field, in order. */
export function eStruct(fields: [string, Enc][]): Enc {
  return function (v) {
    if (typeof v != "object" || !v || Array.isArray(v)) throw 3;
    for (var i = 0; i < fields.length; i++) fields[i][1](v[fields[i][0]]);
  };
}
export function dStruct(fields: [string, Dec][]): Dec {
  return function () {
    // An absent optional field gets no key, as in core.
    for (var v: any = {}, i = 0, x: any; i < fields.length; i++) if ((x = fields[i][1]()) !== undefined) v[fields[i][0]] = x;
    return v;
  };
}
export function eEnum(values: string[]): Enc {
  return function (v) {
    var i = values.indexOf(v);
    if (i < 0) throw 3;
    varint(i);
  };
}
export function dEnum(values: string[]): Dec {
  return function () {
    var i = vint();
    if (i >= values.length) throw 3;
    return values[i];
  };
}

/** Decodes the whole of `bytes` with a decoder from above (trailing bytes are BadPayload). */
export function decodeWith(decode: Dec, bytes: Uint8Array): unknown {
  src = bytes;
  at = 0;
  var v = decode();
  if (at != bytes.length) throw 3;
  return v;
}

/**
 * The codec over those functions, for a server given codecs: a member table's "type" is the function
 * that encodes or decodes it. A board build (features FNS) calls the functions without it.
 */
export var compactFns = {
  id: 2,
  encode: function (encode: Enc, value: unknown): void {
    encode(value);
  },
  decode: decodeWith
};
