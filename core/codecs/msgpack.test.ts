import { describe, it, expect } from "vitest";
import { encode as libEncode, decode as libDecode } from "@msgpack/msgpack";
import { t, type Type } from "../schema";
import { Writer } from "../codec";
import { CellError, ErrorCode } from "../errors";
import { msgpackCodec } from "./msgpack";
import { MAX_DEPTH } from "./msgpack-decode";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

function encodeHex(type: Type, value: unknown): string {
  const w = new Writer(8);
  msgpackCodec.encode(type, value, w);
  return hex(w.view());
}

function decodeError(type: Type, bytes: string | Uint8Array): string {
  try {
    msgpackCodec.decode(type, typeof bytes === "string" ? fromHex(bytes) : bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CellError);
    expect((e as CellError).code).toBe(ErrorCode.BadPayload);
    return (e as Error).message;
  }
  throw new Error("decoded without an error");
}

/** Our bytes equal the library's, and each side reads the other's. */
function sameAsLibrary(type: Type, value: unknown): void {
  const ours = encodeHex(type, value);
  expect(ours).toBe(hex(libEncode(value)));
  expect(msgpackCodec.decode(type, libEncode(value))).toEqual(value);
  expect(libDecode(fromHex(ours))).toEqual(value);
}

describe("MSGPACK encoding matches @msgpack/msgpack", () => {
  it("picks the same integer form at every boundary", () => {
    const edges = [
      0,
      127,
      128,
      255,
      256,
      65535,
      65536,
      4294967295,
      4294967296,
      2 ** 53 - 1,
      -1,
      -32,
      -33,
      -128,
      -129,
      -32768,
      -32769,
      -2147483648,
      -2147483649,
      -(2 ** 53) + 1
    ];
    for (const v of edges) sameAsLibrary(t.f64, v);
    expect(encodeHex(t.u8, 200)).toBe("ccc8");
    expect(encodeHex(t.i8, -5)).toBe("fb");
    expect(encodeHex(t.i32, -100000)).toBe("d2fffe7960");
    expect(encodeHex(t.f64, 2 ** 40)).toBe("cf0000010000000000");
    expect(encodeHex(t.f64, -(2 ** 40))).toBe("d3ffffff0000000000");
  });

  it("writes non-integers as float64, and -0 as 0 like the library", () => {
    for (const v of [0.5, -1.25, 1e300, 2 ** 53, NaN, Infinity, -Infinity]) {
      expect(encodeHex(t.f64, v)).toBe(hex(libEncode(v)));
    }
    expect(encodeHex(t.f32, 21.5)).toBe("cb4035800000000000");
    expect(encodeHex(t.f64, -0)).toBe("00");
  });

  it("picks the same str, bin, array and map forms by size", () => {
    for (const n of [0, 10, 11, 31, 32, 255, 256, 65535, 65536]) {
      sameAsLibrary(t.string, "a".repeat(n));
      sameAsLibrary(t.string, "é".repeat(n >> 1));
      sameAsLibrary(
        t.bytes,
        new Uint8Array(n).map((_, i) => i)
      );
    }
    for (const n of [0, 15, 16, 65535, 65536]) sameAsLibrary(t.array(t.u8), new Array(n).fill(7));
    for (const n of [0, 15, 16, 17]) {
      const fields: Record<string, Type> = {};
      const value: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        fields["f" + i] = t.u16;
        value["f" + i] = i * 1000;
      }
      sameAsLibrary(t.struct(fields), value);
    }
  });

  it("writes structs as maps in declared order, leaving absent optionals out", () => {
    const S = t.struct({ b: t.optional(t.u8), a: t.bool, e: t.enum(["on", "off"]) });
    expect(encodeHex(S, { a: true, e: "off", extra: 1 })).toBe("82a161c3a165a36f6666");
    expect(encodeHex(S, { a: false, e: "on", b: 3 })).toBe(hex(libEncode({ b: 3, a: false, e: "on" })));
    expect(encodeHex(S, { a: false, e: "on", b: null })).toBe("82a161c2a165a26f6e");
    expect(encodeHex(t.optional(t.u8), undefined)).toBe("c0");
    expect(encodeHex(t.array(t.optional(t.u8)), [1, undefined])).toBe("9201c0");
  });

  it("writes a lone surrogate as U+FFFD (the library's short-string path writes it as is)", () => {
    expect(encodeHex(t.string, "\ud800")).toBe("a3efbfbd");
  });

  it("fills the Writer up to its limit exactly", () => {
    const w = new Writer(4, 12);
    msgpackCodec.encode(t.struct({ s: t.string }), { s: "x".repeat(8) }, w); // 81 a1 73 a8 + 8 bytes
    expect(w.pos).toBe(12);
    expect(() => msgpackCodec.encode(t.u8, 200, w)).toThrow(/larger than 12 bytes/);
    expect(w.pos).toBe(12);
  });

  it("refuses wrong values with the field path, leaving the writer as it was", () => {
    const w = new Writer();
    const S = t.struct({ r: t.struct({ unit: t.enum(["C", "F"]) }), n: t.u16 });
    expect(() => msgpackCodec.encode(S, { r: { unit: "K" }, n: 1 }, w)).toThrow('r.unit: expected one of C|F, got "K"');
    expect(() => msgpackCodec.encode(S, { r: { unit: "C" }, n: 70000 }, w)).toThrow("n: expected u16 (an integer 0..65535), got 70000");
    expect(() => msgpackCodec.encode(S, { n: 1 }, w)).toThrow("r: missing (required {unit:enum<C|F>})");
    expect(w.pos).toBe(0);
  });
});

