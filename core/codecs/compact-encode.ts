// COMPACT encoder: writes a value of a known type straight into the reused Writer (spec/codecs.md).
import type { Writer } from "../codec";
import type { Type } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { isRecord } from "../check";
import { utf8Length, utf8Write } from "../utf8";
import { writeF32, writeF64 } from "./float";

var F32_OVERFLOW = 3.4028235677973366e38;

/** Thrown by the fast path; encode() then asks checkValue for the message that names the field. */
function invalid(): never {
  throw new CellError(ErrorCode.BadPayload, "payload: invalid for its type");
}

export function writeVarint(w: Writer, v: number): void {
  // Ask for the exact size only near the end, so a payload right at the Writer's limit still fits.
  if (w.buf.length - w.pos < 5) w.ensure(v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);
  var b = w.buf;
  var p = w.pos;
  while (v > 0x7f) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[p++] = v;
  w.pos = p;
}

function writeString(w: Writer, s: string): void {
  var n = s.length;
  if (n < 43 && w.pos + 1 + 3 * n <= w.buf.length) {
    // At most 3 UTF-8 bytes per UTF-16 unit, so <= 126 bytes: the length is one varint byte, written after.
    var start = w.pos + 1;
    var end = utf8Write(s, w.buf, start);
    w.buf[w.pos] = end - start;
    w.pos = end;
    return;
  }
  var len = utf8Length(s);
  writeVarint(w, len);
  w.ensure(len);
  w.pos = utf8Write(s, w.buf, w.pos);
}

export function encodeValue(type: Type, v: any, w: Writer): void {
  switch (type.k) {
    case 0: // u8
      if ((v & 0xff) !== v) invalid();
      w.u8(v);
      return;
    case 1: // u16
      if ((v & 0xffff) !== v) invalid();
      writeVarint(w, v);
      return;
    case 2: // u32
      if (v >>> 0 !== v) invalid();
      writeVarint(w, v);
      return;
    case 3: // i8, two's complement
      if ((v << 24) >> 24 !== v) invalid();
      w.u8(v & 0xff);
      return;
    case 4: // i16, zigzag
      if ((v << 16) >> 16 !== v) invalid();
      writeVarint(w, ((v << 1) ^ (v >> 31)) >>> 0);
      return;
    case 5: // i32, zigzag
      if ((v | 0) !== v) invalid();
      writeVarint(w, ((v << 1) ^ (v >> 31)) >>> 0);
      return;
    case 6: // f32
      if (typeof v !== "number" || (v >= F32_OVERFLOW && v !== Infinity) || (v <= -F32_OVERFLOW && v !== -Infinity)) invalid();
      w.ensure(4);
      writeF32(w.buf, w.pos, v, true);
      w.pos += 4;
      return;
    case 7: // f64
      if (typeof v !== "number") invalid();
      w.ensure(8);
      writeF64(w.buf, w.pos, v, true);
      w.pos += 8;
      return;
    case 8: // bool
      if (v !== true && v !== false) invalid();
      w.u8(v ? 1 : 0);
      return;
    case 9: // string
      if (typeof v !== "string") invalid();
      writeString(w, v);
      return;
    case 10: // bytes
      if (!(v instanceof Uint8Array)) invalid();
      writeVarint(w, v.length);
      w.bytes(v);
      return;
    case 11: {
      // array
      if (!Array.isArray(v)) invalid();
      var of = type.of as Type;
      writeVarint(w, v.length);
      for (var i = 0; i < v.length; i++) encodeValue(of, v[i], w);
      return;
    }
    case 12: // optional
      if (v === undefined || v === null) w.u8(0);
      else {
        w.u8(1);
        encodeValue(type.of as Type, v, w);
      }
      return;
    case 13: {
      // struct: declared order, no names
      if (!isRecord(v)) invalid();
      var fields = type.fields as { name: string; type: Type }[];
      for (var f = 0; f < fields.length; f++) encodeValue(fields[f].type, v[fields[f].name], w);
      return;
    }
    case 14: {
      // enum: index of the value
      var values = type.values as string[];
      for (var e = 0; e < values.length; e++) {
        if (values[e] === v) {
          writeVarint(w, e);
          return;
        }
      }
      invalid();
    }
  }
  invalid();
}
