// COMPACT (codec 2) for the device: the same bytes as core/codecs/compact.ts (spec/codecs.md), written
// for size. A bad value or payload throws 3 (BadPayload) with no message; every length and count is
// checked against the bytes left before anything is allocated. Each kind's code is guarded by a flag
// from ./kinds, which a board build sets to the kinds its cells use.
import type { Type } from "../schema";
import { put, varint } from "./bytes";
import { utf8Write, utf8Read } from "./utf8";
import { U8, U16, U32, I8, I16, I32, F32, F64, BOOL, STRING, BYTES, ARRAY, OPTIONAL, STRUCT, ENUM } from "./kinds";

/** One 8-byte scratch seen as f64, f32 (its first 4 bytes) and bytes; typed arrays are little-endian on every target. */
var f64 = /*@__PURE__*/ new Float64Array(1);
var f32 = /*@__PURE__*/ new Float32Array(f64.buffer);
var raw = /*@__PURE__*/ new Uint8Array(f64.buffer);

/** Appends `v` as a value of type `t` to the frame being built. */
function enc(t: Type, v: any): void {
  var k = t.k,
    i: number,
    f: any;
  // The integer checks below convert v: an object with no primitive value would throw a TypeError, not 3.
  if (k < 6 && typeof v != "number") throw 3;
  if (U8 && k == 0) {
    if ((v & 255) !== v) throw 3;
    put(v);
  } else if (U16 && k == 1) {
    if ((v & 65535) !== v) throw 3;
    varint(v);
  } else if (U32 && k == 2) {
    if (v >>> 0 !== v) throw 3;
    varint(v);
  } else if (I8 && k == 3) {
    if ((v << 24) >> 24 !== v) throw 3;
    put(v & 255);
  } else if (I16 && k == 4) {
    if ((v << 16) >> 16 !== v) throw 3;
    varint(((v << 1) ^ (v >> 31)) >>> 0);
  } else if (I32 && k == 5) {
    if ((v | 0) !== v) throw 3;
    varint(((v << 1) ^ (v >> 31)) >>> 0);
  } else if ((F32 && k == 6) || (F64 && k == 7)) {
    if (typeof v != "number") throw 3;
    if (F64 && k == 7) f64[0] = v;
    else {
      f32[0] = v;
      // A finite value must stay finite as an f32 (|v| < 2^128 - 2^103).
      if (v - v === 0 && f32[0] - f32[0] !== 0) throw 3;
    }
    for (i = 0; i < (F64 && k == 7 ? 8 : 4); i++) put(raw[i]);
  } else if (BOOL && k == 8) {
    if (v !== !!v) throw 3;
    put(v ? 1 : 0);
  } else if (STRING && k == 9) {
    if (typeof v != "string") throw 3;
    varint(utf8Write(v, true));
    utf8Write(v);
  } else if (BYTES && k == 10) {
    if (!(v instanceof Uint8Array)) throw 3;
    varint(v.length);
    for (i = 0; i < v.length; i++) put(v[i]);
  } else if (ARRAY && k == 11) {
    if (!Array.isArray(v)) throw 3;
    varint(v.length);
    for (i = 0; i < v.length; i++) enc(t.of!, v[i]);
  } else if (OPTIONAL && k == 12) {
    put(v == null ? 0 : 1);
    if (v != null) enc(t.of!, v);
  } else if (STRUCT && k == 13) {
    if (typeof v != "object" || !v || Array.isArray(v)) throw 3;
    for (f = t.fields!, i = 0; i < f.length; i++) enc(f[i].type, v[f[i].name]);
  } else if (ENUM && k == 14) {
    i = t.values!.indexOf(v);
    if (i < 0) throw 3;
    varint(i);
  } else throw 3;
}

// The payload being decoded, and the read position: one decode runs at a time (it calls no user code).
var src: Uint8Array;
var at: number;

/** The next byte (`one`), or an unsigned LEB128 varint of at most 32 bits in its shortest form (so each value has one encoding). */
function vint(one?: number): number {
  for (var v = 0, s = 0, b: number; ; s += 7) {
    if (at >= src.length) throw 3;
    b = src[at++];
    if (one) return b;
    if ((s == 28 && b > 15) || (s && !b)) throw 3;
    v |= (b & 127) << s;
    if (b < 128) return v >>> 0;
  }
}

/** The fewest bytes a value takes: counts are bounded by the bytes left before anything is allocated. */
function minSize(t: Type): number {
  for (var n = t.k == 6 ? 4 : t.k == 7 ? 8 : t.k == 13 ? 0 : 1, i = 0, f = t.fields || []; i < f.length; i++) n += minSize(f[i].type);
  return n;
}

function dec(t: Type): any {
  var k = t.k,
    v: any,
    n: number,
    i: number,
    f: any;
  if (U8 && k == 0) return vint(1);
  if (U16 && k == 1) {
    if ((v = vint()) > 65535) throw 3;
    return v;
  }
  if (U32 && k == 2) return vint();
  if (I8 && k == 3) return (vint(1) << 24) >> 24;
  if ((I16 && k == 4) || (I32 && k == 5)) {
    if ((v = vint()) > 65535 && k == 4) throw 3;
    return (v >>> 1) ^ -(v & 1);
  }
  if ((F32 && k == 6) || (F64 && k == 7)) {
    for (i = 0; i < (F64 && k == 7 ? 8 : 4); i++) raw[i] = vint(1);
    return F64 && k == 7 ? f64[0] : f32[0];
  }
  if (BOOL && k == 8) {
    if ((v = vint(1)) > 1) throw 3;
    return v == 1;
  }
  // Lengths and counts are checked against the bytes left before anything is allocated.
  if (STRING && k == 9) {
    if ((n = vint()) > src.length - at) throw 3;
    return utf8Read(src, at, (at += n));
  }
  if (BYTES && k == 10) {
    if ((n = vint()) > src.length - at) throw 3;
    return new Uint8Array(src.subarray(at, (at += n))); // a copy: the frame's buffer is reused
  }
  if (ARRAY && k == 11) {
    // An array of items of no size (`{}`) has nothing to bound it by: at most 65536 items.
    if ((n = vint()) * (i = minSize(t.of!)) > src.length - at || (!i && n > 65536)) throw 3;
    for (v = [], i = 0; i < n; i++) v.push(dec(t.of!));
    return v;
  }
  if (OPTIONAL && k == 12) {
    if ((v = vint(1)) > 1) throw 3;
    return v ? dec(t.of!) : undefined;
  }
  if (STRUCT && k == 13) {
    // An absent optional field gets no key, as in core.
    for (v = {}, f = t.fields!, i = 0; i < f.length; i++) if ((n = dec(f[i].type)) !== undefined) v[f[i].name] = n;
    return v;
  }
  if (ENUM && k == 14) {
    if ((v = vint()) >= t.values!.length) throw 3;
    return t.values![v];
  }
  throw 3;
}

export var compactCodec = {
  id: 2,
  /** Appends to the frame being built (bytes.ts `out`); a failed encode may leave bytes behind, but the
   * server starts every frame afresh. */
  encode: enc,
  decode: function (type: Type, bytes: Uint8Array): unknown {
    src = bytes;
    at = 0;
    var v = dec(type);
    if (at != bytes.length) throw 3;
    return v;
  }
};
