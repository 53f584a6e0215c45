import { describe, it, expect } from "vitest";
import { t } from "./schema";
import { CellError, ErrorCode } from "./errors";
import { checkValue, describeValue } from "./check";

function message(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CellError);
    expect((e as CellError).code).toBe(ErrorCode.BadPayload);
    return (e as Error).message;
  }
  throw new Error("expected a BadPayload error");
}

const Reading = t.struct({ value: t.f32, unit: t.enum(["C", "F"]), note: t.optional(t.string) });

describe("checkValue", () => {
  it("accepts each integer kind exactly over its range", () => {
    const ranges: [typeof t.u8, number, number][] = [
      [t.u8, 0, 255],
      [t.u16, 0, 65535],
      [t.u32, 0, 4294967295],
      [t.i8, -128, 127],
      [t.i16, -32768, 32767],
      [t.i32, -2147483648, 2147483647]
    ];
    for (const [type, min, max] of ranges) {
      expect(checkValue(type, min)).toBe(min);
      expect(checkValue(type, max)).toBe(max);
      expect(message(() => checkValue(type, max + 1))).toBe(`payload: expected ${type.sig} (an integer ${min}..${max}), got ${max + 1}`);
      expect(message(() => checkValue(type, min - 1))).toMatch(/expected/);
      expect(message(() => checkValue(type, 1.5))).toMatch(/got 1.5$/);
      expect(message(() => checkValue(type, "1"))).toMatch(/got "1"$/);
      expect(message(() => checkValue(type, NaN))).toMatch(/got NaN$/);
    }
  });

  it("accepts any number for f64 and f32 within the f32 range", () => {
    for (const v of [0, -0, 1.5, NaN, Infinity, -Infinity, 1e300]) expect(checkValue(t.f64, v)).toBe(v);
    expect(checkValue(t.f32, 3.4028234663852886e38)).toBe(3.4028234663852886e38);
    expect(checkValue(t.f32, Infinity)).toBe(Infinity);
    expect(message(() => checkValue(t.f32, 1e39))).toBe("payload: expected f32, got 1e+39 (beyond the f32 range)");
    expect(message(() => checkValue(t.f32, -3.5e38))).toMatch(/beyond the f32 range/);
    expect(message(() => checkValue(t.f64, "1"))).toBe('payload: expected f64 (a number), got "1"');
  });

  it("refuses NaN and Infinity when the codec cannot carry them", () => {
    expect(message(() => checkValue(t.f64, NaN, "", { finiteOnly: true }))).toMatch(/NaN cannot be sent/);
    expect(message(() => checkValue(t.f32, -Infinity, "x", { finiteOnly: true }))).toMatch(/^x: -Infinity cannot be sent/);
  });

  it("checks bool, string and bytes", () => {
    expect(checkValue(t.bool, false)).toBe(false);
    expect(message(() => checkValue(t.bool, 0))).toBe("payload: expected bool (true or false), got 0");
    expect(checkValue(t.string, "")).toBe("");
    expect(message(() => checkValue(t.string, null))).toBe("payload: expected string, got null");
    const b = new Uint8Array([1]);
    expect(checkValue(t.bytes, b)).toBe(b);
    expect(message(() => checkValue(t.bytes, [1]))).toBe("payload: expected bytes (a Uint8Array), got an array");
    expect(message(() => checkValue(t.bytes, new Uint16Array(1)))).toMatch(/got an object/);
  });

  it("lets a codec convert bytes", () => {
    const opts = { bytes: (v: unknown) => (v === "AQ==" ? new Uint8Array([1]) : v) };
    expect(checkValue(t.struct({ b: t.bytes }), { b: "AQ==" }, "", opts)).toEqual({ b: new Uint8Array([1]) });
  });

  it("names the field path in messages", () => {
    const Outer = t.struct({ reading: Reading, list: t.array(Reading) });
    const good = { value: 1, unit: "C" };
    expect(message(() => checkValue(Outer, { reading: { value: 1, unit: "K" }, list: [] }))).toBe(
      'reading.unit: expected one of C|F, got "K"'
    );
    expect(message(() => checkValue(Outer, { reading: good, list: [good, { unit: "F" }] }))).toBe("list[1].value: missing (required f32)");
    expect(message(() => checkValue(t.array(t.u8), [1, 2, -1]))).toMatch(/^payload\[2\]: expected u8/);
    expect(message(() => checkValue(Reading, { value: 1, unit: "C", note: 5 }, "req"))).toBe("req.note: expected string, got 5");
  });

  it("returns structs with only the declared fields, and null as an absent optional", () => {
    const input = { value: 2, unit: "F", note: null, extra: [1, 2] };
    const out = checkValue(Reading, input);
    expect(out).toEqual({ value: 2, unit: "F" });
    expect(Object.keys(out as object)).toEqual(["value", "unit"]);
    expect(checkValue(t.optional(t.u8), null)).toBeUndefined();
    expect(checkValue(t.array(t.optional(t.u8)), [1, null, undefined])).toEqual([1, undefined, undefined]);
  });

  it("refuses non-objects for a struct and non-arrays for an array", () => {
    expect(message(() => checkValue(Reading, [1, "C"]))).toMatch(
      /expected \{value:f32,unit:enum<C\|F>,note:optional<string>\} \(an object\), got an array/
    );
    expect(message(() => checkValue(Reading, "x"))).toMatch(/got "x"/);
    expect(message(() => checkValue(t.array(t.u8), { length: 0 }))).toBe("payload: expected array<u8> (an array), got an object");
    expect(message(() => checkValue(Reading, null))).toMatch(/got null/);
  });

  it("does not recurse into a value deeper than its type", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100000; i++) deep = [deep];
    expect(message(() => checkValue(t.array(t.u8), deep))).toBe("payload[0]: expected u8 (an integer 0..255), got an array");
  });
});

describe("describeValue", () => {
  it("keeps messages short", () => {
    expect(describeValue("x".repeat(1000))).toBe(JSON.stringify("x".repeat(24) + "..."));
    expect(describeValue(undefined)).toBe("nothing");
    expect(describeValue(() => 1)).toBe("a function");
    expect(describeValue(new Uint8Array(3))).toBe("a Uint8Array");
  });
});
