import { describe, it, expect } from "vitest";
import { t, type Type } from "../schema";
import { Writer } from "../codec";
import { CellError, ErrorCode } from "../errors";
import { utf8Encode } from "../utf8";
import { jsonCodec } from "./json";

function encodeText(type: Type, value: unknown): string {
  const w = new Writer(4);
  jsonCodec.encode(type, value, w);
  return Buffer.from(w.view()).toString("utf8");
}

function decodeText(type: Type, text: string): unknown {
  return jsonCodec.decode(type, utf8Encode(text));
}

function decodeError(type: Type, text: string): string {
  try {
    decodeText(type, text);
  } catch (e) {
    expect(e).toBeInstanceOf(CellError);
    expect((e as CellError).code).toBe(ErrorCode.BadPayload);
    return (e as Error).message;
  }
  throw new Error("decoded without an error: " + text);
}

const Reading = t.struct({ value: t.f32, unit: t.enum(["C", "F"]), note: t.optional(t.string), raw: t.bytes });

describe("JSON codec", () => {
  it("writes structs as objects in declared order, bytes as base64, absent optionals left out", () => {
    const v = { raw: new Uint8Array([1, 2, 3]), unit: "C", value: 21.5, extra: true };
    expect(encodeText(Reading, v)).toBe('{"value":21.5,"unit":"C","raw":"AQID"}');
    expect(encodeText(Reading, { ...v, note: "hé ✓" })).toBe('{"value":21.5,"unit":"C","note":"hé ✓","raw":"AQID"}');
    expect(encodeText(t.optional(t.u8), undefined)).toBe("null");
    expect(encodeText(t.array(t.optional(t.u8)), [1, undefined])).toBe("[1,null]");
    expect(encodeText(t.string, 'a"\n')).toBe('"a\\"\\n"');
  });

  it("reads its own output and plain JSON from elsewhere", () => {
    const v = { value: 21.5, unit: "F", note: "x", raw: new Uint8Array([255]) };
    expect(decodeText(Reading, encodeText(Reading, v))).toEqual(v);
    expect(decodeText(Reading, ' { "raw": "", "unit": "C", "value": 1e2, "note": null, "other": [1] } ')).toEqual({
      value: 100,
      unit: "C",
      raw: new Uint8Array(0)
    });
    expect(decodeText(t.optional(t.u8), "null")).toBeUndefined();
    expect(decodeText(t.string, '"\\ud83d\\ude00"')).toBe("😀");
  });

  it("refuses NaN and Infinity on encode, since JSON cannot write them", () => {
    const w = new Writer();
    expect(() => jsonCodec.encode(t.f64, NaN, w)).toThrow("payload: NaN cannot be sent in this codec");
    expect(() => jsonCodec.encode(t.struct({ a: t.array(t.f32) }), { a: [1, Infinity] }, w)).toThrow("a[1]: Infinity cannot be sent");
    expect(w.pos).toBe(0);
  });

  it("refuses wrong values with the field path", () => {
    const w = new Writer();
    expect(() => jsonCodec.encode(Reading, { value: 1, unit: "K", raw: new Uint8Array(0) }, w)).toThrow(
      'unit: expected one of C|F, got "K"'
    );
    expect(() => jsonCodec.encode(Reading, { value: 1, unit: "C", raw: "AQID" }, w)).toThrow(
      'raw: expected bytes (a Uint8Array), got "AQID"'
    );
  });

  it("refuses text that is not JSON or not the type", () => {
    expect(decodeError(t.u8, "{")).toMatch(/^payload: not JSON \(/);
    expect(decodeError(t.u8, "")).toMatch(/not JSON/);
    expect(decodeError(t.u8, "1.5")).toBe("payload: expected u8 (an integer 0..255), got 1.5");
    expect(decodeError(Reading, '{"value":1,"unit":"C","raw":"AQI"}')).toBe('raw: expected bytes (base64 text), got "AQI"');
    expect(decodeError(Reading, '{"value":1,"unit":"C","raw":[1]}')).toMatch(/raw: expected bytes \(base64 text\), got an array/);
    expect(decodeError(Reading, '{"value":1,"raw":""}')).toBe("unit: missing (required enum<C|F>)");
    expect(decodeError(t.f32, "1e39")).toMatch(/beyond the f32 range/);
    expect(decodeError(t.f64, "1e400")).toMatch(/Infinity cannot be sent/);
  });

  it("survives deeply nested text", () => {
    expect(decodeError(t.u8, "[".repeat(200000) + "]".repeat(200000))).toMatch(/^payload: /);
  });
});
