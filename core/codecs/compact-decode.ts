// COMPACT decoder: reads a value of a known type, checking every length against the bytes left.
import type { Type } from "../schema";
import { badPayload, fieldPath, itemPath } from "../check";
import { utf8Decode } from "../utf8";
import { copyBytes } from "../slab";
import { readF32, readF64 } from "./float";

/** An array of a zero-size type (`{}`) gives no byte count to bound it by, so its count is capped instead. */
export var MAX_ZERO_SIZE_ITEMS = 65536;

// Decoder state lives in the module (one decode runs at a time: decoding calls no user code), so a
// decode allocates nothing but the value itself.
var EMPTY = new Uint8Array(0);
var src: Uint8Array = EMPTY;
var at = 0;
/** Set while a failed decode is re-run to name the field; string paths are built only then. */
var tracking = false;

/**
 * Builds a struct's object from its field values in one go (record.ts). Installed for hosts by
 * codecs/index.ts; device bundles import this file alone, and their structs are built key by key.
 */
var makeStruct: ((type: Type, values: unknown[]) => unknown) | null = null;

export function useStructMaker(make: (type: Type, values: unknown[]) => unknown): void {
  makeStruct = make;
}

function need(n: number, path: string): void {
  if (src.length - at < n) badPayload(path, "truncated at offset " + at + " (needs " + n + " bytes, " + (src.length - at) + " left)");
}

/** An unsigned LEB128 varint of at most 32 bits, in its shortest form (so every value has one encoding). */
function readVarint(path: string): number {
  need(1, path);
  var b = src[at++];
  if (b < 0x80) return b;
  var v = b & 0x7f;
  for (var shift = 7; ; shift += 7) {
    need(1, path);
    b = src[at++];
    if (shift === 28) {
      if (b > 0x0f) badPayload(path, "varint overflow (more than 32 bits) at offset " + (at - 1));
      if (b === 0) badPayload(path, "varint not in shortest form at offset " + (at - 1));
      return v + b * 0x10000000;
    }
    v |= (b & 0x7f) << shift;
    if (b < 0x80) {
      if (b === 0) badPayload(path, "varint not in shortest form at offset " + (at - 1));
      return v;
    }
  }
}

/** The fewest bytes a value of this type takes: bounds counts before anything is allocated. */
function minSize(type: Type): number {
  if (type.k === 6) return 4;
  if (type.k === 7) return 8;
  if (type.k !== 13) return 1;
  var n = 0;
  var fields = type.fields as { name: string; type: Type }[];
  for (var i = 0; i < fields.length; i++) n += minSize(fields[i].type);
  return n;
}

/** A byte or item count, checked against what is left before anything is allocated. */
function readCount(path: string, itemSize: number, what: string): number {
  var n = readVarint(path);
  var left = src.length - at;
  if (itemSize === 0) {
    if (n > MAX_ZERO_SIZE_ITEMS) badPayload(path, what + " " + n + " is over the " + MAX_ZERO_SIZE_ITEMS + " allowed for items of no size");
  } else if (n * itemSize > left) badPayload(path, what + " " + n + " is larger than the " + left + " bytes left");
  return n;
}

function decodeValue(type: Type, path: string): any {
  var v: number;
  switch (type.k) {
    case 0: // u8
      need(1, path);
      return src[at++];
    case 1: // u16
      v = readVarint(path);
      if (v > 0xffff) badPayload(path, "u16 out of range: " + v);
      return v;
    case 2: // u32
      return readVarint(path);
    case 3: // i8
      need(1, path);
      return (src[at++] << 24) >> 24;
    case 4: // i16: a zigzag value above 0xffff decodes outside -32768..32767
      v = readVarint(path);
      if (v > 0xffff) badPayload(path, "i16 out of range: zigzag " + v);
      return (v >>> 1) ^ -(v & 1);
    case 5: // i32
      v = readVarint(path);
      return (v >>> 1) ^ -(v & 1);
    case 6: // f32
      need(4, path);
      at += 4;
      return readF32(src, at - 4, true);
    case 7: // f64
      need(8, path);
      at += 8;
      return readF64(src, at - 8, true);
    case 8: // bool
      need(1, path);
      v = src[at++];
      if (v > 1) badPayload(path, "bool must be 0 or 1, got " + v);
      return v === 1;
    case 9: {
      // string
      var len = readCount(path, 1, "string length");
      at += len;
      return utf8Decode(src, at - len, at);
    }
    case 10: {
      // bytes: a copy, because the frame buffer is reused for the next frame
      var size = readCount(path, 1, "bytes length");
      at += size;
      return copyBytes(src, at - size, at);
    }
    case 11: {
      // array
      var of = type.of as Type;
      var count = readCount(path, minSize(of), "array count");
      var list = new Array(count);
      for (var i = 0; i < count; i++) list[i] = decodeValue(of, tracking ? itemPath(path, i) : path);
      return list;
    }
    case 12: // optional
      need(1, path);
      v = src[at++];
      if (v === 0) return undefined;
      if (v !== 1) badPayload(path, "optional tag must be 0 or 1, got " + v);
      return decodeValue(type.of as Type, path);
    case 13: {
      // struct
      var fields = type.fields as { name: string; type: Type }[];
      if (makeStruct !== null) {
        var fieldValues = new Array(fields.length);
        for (var f = 0; f < fields.length; f++)
          fieldValues[f] = decodeValue(fields[f].type, tracking ? fieldPath(path, fields[f].name) : path);
        return makeStruct(type, fieldValues);
      }
      var obj: { [name: string]: unknown } = {};
      for (var g = 0; g < fields.length; g++) {
        var name = fields[g].name;
        var fv = decodeValue(fields[g].type, tracking ? fieldPath(path, name) : path);
        if (fv !== undefined) obj[name] = fv;
      }
      return obj;
    }
    case 14: {
      // enum
      var values = type.values as string[];
      v = readVarint(path);
      if (v >= values.length) badPayload(path, "enum index " + v + " out of range (" + values.join("|") + ")");
      return values[v];
    }
  }
  return badPayload(path, "unknown type kind " + type.k);
}

/** Decodes a whole payload. `namePaths` builds field paths for error messages: slower, so only on a retry. */
export function decodeAll(type: Type, bytes: Uint8Array, namePaths: boolean): unknown {
  src = bytes;
  at = 0;
  tracking = namePaths;
  try {
    var value = decodeValue(type, "");
    if (at !== bytes.length) badPayload("", bytes.length - at + " trailing bytes after the value");
    return value;
  } finally {
    src = EMPTY; // do not keep the last frame alive
    tracking = false;
  }
}
