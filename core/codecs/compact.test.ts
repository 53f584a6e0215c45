import { describe, it, expect } from "vitest";
import { t, type Type } from "../schema";
import { Writer } from "../codec";
import { CellError, ErrorCode } from "../errors";
import { compactCodec, MAX_ZERO_SIZE_ITEMS } from "./compact";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

function encodeHex(type: Type, value: unknown): string {
  const w = new Writer(4);
  compactCodec.encode(type, value, w);
  return hex(w.view());
}

function decodeError(type: Type, h: string): string {
  try {
    compactCodec.decode(type, fromHex(h));
  } catch (e) {
    expect(e).toBeInstanceOf(CellError);
    expect((e as CellError).code).toBe(ErrorCode.BadPayload);
    return (e as Error).message;
  }
  throw new Error("decoded without an error: " + h);
}

describe("COMPACT encoding", () => {
  it("writes u8/i8/bool as one byte", () => {
    expect(encodeHex(t.u8, 0xab)).toBe("ab");
    expect(encodeHex(t.i8, -1)).toBe("ff");
    expect(encodeHex(t.i8, -128)).toBe("80");
    expect(encodeHex(t.bool, true)).toBe("01");
    expect(encodeHex(t.bool, false)).toBe("00");
  });

  it("writes u16/u32 as LEB128 varints", () => {
    expect(encodeHex(t.u16, 0)).toBe("00");
    expect(encodeHex(t.u16, 127)).toBe("7f");
    expect(encodeHex(t.u16, 128)).toBe("8001");
    expect(encodeHex(t.u16, 300)).toBe("ac02");
    expect(encodeHex(t.u16, 65535)).toBe("ffff03");
    expect(encodeHex(t.u32, 4294967295)).toBe("ffffffff0f");
    expect(encodeHex(t.u32, 268435456)).toBe("8080808001");
  });

  it("writes i16/i32 zigzag, then as varints", () => {
    expect(encodeHex(t.i16, 0)).toBe("00");
    expect(encodeHex(t.i16, -1)).toBe("01");
    expect(encodeHex(t.i16, 1)).toBe("02");
    expect(encodeHex(t.i16, -64)).toBe("7f");
    expect(encodeHex(t.i16, 64)).toBe("8001");
    expect(encodeHex(t.i16, -32768)).toBe("ffff03");
    expect(encodeHex(t.i32, 2147483647)).toBe("feffffff0f");
    expect(encodeHex(t.i32, -2147483648)).toBe("ffffffff0f");
  });

  it("writes floats as IEEE 754 little-endian, f32 rounded", () => {
    expect(encodeHex(t.f64, 1.5)).toBe("000000000000f83f");
    expect(encodeHex(t.f32, 21.5)).toBe("0000ac41");
    expect(encodeHex(t.f32, 0.1)).toBe("cdcccc3d");
    expect(compactCodec.decode(t.f32, fromHex("cdcccc3d"))).toBe(Math.fround(0.1));
    expect(encodeHex(t.f64, -0)).toBe("0000000000000080");
    expect(Object.is(compactCodec.decode(t.f64, fromHex("0000000000000080")), -0)).toBe(true);
    expect(compactCodec.decode(t.f64, fromHex("000000000000f87f"))).toBeNaN();
  });

  it("writes strings and bytes with a varint length", () => {
    expect(encodeHex(t.string, "")).toBe("00");
    expect(encodeHex(t.string, "hé")).toBe("0368c3a9");
    expect(encodeHex(t.string, "😀")).toBe("04f09f9880");
    const long = "x".repeat(200); // past the one-byte-length fast path
    expect(encodeHex(t.string, long)).toBe("c801" + "78".repeat(200));
    expect(compactCodec.decode(t.string, fromHex("c801" + "78".repeat(200)))).toBe(long);
    const mixed = "é".repeat(42); // 84 bytes, still a one-byte length
    expect(encodeHex(t.string, mixed)).toBe("54" + "c3a9".repeat(42));
    expect(encodeHex(t.bytes, new Uint8Array([1, 2, 3]))).toBe("03010203");
  });

  it("writes arrays, optionals, structs and enums", () => {
    expect(encodeHex(t.array(t.u8), [1, 2])).toBe("020102");
    expect(encodeHex(t.optional(t.u8), undefined)).toBe("00");
    expect(encodeHex(t.optional(t.u8), null)).toBe("00");
    expect(encodeHex(t.optional(t.u8), 7)).toBe("0107");
    expect(encodeHex(t.enum(["C", "F"]), "F")).toBe("01");
    const S = t.struct({ a: t.u8, b: t.optional(t.string), c: t.bool });
    expect(encodeHex(S, { c: true, a: 5, ignored: "x" })).toBe("050001");
    expect(encodeHex(t.struct({}), {})).toBe("");
  });

  it("appends at the writer's position and grows the buffer", () => {
    const w = new Writer(2);
    w.u8(0xee);
    compactCodec.encode(t.string, "hello world", w);
    expect(hex(w.view())).toBe("ee0b68656c6c6f20776f726c64");
  });

  it("fills the Writer up to its limit exactly, and fails with TooLarge past it", () => {
    const w = new Writer(8, 16);
    compactCodec.encode(t.struct({ s: t.string }), { s: "x".repeat(15) }, w);
    expect(w.pos).toBe(16);
    const full = new Writer(16, 16);
    full.reset(12);
    compactCodec.encode(t.array(t.u32), [300], full); // 3 bytes: fits although a u32 may take 5
    expect(full.pos).toBe(15);
    const over = new Writer(8, 16);
    let code = 0;
    try {
      compactCodec.encode(t.string, "x".repeat(16), over);
    } catch (e) {
      code = (e as CellError).code;
    }
    expect(code).toBe(ErrorCode.TooLarge);
    expect(over.pos).toBe(0);
  });

  it("leaves the writer where it was when a value is wrong", () => {
    const w = new Writer();
    w.u8(1);
    expect(() => compactCodec.encode(t.struct({ a: t.string, b: t.u8 }), { a: "long enough", b: 256 }, w)).toThrow(
      "b: expected u8 (an integer 0..255), got 256"
    );
    expect(w.pos).toBe(1);
  });

  it("refuses wrong values with the field path", () => {
    const w = new Writer();
    const S = t.struct({ r: t.struct({ unit: t.enum(["C", "F"]) }), list: t.array(t.i16) });
    expect(() => compactCodec.encode(S, { r: { unit: "K" }, list: [] }, w)).toThrow('r.unit: expected one of C|F, got "K"');
    expect(() => compactCodec.encode(S, { r: { unit: "C" }, list: [1, 40000] }, w)).toThrow("list[1]: expected i16");
    expect(() => compactCodec.encode(S, { list: [] }, w)).toThrow("r: missing (required {unit:enum<C|F>})");
    expect(() => compactCodec.encode(t.u32, -1, w)).toThrow("payload: expected u32");
    expect(() => compactCodec.encode(t.i32, 0.5, w)).toThrow("payload: expected i32");
    expect(() => compactCodec.encode(t.bytes, "ab", w)).toThrow("expected bytes (a Uint8Array)");
    expect(() => compactCodec.encode(t.f32, 1e39, w)).toThrow("beyond the f32 range");
    expect(() => compactCodec.encode(t.bool, 1, w)).toThrow("expected bool");
  });
});

