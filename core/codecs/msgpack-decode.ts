// MSGPACK reader: a generic decoder of the subset Cell uses (nil, bool, int, float, str, bin, array, map
// with string keys). Every length is checked against the bytes left before anything is allocated.
import { CellError } from "../errors";
import { badPayload, fieldPath, itemPath } from "../check";
import { utf8Decode } from "../utf8";
import { copyBytes } from "../slab";
import { readF32, readF64 } from "./float";

/** What a type-guided reader (msgpack-typed.ts) returns when it leaves the decision to this one. */
export var GAVE_UP = {};

/** Deeper values are refused: the decoder recurses, and device stacks are small. */
export var MAX_DEPTH = 32;
var MAX_SAFE = 9007199254740991;
var TWO_32 = 4294967296;

var EMPTY = new Uint8Array(0);
var src: Uint8Array = EMPTY;
var at = 0;
/** Set while a failed decode is re-run to name the map key path; paths are built only then. */
var tracking = false;

function need(n: number, path: string): void {
  if (src.length - at < n) badPayload(path, "truncated at offset " + at + " (needs " + n + " bytes, " + (src.length - at) + " left)");
}

/** A big-endian unsigned integer of 1, 2 or 4 bytes. */
function uint(size: number, path: string): number {
  need(size, path);
  var p = at;
  at += size;
  if (size === 1) return src[p];
  if (size === 2) return (src[p] << 8) | src[p + 1];
  return src[p] * 0x1000000 + ((src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]);
}

/** A 64-bit integer, accepted only when it is a safe JS integer (what @msgpack/msgpack writes for those). */
function int64(signed: boolean, path: string): number {
  var high = uint(4, path);
  var low = uint(4, path);
  if (signed && high >= 0x80000000) high -= TWO_32;
  var v = high * TWO_32 + low;
  if (v > MAX_SAFE || v < -MAX_SAFE) badPayload(path, (signed ? "int64" : "uint64") + " beyond the safe integer range");
  return v;
}

/** A count of `n` items, each taking at least `itemSize` bytes, must fit in what is left. */
function bounded(n: number, itemSize: number, path: string, what: string): number {
  if (n * itemSize > src.length - at) badPayload(path, what + " " + n + " is larger than the " + (src.length - at) + " bytes left");
  return n;
}

function count(size: number, itemSize: number, path: string, what: string): number {
  return bounded(uint(size, path), itemSize, path, what);
}

function str(n: number): string {
  at += n;
  return utf8Decode(src, at - n, at);
}

function bin(n: number): Uint8Array {
  at += n;
  return copyBytes(src, at - n, at); // a copy: the frame buffer is reused for the next frame
}

function array(n: number, depth: number, path: string): unknown[] {
  var list = new Array(n);
  for (var i = 0; i < n; i++) list[i] = readValue(depth, tracking ? itemPath(path, i) : path);
  return list;
}

function map(n: number, depth: number, path: string): { [key: string]: unknown } {
  var obj: { [key: string]: unknown } = {};
  for (var i = 0; i < n; i++) {
    var key = readValue(depth, path);
    if (typeof key !== "string") badPayload(path, "map key must be a string, got " + (key === null ? "nil" : typeof key));
    // Setting "__proto__" would replace the object's prototype; no field can be meant by it.
    if (key === "__proto__") badPayload(path, "map key __proto__ is not allowed");
    obj[key] = readValue(depth, tracking ? fieldPath(path, key) : path);
  }
  return obj;
}

function readValue(depth: number, path: string): unknown {
  if (depth > MAX_DEPTH) badPayload(path, "nested deeper than " + MAX_DEPTH + " levels");
  need(1, path);
  var b = src[at++];
  if (b < 0x80) return b; // positive fixint
  if (b >= 0xe0) return b - 0x100; // negative fixint
  if (b < 0x90) return map(bounded(b & 0x0f, 2, path, "map size"), depth + 1, path); // fixmap
  if (b < 0xa0) return array(bounded(b & 0x0f, 1, path, "array size"), depth + 1, path); // fixarray
  if (b < 0xc0) return str(bounded(b & 0x1f, 1, path, "str length")); // fixstr
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return bin(count(1, 1, path, "bin length"));
    case 0xc5:
      return bin(count(2, 1, path, "bin length"));
    case 0xc6:
      return bin(count(4, 1, path, "bin length"));
    case 0xca:
      need(4, path);
      at += 4;
      return readF32(src, at - 4, false);
    case 0xcb:
      need(8, path);
      at += 8;
      return readF64(src, at - 8, false);
    case 0xcc:
      return uint(1, path);
    case 0xcd:
      return uint(2, path);
    case 0xce:
      return uint(4, path);
    case 0xcf:
      return int64(false, path);
    case 0xd0:
      return (uint(1, path) << 24) >> 24;
    case 0xd1:
      return (uint(2, path) << 16) >> 16;
    case 0xd2:
      return uint(4, path) | 0;
    case 0xd3:
      return int64(true, path);
    case 0xd9:
      return str(count(1, 1, path, "str length"));
    case 0xda:
      return str(count(2, 1, path, "str length"));
    case 0xdb:
      return str(count(4, 1, path, "str length"));
    case 0xdc:
      return array(count(2, 1, path, "array size"), depth + 1, path);
    case 0xdd:
      return array(count(4, 1, path, "array size"), depth + 1, path);
    case 0xde:
      return map(count(2, 2, path, "map size"), depth + 1, path);
    case 0xdf:
      return map(count(4, 2, path, "map size"), depth + 1, path);
  }
  return badPayload(path, "msgpack type 0x" + b.toString(16) + " is not supported (ext, timestamp or reserved)");
}

/** Decodes one whole msgpack value. `namePaths` builds key paths for the error message (used on a retry). */
export function readAll(bytes: Uint8Array, namePaths: boolean): unknown {
  src = bytes;
  at = 0;
  tracking = namePaths;
  try {
    var value = readValue(0, "");
    if (at !== bytes.length) badPayload("", bytes.length - at + " trailing bytes after the value");
    return value;
  } finally {
    src = EMPTY; // do not keep the last frame alive
    tracking = false;
  }
}

/** Decodes one msgpack value; failures are CellError(BadPayload) naming the key path where they happened. */
export function readMsgpack(bytes: Uint8Array): unknown {
  try {
    return readAll(bytes, false);
  } catch (e) {
    if (e instanceof CellError) readAll(bytes, true);
    throw e;
  }
}