describe("MSGPACK decoding", () => {
  it("accepts every int form and float32 when the value fits the type", () => {
    expect(msgpackCodec.decode(t.u8, fromHex("cd00ff"))).toBe(255); // uint16 holding a u8 value
    expect(msgpackCodec.decode(t.i8, fromHex("d3ffffffffffffff80"))).toBe(-128); // int64
    expect(msgpackCodec.decode(t.u32, fromHex("cf00000000ffffffff"))).toBe(4294967295); // uint64
    expect(msgpackCodec.decode(t.f64, fromHex("cf001fffffffffffff"))).toBe(2 ** 53 - 1);
    expect(msgpackCodec.decode(t.f32, fromHex("ca41ac0000"))).toBe(21.5);
    expect(msgpackCodec.decode(t.string, fromHex("d9026869"))).toBe("hi"); // str8 for a short string
    expect(msgpackCodec.decode(t.u8, fromHex("cb4000000000000000"))).toBe(2); // a whole float is an integer
  });

  it("refuses values that do not fit the type", () => {
    expect(decodeError(t.u8, "cd0100")).toBe("payload: expected u8 (an integer 0..255), got 256");
    expect(decodeError(t.u8, "cb3ff8000000000000")).toMatch(/got 1.5/);
    expect(decodeError(t.string, "01")).toBe("payload: expected string, got 1");
    expect(decodeError(t.bytes, "a26869")).toMatch(/expected bytes/);
    expect(decodeError(t.struct({ u: t.enum(["C", "F"]) }), hex(libEncode({ u: "K" })))).toBe('u: expected one of C|F, got "K"');
  });

  it("drops unknown keys, takes nil as absent and accepts any key order", () => {
    const S = t.struct({ a: t.u8, b: t.optional(t.string) });
    expect(msgpackCodec.decode(S, libEncode({ z: [1, { y: 2 }], b: "x", a: 1 }))).toEqual({ a: 1, b: "x" });
    const absent = msgpackCodec.decode(S, libEncode({ a: 1, b: null })) as object;
    expect(absent).toEqual({ a: 1 });
    expect("b" in absent).toBe(false);
    expect(decodeError(S, libEncode({ b: "x" }))).toBe("a: missing (required u8)");
  });

  it("refuses types outside the subset, bad keys and trailing bytes", () => {
    expect(decodeError(t.u8, "c1")).toMatch(/msgpack type 0xc1 is not supported/);
    expect(decodeError(t.bytes, "d40100")).toMatch(/0xd4 is not supported/);
    expect(decodeError(t.u8, "0101")).toBe("payload: 1 trailing bytes after the value");
    expect(decodeError(t.struct({}), "810102")).toBe("payload: map key must be a string, got number");
    expect(decodeError(t.struct({}), "81c001")).toMatch(/got nil/);
    expect(decodeError(t.struct({}), hex(libEncode({ a: 1 })).replace("a161", "a95f5f70726f746f5f5f"))).toBe(
      "payload: map key __proto__ is not allowed"
    );
    expect(decodeError(t.f64, "cf0020000000000000")).toMatch(/uint64 beyond the safe integer range/);
    expect(decodeError(t.f64, "d3ffdfffffffffffff")).toMatch(/int64 beyond the safe integer range/);
  });

  it("names the key path of truncated input", () => {
    const bytes = libEncode({ outer: { list: [1, "abc"] } });
    expect(decodeError(t.struct({}), bytes.subarray(0, bytes.length - 1))).toBe(
      "outer.list[1]: str length 3 is larger than the 2 bytes left"
    );
  });

  it("refuses values nested deeper than MAX_DEPTH without overflowing the stack", () => {
    // A map holding MAX_DEPTH - 1 arrays puts the innermost value MAX_DEPTH levels down: the most allowed.
    const deepest = "81a178" + "91".repeat(MAX_DEPTH - 1) + "01";
    expect(msgpackCodec.decode(t.struct({}), fromHex(deepest))).toEqual({});
    expect(decodeError(t.struct({}), "81a178" + "91".repeat(MAX_DEPTH) + "01")).toMatch(/nested deeper than 32 levels/);
    expect(decodeError(t.u8, "91".repeat(100000) + "01")).toMatch(/nested deeper than 32 levels/);
  });

  it("fails fast on a length claiming 4 billion items, without allocating them", () => {
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    expect(decodeError(t.array(t.u8), "ddffffffff01")).toBe("payload: array size 4294967295 is larger than the 1 bytes left");
    expect(decodeError(t.struct({}), "dfffffffff01")).toMatch(/map size 4294967295 is larger/);
    expect(decodeError(t.string, "dbffffffff01")).toMatch(/str length 4294967295 is larger/);
    expect(decodeError(t.bytes, "c6ffffffff01")).toMatch(/bin length 4294967295 is larger/);
    expect(decodeError(t.array(t.u8), "9f01")).toMatch(/array size 15 is larger/);
    expect(performance.now() - started).toBeLessThan(100);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024);
  });

  it("returns bytes as copies", () => {
    const frame = fromHex("c4020102");
    const value = msgpackCodec.decode(t.bytes, frame) as Uint8Array;
    frame.fill(0);
    expect(Array.from(value)).toEqual([1, 2]);
  });
});
