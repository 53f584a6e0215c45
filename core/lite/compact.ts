// COMPACT (codec 2) for the device over type descriptors: the same bytes as core/codecs/compact.ts
// (spec/codecs.md). It only dispatches on the kind: scalars, the cursor and the one varint reader are
// ./compact-fns', so the two device codecs cannot drift. A bad value or payload throws 3 (BadPayload);
// every length and count is checked against the bytes left before anything is allocated. Each kind's
// code is guarded by a flag from ./kinds, which a board build sets to the kinds its cells use.
import type { Type } from "../schema";
import { put, varint } from "./bytes";
import { count, decodeWith, dU8, dU16, dU32, dI8, dI16, dI32, dF32, dF64, dBool, dString, dBytes } from "./compact-fns";
import { eU8, eU16, eU32, eI8, eI16, eI32, eF32, eF64, eBool, eString, eBytes } from "./compact-fns";
import { U8, U16, U32, I8, I16, I32, F32, F64, BOOL, STRING, BYTES, ARRAY, OPTIONAL, STRUCT, ENUM } from "./kinds";

/** Appends `v` as a value of type `t` to the frame being built; scalars through ./compact-fns' writers. */
function enc(t: Type, v: any): void {
  var k = t.k,
    i: number,
    f: any;
  if (U8 && k == 0) eU8(v);
  else if (U16 && k == 1) eU16(v);
  else if (U32 && k == 2) eU32(v);
  else if (I8 && k == 3) eI8(v);
  else if (I16 && k == 4) eI16(v);
  else if (I32 && k == 5) eI32(v);
  else if (F32 && k == 6) eF32(v);
  else if (F64 && k == 7) eF64(v);
  else if (BOOL && k == 8) eBool(v);
  else if (STRING && k == 9) eString(v);
  else if (BYTES && k == 10) eBytes(v);
  else if (ARRAY && k == 11) {
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

/** The fewest bytes a value takes: counts are bounded by the bytes left before anything is allocated. */
function minSize(t: Type): number {
  for (var n = t.k == 6 ? 4 : t.k == 7 ? 8 : t.k == 13 ? 0 : 1, i = 0, f = t.fields || []; i < f.length; i++) n += minSize(f[i].type);
  return n;
}

// Reading goes through ./compact-fns' readers, which own the cursor and the one varint reader.
function dec(t: Type): any {
  var k = t.k,
    v: any,
    n: number,
    i: number,
    f: any;
  if (U8 && k == 0) return dU8();
  if (U16 && k == 1) return dU16();
  if (U32 && k == 2) return dU32();
  if (I8 && k == 3) return dI8();
  if (I16 && k == 4) return dI16();
  if (I32 && k == 5) return dI32();
  if (F32 && k == 6) return dF32();
  if (F64 && k == 7) return dF64();
  if (BOOL && k == 8) return dBool();
  if (STRING && k == 9) return dString();
  if (BYTES && k == 10) return dBytes();
  if (ARRAY && k == 11) {
    for (n = count(minSize(t.of!)), v = [], i = 0; i < n; i++) v.push(dec(t.of!));
    return v;
  }
  if (OPTIONAL && k == 12) return dBool() ? dec(t.of!) : undefined;
  if (STRUCT && k == 13) {
    // An absent optional field gets no key, as in core.
    for (v = {}, f = t.fields!, i = 0; i < f.length; i++) if ((n = dec(f[i].type)) !== undefined) v[f[i].name] = n;
    return v;
  }
  if (ENUM && k == 14) {
    if ((v = dU32()) >= t.values!.length) throw 3;
    return t.values![v];
  }
  throw 3;
}

// The type being decoded, for decRoot: a decode runs to its end before the next starts, so no closure
// per call (each costs a small engine an allocation).
var root: Type;
function decRoot(): unknown {
  return dec(root);
}

export var compactCodec = {
  id: 2,
  /** Appends to the frame being built (bytes.ts `out`); a failed encode may leave bytes behind, but the
   * server starts every frame afresh. */
  encode: enc,
  decode: function (type: Type, bytes: Uint8Array): unknown {
    root = type;
    return decodeWith(decRoot, bytes);
  }
};
