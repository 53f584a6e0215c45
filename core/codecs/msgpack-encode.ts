// MSGPACK encoder, guided by the type but byte-identical to @msgpack/msgpack's default `encode()` of the
// same plain object: smallest int form, float64 for the rest, str/bin/array/map by size (spec/codecs.md).
import type { Writer } from "../codec";
import type { Type } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { isRecord } from "../check";
import { utf8Length, utf8Write } from "../utf8";
import { writeF64 } from "./float";

var F32_OVERFLOW = 3.4028235677973366e38;
var MAX_SAFE = 9007199254740991;
var TWO_32 = 4294967296;

/** Thrown by the fast path; encode() then asks checkValue for the message that names the field. */
function invalid(): never {
  throw new CellError(ErrorCode.BadPayload, "payload: invalid for its type");
}

function put16(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 8;
  b[p + 1] = v & 0xff;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

/** A type byte, then `size` bytes of big-endian `v` (0, 1, 2 or 4): the shape of every msgpack header. */
function head(w: Writer, type: number, size: number, v: number): void {
  w.ensure(1 + size);
  var b = w.buf;
  var p = w.pos;
  b[p] = type;
  if (size === 1) b[p + 1] = v & 0xff;
  else if (size === 2) put16(b, p + 1, v);
  else if (size === 4) put32(b, p + 1, v);
  w.pos = p + 1 + size;
}

/** The way @msgpack/msgpack writes a number: a safe integer in its smallest form, anything else as float64. */
export function writeNumber(w: Writer, v: number): void {
  if (v !== Math.floor(v) || v > MAX_SAFE || v < -MAX_SAFE) {
    w.ensure(9);
    w.buf[w.pos] = 0xcb;
    writeF64(w.buf, w.pos + 1, v, false);
    w.pos += 9;
  } else if (v >= 0) {
    if (v < 0x80)
      w.u8(v); // positive fixint (also -0, as the library does)
    else if (v < 0x100) head(w, 0xcc, 1, v);
    else if (v < 0x10000) head(w, 0xcd, 2, v);
    else if (v < TWO_32) head(w, 0xce, 4, v);
    else write64(w, 0xcf, v);
  } else if (v >= -0x20)
    w.u8(v & 0xff); // negative fixint 0xe0..0xff
  else if (v >= -0x80) head(w, 0xd0, 1, v);
  else if (v >= -0x8000) head(w, 0xd1, 2, v);
  else if (v >= -0x80000000) head(w, 0xd2, 4, v);
  else write64(w, 0xd3, v);
}

/** uint64/int64 of a safe integer: high word (two's complement when negative), then low word. */
function write64(w: Writer, type: number, v: number): void {
  w.ensure(9);
  var b = w.buf;
  b[w.pos] = type;
  put32(b, w.pos + 1, Math.floor(v / TWO_32) >>> 0);
  put32(b, w.pos + 5, v >>> 0);
  w.pos += 9;
}

export function writeString(w: Writer, s: string): void {
  var n = s.length;
  if (n < 11 && w.pos + 1 + 3 * n <= w.buf.length) {
    // At most 3 UTF-8 bytes per UTF-16 unit: <= 30 bytes, a fixstr whose header is written after the text.
    var start = w.pos + 1;
    var end = utf8Write(s, w.buf, start);
    w.buf[w.pos] = 0xa0 | (end - start);
    w.pos = end;
    return;
  }
  var len = utf8Length(s);
  if (len < 32) head(w, 0xa0 | len, 0, 0);
  else if (len < 0x100) head(w, 0xd9, 1, len);
  else if (len < 0x10000) head(w, 0xda, 2, len);
  else head(w, 0xdb, 4, len);
  w.ensure(len);
  w.pos = utf8Write(s, w.buf, w.pos);
}

function writeArrayHead(w: Writer, n: number): void {
  if (n < 16) w.u8(0x90 | n);
  else if (n < 0x10000) head(w, 0xdc, 2, n);
  else head(w, 0xdd, 4, n);
}

function writeMapHead(w: Writer, n: number): void {
  if (n < 16) w.u8(0x80 | n);
  else if (n < 0x10000) head(w, 0xde, 2, n);
  else head(w, 0xdf, 4, n);
}

export function encodeValue(type: Type, v: any, w: Writer): void {
  switch (type.k) {
    case 0:
      if ((v & 0xff) !== v) invalid();
      break; // u8
    case 1:
      if ((v & 0xffff) !== v) invalid();
      break; // u16
    case 2:
      if (v >>> 0 !== v) invalid();
      break; // u32
    case 3:
      if ((v << 24) >> 24 !== v) invalid();
      break; // i8
    case 4:
      if ((v << 16) >> 16 !== v) invalid();
      break; // i16
    case 5:
      if ((v | 0) !== v) invalid();
      break; // i32
    case 6: // f32: carried as float64 like any number, but it must fit an f32
      if (typeof v !== "number" || (v >= F32_OVERFLOW && v !== Infinity) || (v <= -F32_OVERFLOW && v !== -Infinity)) invalid();
      break;
    case 7:
      if (typeof v !== "number") invalid();
      break; // f64
    case 8: // bool
      if (v !== true && v !== false) invalid();
      w.u8(v ? 0xc3 : 0xc2);
      return;
    case 9: // string
      if (typeof v !== "string") invalid();
      writeString(w, v);
      return;
    case 10: {
      // bytes
      if (!(v instanceof Uint8Array)) invalid();
      var n = v.length;
      head(w, n < 0x100 ? 0xc4 : n < 0x10000 ? 0xc5 : 0xc6, n < 0x100 ? 1 : n < 0x10000 ? 2 : 4, n);
      w.bytes(v);
      return;
    }
    case 11: {
      // array
      if (!Array.isArray(v)) invalid();
      writeArrayHead(w, v.length);
      for (var i = 0; i < v.length; i++) encodeValue(type.of as Type, v[i], w);
      return;
    }
    case 12: // optional: nil when absent (a struct field that is absent is left out instead)
      if (v === undefined || v === null) w.u8(0xc0);
      else encodeValue(type.of as Type, v, w);
      return;
    case 13: {
      // struct: a map of the present fields, in declared order
      if (!isRecord(v)) invalid();
      var fields = type.fields as { name: string; type: Type }[];
      var present = 0;
      for (var f = 0; f < fields.length; f++) if (v[fields[f].name] != null) present++;
      writeMapHead(w, present);
      for (var g = 0; g < fields.length; g++) {
        var fv = v[fields[g].name];
        if (fv == null) {
          if (fields[g].type.k !== 12) invalid(); // a required field is missing
          continue;
        }
        writeString(w, fields[g].name);
        encodeValue(fields[g].type, fv, w);
      }
      return;
    }
    case 14: {
      // enum: its string
      var values = type.values as string[];
      for (var e = 0; e < values.length; e++) {
        if (values[e] === v) {
          writeString(w, v);
          return;
        }
      }
      invalid(); // throws: nothing falls through
    }
    default:
      invalid();
  }
  writeNumber(w, v); // the numeric kinds break out of the switch to here
}
