// Checks a JS value against a schema Type (the value model in spec/codecs.md). Decoders of self-describing
// codecs (MSGPACK, JSON) run it on what they parsed; the schema-driven encoders call it only after a
// failure, to turn "something is wrong" into a message that names the field.
import { CellError, ErrorCode } from "./errors";
import type { Type } from "./schema";

/** Throws the BadPayload error every codec uses; the path names the field ("reading.unit", "items[2]"). */
export function badPayload(path: string, message: string): never {
  throw new CellError(ErrorCode.BadPayload, (path || "payload") + ": " + message);
}

export function fieldPath(path: string, name: string): string {
  return path ? path + "." + name : name;
}

export function itemPath(path: string, index: number): string {
  return (path || "payload") + "[" + index + "]";
}

/** A short description of a value for error messages; never prints a whole large value. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v.length > 24 ? v.substring(0, 24) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "an array";
  if (v instanceof Uint8Array) return "a Uint8Array";
  return typeof v === "object" ? "an object" : "a " + typeof v;
}

/** Inclusive ranges of the integer kinds u8, u16, u32, i8, i16, i32 (kinds 0..5). */
var INT_MIN = [0, 0, 0, -128, -32768, -2147483648];
var INT_MAX = [255, 65535, 4294967295, 127, 32767, 2147483647];

/** The smallest magnitude that rounds to Infinity as an f32 (2^128 - 2^103). */
var F32_OVERFLOW = 3.4028235677973366e38;

/** How a codec that cannot carry some values differs from the plain value model. */
export interface CheckOptions {
  /** Replaces the Uint8Array check for bytes (JSON: base64 text in, base64 text out). */
  bytes?: (value: unknown, path: string) => unknown;
  /** NaN and ±Infinity are refused (JSON has no way to write them). */
  finiteOnly?: boolean;
}

/** Whether the number `v` is a value of numeric kind `k` (0..7), NaN and infinities allowed for floats. */
export function numberFits(k: number, v: number): boolean {
  if (k <= 5) return v === Math.floor(v) && v >= INT_MIN[k] && v <= INT_MAX[k];
  return k === 7 || !isFinite(v) || Math.abs(v) < F32_OVERFLOW;
}

function checkNumber(type: Type, v: unknown, path: string, finiteOnly: boolean): void {
  var k = type.k;
  if (k <= 5) {
    if (typeof v !== "number" || v !== Math.floor(v) || v < INT_MIN[k] || v > INT_MAX[k]) {
      badPayload(path, "expected " + type.sig + " (an integer " + INT_MIN[k] + ".." + INT_MAX[k] + "), got " + describeValue(v));
    }
    return;
  }
  if (typeof v !== "number") badPayload(path, "expected " + type.sig + " (a number), got " + describeValue(v));
  var finite = isFinite(v as number);
  if (!finite && finiteOnly) badPayload(path, describeValue(v) + " cannot be sent in this codec (JSON has no NaN or Infinity)");
  if (k === 6 && finite && Math.abs(v as number) >= F32_OVERFLOW) {
    badPayload(path, "expected f32, got " + describeValue(v) + " (beyond the f32 range)");
  }
}

/** True for the values a struct accepts: a non-null object that is not an array. */
export function isRecord(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks `value` against `type` and returns it as the type sees it: structs become new objects holding
 * only the declared fields (absent optionals have no key), `null` counts as an absent optional, and
 * everything else is returned as it is. Throws CellError(BadPayload) naming the first bad field.
 * Recursion follows the type, never the value, so a deeply nested value cannot overflow the stack.
 */
export function checkValue(type: Type, value: unknown, path?: string, opts?: CheckOptions): unknown {
  var p = path || "";
  switch (type.k) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7: // u8 u16 u32 i8 i16 i32 f32 f64
      checkNumber(type, value, p, !!(opts && opts.finiteOnly));
      return value;
    case 8: // bool
      if (typeof value !== "boolean") badPayload(p, "expected bool (true or false), got " + describeValue(value));
      return value;
    case 9: // string
      if (typeof value !== "string") badPayload(p, "expected string, got " + describeValue(value));
      return value;
    case 10: // bytes
      if (opts && opts.bytes) return opts.bytes(value, p);
      if (!(value instanceof Uint8Array)) badPayload(p, "expected bytes (a Uint8Array), got " + describeValue(value));
      return value;
    case 11: {
      // array
      if (!Array.isArray(value)) badPayload(p, "expected " + type.sig + " (an array), got " + describeValue(value));
      var list = value as unknown[];
      var out: unknown[] = [];
      for (var i = 0; i < list.length; i++) out.push(checkValue(type.of as Type, list[i], itemPath(p, i), opts));
      return out;
    }
    case 12: // optional
      return value === undefined || value === null ? undefined : checkValue(type.of as Type, value, p, opts);
    case 13: {
      // struct
      if (!isRecord(value)) badPayload(p, "expected " + type.sig + " (an object), got " + describeValue(value));
      var fields = type.fields || [];
      var obj: { [name: string]: unknown } = {};
      for (var f = 0; f < fields.length; f++) {
        var field = fields[f];
        var fv = (value as { [name: string]: unknown })[field.name];
        var fp = fieldPath(p, field.name);
        if (fv === undefined || fv === null) {
          if (field.type.k !== 12) badPayload(fp, "missing (required " + field.type.sig + ")");
          continue;
        }
        obj[field.name] = checkValue(field.type, fv, fp, opts);
      }
      return obj;
    }
    case 14: {
      // enum
      var values = type.values || [];
      for (var e = 0; e < values.length; e++) if (values[e] === value) return value;
      return badPayload(p, "expected one of " + values.join("|") + ", got " + describeValue(value));
    }
  }
  return badPayload(p, "unknown type kind " + type.k);
}