describe("COMPACT decoding", () => {
  it("reads what it writes", () => {
    const S = t.struct({ id: t.u32, name: t.string, tags: t.array(t.enum(["a", "b"])), maybe: t.optional(t.i16) });
    const v = { id: 123456, name: "añb", tags: ["b", "a"], maybe: -300 };
    expect(compactCodec.decode(S, fromHex(encodeHex(S, v)))).toEqual(v);
    const absent = compactCodec.decode(S, fromHex(encodeHex(S, { id: 1, name: "", tags: [] })));
    expect(absent).toEqual({ id: 1, name: "", tags: [] });
    expect(Object.keys(absent as object)).not.toContain("maybe");
  });

  it("returns bytes values as copies, not views of the frame", () => {
    const frame = fromHex("03010203");
    const value = compactCodec.decode(t.bytes, frame) as Uint8Array;
    frame.fill(0);
    expect(Array.from(value)).toEqual([1, 2, 3]);
    expect(value.buffer).not.toBe(frame.buffer);
  });

  it("refuses truncated input, trailing bytes and bad varints", () => {
    expect(decodeError(t.u8, "")).toBe("payload: truncated at offset 0 (needs 1 bytes, 0 left)");
    expect(decodeError(t.f64, "0000")).toMatch(/truncated at offset 0 \(needs 8 bytes, 2 left\)/);
    expect(decodeError(t.u8, "0101")).toBe("payload: 1 trailing bytes after the value");
    expect(decodeError(t.u32, "ff")).toMatch(/truncated/);
    expect(decodeError(t.u32, "ffffffff1f")).toBe("payload: varint overflow (more than 32 bits) at offset 4");
    expect(decodeError(t.u32, "ffffffffff01")).toMatch(/varint overflow/);
    expect(decodeError(t.u32, "8000")).toBe("payload: varint not in shortest form at offset 1");
    expect(decodeError(t.u32, "8080808000")).toMatch(/shortest form/);
    expect(decodeError(t.u16, "808004")).toBe("payload: u16 out of range: 65536");
    expect(decodeError(t.i16, "808004")).toMatch(/i16 out of range/);
  });

  it("refuses bad bool, optional tag and enum index", () => {
    expect(decodeError(t.bool, "02")).toBe("payload: bool must be 0 or 1, got 2");
    expect(decodeError(t.optional(t.u8), "0207")).toBe("payload: optional tag must be 0 or 1, got 2");
    expect(decodeError(t.enum(["C", "F"]), "02")).toBe("payload: enum index 2 out of range (C|F)");
  });

  it("names the field where decoding failed", () => {
    const S = t.struct({ reading: t.struct({ value: t.f32, unit: t.enum(["C", "F"]) }), items: t.array(t.string) });
    expect(decodeError(S, "0000ac4105")).toBe("reading.unit: enum index 5 out of range (C|F)");
    expect(decodeError(S, "0000ac410002016109")).toBe("items[1]: string length 9 is larger than the 0 bytes left");
    expect(decodeError(t.array(t.optional(t.u8)), "020101")).toBe("payload[1]: truncated at offset 3 (needs 1 bytes, 0 left)");
  });

  it("checks lengths and counts against the bytes left before allocating", () => {
    expect(decodeError(t.string, "0541")).toBe("payload: string length 5 is larger than the 1 bytes left");
    expect(decodeError(t.bytes, "ffffffff0f00")).toBe("payload: bytes length 4294967295 is larger than the 1 bytes left");
    // Each f64 takes 8 bytes: 2 items need 16.
    expect(decodeError(t.array(t.f64), "02" + "00".repeat(15))).toMatch(/array count 2 is larger than the 15 bytes left/);
  });

  it("fails fast on a count claiming 4 billion items, without allocating them", () => {
    const huge = "ffffffff0f";
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    for (const type of [t.array(t.u8), t.array(t.struct({})), t.string, t.bytes, t.array(t.array(t.u8))]) {
      expect(decodeError(type, huge + "0102")).toMatch(/4294967295 is (larger than the 2 bytes left|over the 65536 allowed)/);
    }
    expect(performance.now() - started).toBeLessThan(100);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024);
  });

  it("caps arrays of a zero-size type, which have no bytes to bound them", () => {
    const Empty = t.array(t.struct({}));
    expect(compactCodec.decode(Empty, fromHex("03"))).toEqual([{}, {}, {}]);
    const max = encodeHex(t.u32, MAX_ZERO_SIZE_ITEMS);
    expect((compactCodec.decode(Empty, fromHex(max)) as unknown[]).length).toBe(MAX_ZERO_SIZE_ITEMS);
    expect(decodeError(Empty, encodeHex(t.u32, MAX_ZERO_SIZE_ITEMS + 1))).toBe(
      "payload: array count 65537 is over the 65536 allowed for items of no size"
    );
  });

  it("decodes malformed UTF-8 as U+FFFD rather than failing", () => {
    expect(compactCodec.decode(t.string, fromHex("0261ff"))).toBe("a\ufffd");
  });

  it("does not keep the decoded frame alive or carry state between calls", () => {
    expect(decodeError(t.u8, "")).toMatch(/truncated/);
    expect(compactCodec.decode(t.u8, fromHex("05"))).toBe(5);
    expect(compactCodec.decode(t.array(t.u8), fromHex("0105"))).toEqual([5]);
  });
});
