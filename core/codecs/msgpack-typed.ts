// MSGPACK decoding guided by the type: the fast path. It reads straight into the checked value (one object
// per struct, map keys matched as bytes, never made into strings) instead of building a generic value and
// then a checked copy of it. Anything unusual (a wrong type, keys out of declared order, unknown or repeated
// keys, bad bytes) makes it give up, and the caller runs the generic reader + checkValue, which decide and
// word the error. So it only ever returns what that pair would return.
import type { Type } from "../schema";
import { numberFits } from "../check";
import { utf8Decode } from "../utf8";
import { copyBytes } from "../slab";
import { readF32, readF64 } from "./float";
import { makeStruct, keysOf } from "./record";
import { MAX_DEPTH, GAVE_UP } from "./msgpack-decode";

var MAX_SAFE = 9007199254740991;
var TWO_32 = 4294967296;

var giveUp = { giveUp: true }; // thrown inside; never escapes this file

var EMPTY = new Uint8Array(0);
var src: Uint8Array = EMPTY;
var at = 0;

function fail(): never {
  throw giveUp;
}

/** A big-endian unsigned integer of `size` (1, 2 or 4) bytes. */
function uint(size: number): number {
  if (src.length - at < size) fail();
  var p = at;
  at += size;
  if (size === 1) return src[p];
  if (size === 2) return (src[p] << 8) | src[p + 1];
  return src[p] * 0x1000000 + ((src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]);
}

function number(): number {
  if (at >= src.length) fail();
  var b = src[at++];
  if (b < 0x80) return b;
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xca:
      if (src.length - at < 4) fail();
      at += 4;
      return readF32(src, at - 4, false);
    case 0xcb:
      if (src.length - at < 8) fail();
      at += 8;
      return readF64(src, at - 8, false);
    case 0xcc:
      return uint(1);
    case 0xcd:
      return uint(2);
    case 0xce:
      return uint(4);
    case 0xd0:
      return (uint(1) << 24) >> 24;
    case 0xd1:
      return (uint(2) << 16) >> 16;
    case 0xd2:
      return uint(4) | 0;
    case 0xcf:
    case 0xd3: {
      var high = uint(4);
      var v = (b === 0xd3 && high >= 0x80000000 ? high - TWO_32 : high) * TWO_32 + uint(4);
      if (v > MAX_SAFE || v < -MAX_SAFE) fail();
      return v;
    }
  }
  return fail();
}

/** The byte length of the str at `at`, leaving `at` after its header; -1 when the value there is not a str. */
function strLength(): number {
  if (at >= src.length) fail();
  var b = src[at];
  var n = b >= 0xa0 && b < 0xc0 ? b & 0x1f : -1;
  at++;
  if (n < 0) n = b === 0xd9 ? uint(1) : b === 0xda ? uint(2) : b === 0xdb ? uint(4) : -1;
  if (n > src.length - at) fail();
  return n;
}

/** The count of an array (`map` false) or map header, bounded by the bytes left. */
function count(map: boolean): number {
  if (at >= src.length) fail();
  var b = src[at++];
  var n =
    (b & 0xf0) === (map ? 0x80 : 0x90) ? b & 0x0f : b === (map ? 0xde : 0xdc) ? uint(2) : b === (map ? 0xdf : 0xdd) ? uint(4) : fail();
  if (n * (map ? 2 : 1) > src.length - at) fail();
  return n;
}

/** Index of the field whose name is the `n` bytes at `at`, searched from `from` on; -1 if none. */
function fieldIndex(keys: Uint8Array[], from: number, n: number): number {
  for (var f = from; f < keys.length; f++) {
    var key = keys[f];
    if (key.length !== n) continue;
    var i = 0;
    while (i < n && key[i] === src[at + i]) i++;
    if (i === n) return f;
  }
  return -1;
}

function struct(type: Type, depth: number): unknown {
  var keys = keysOf(type);
  var fields = type.fields as { name: string; type: Type }[];
  var values = new Array(fields.length);
  var next = 0; // keys must come in declared order: the encoders write them so
  for (var left = count(true); left > 0; left--) {
    if (depth > MAX_DEPTH) fail(); // the generic reader checks the depth of every key and value
    var n = strLength();
    var f = n < 0 ? -1 : fieldIndex(keys, next, n);
    if (f < 0) fail();
    at += n;
    next = f + 1;
    var ft = fields[f].type;
    if (at < src.length && src[at] === 0xc0 && ft.k === 12)
      at++; // nil: absent
    else values[f] = value(ft, depth);
  }
  for (f = 0; f < fields.length; f++) if (values[f] === undefined && fields[f].type.k !== 12) fail();
  return makeStruct(type, values);
}

function value(type: Type, depth: number): unknown {
  if (depth > MAX_DEPTH) fail();
  var k = type.k;
  if (k <= 7) {
    var v = number();
    if (!numberFits(k, v)) fail();
    return v;
  }
  switch (k) {
    case 8: // bool
      if (at >= src.length || (src[at] !== 0xc2 && src[at] !== 0xc3)) fail();
      return src[at++] === 0xc3;
    case 9: {
      // string
      var n = strLength();
      if (n < 0) fail();
      at += n;
      return utf8Decode(src, at - n, at);
    }
    case 10: {
      // bytes: a copy, the frame buffer is reused
      var b = at < src.length ? src[at++] : fail();
      var size = b === 0xc4 ? uint(1) : b === 0xc5 ? uint(2) : b === 0xc6 ? uint(4) : fail();
      if (size > src.length - at) fail();
      at += size;
      return copyBytes(src, at - size, at);
    }
    case 11: {
      // array
      var items = count(false);
      var list = new Array(items);
      for (var i = 0; i < items; i++) list[i] = value(type.of as Type, depth + 1);
      return list;
    }
    case 12: // optional
      if (at < src.length && src[at] === 0xc0) {
        at++;
        return undefined;
      }
      return value(type.of as Type, depth);
    case 13:
      return struct(type, depth + 1);
    case 14: {
      // enum: its string, compared as text
      var s = value(T_STRING, depth);
      var names = type.values as string[];
      for (var e = 0; e < names.length; e++) if (names[e] === s) return s;
      return fail();
    }
  }
  return fail();
}

var T_STRING: Type = { k: 9, sig: "string" };

/** The value of `type` in `bytes`, or GAVE_UP: then the generic reader must decide (and word any error). */
export function decodeTyped(type: Type, bytes: Uint8Array): unknown {
  src = bytes;
  at = 0;
  try {
    var v = value(type, 0);
    return at === bytes.length ? v : GAVE_UP;
  } catch (e) {
    if (e === giveUp) return GAVE_UP;
    throw e;
  } finally {
    src = EMPTY; // do not keep the last frame alive
  }
}
