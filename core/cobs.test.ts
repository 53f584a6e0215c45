import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { createRequire } from "node:module";
import { cobsEncode, cobsDecode, cobsMaxEncodedLength } from "./cobs";

const cobsPackage = createRequire(import.meta.url)("cobs") as { encode(b: Uint8Array): Buffer };

function encode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(src.length));
  return out.subarray(0, cobsEncode(src, out));
}

describe("cobs", () => {
  it("encodes small known cases", () => {
    expect(Array.from(encode(new Uint8Array([])))).toEqual([1]);
    expect(Array.from(encode(new Uint8Array([0])))).toEqual([1, 1]);
    expect(Array.from(encode(new Uint8Array([0x11, 0x22, 0, 0x33])))).toEqual([3, 0x11, 0x22, 2, 0x33]);
  });

  it("bounds the encoded length", () => {
    expect(cobsMaxEncodedLength(0)).toBe(1);
    expect(cobsMaxEncodedLength(253)).toBe(254);
    expect(cobsMaxEncodedLength(254)).toBe(256);
    expect(cobsMaxEncodedLength(508)).toBe(511);
  });

  it("round-trips and never emits 0x00", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (src) => {
        const enc = encode(src);
        expect(enc.length).toBeLessThanOrEqual(cobsMaxEncodedLength(src.length));
        expect(enc.indexOf(0)).toBe(-1);
        const out = new Uint8Array(src.length);
        expect(cobsDecode(enc, out)).toBe(src.length);
        expect(out).toEqual(src);
      }),
      { numRuns: 300 }
    );
  });

  it("round-trips long non-zero runs (0xff groups)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 1, max: 255 }), (n, v) => {
        const src = new Uint8Array(n).map(() => v);
        const enc = encode(src);
        const out = new Uint8Array(n);
        expect(cobsDecode(enc, out)).toBe(n);
        expect(out).toEqual(src);
      })
    );
  });

  it("encodes exactly as the `cobs` npm package", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (src) => {
        expect(Buffer.from(encode(src)).toString("hex")).toBe(cobsPackage.encode(Buffer.from(src)).toString("hex"));
      }),
      { numRuns: 300 }
    );
  });

  it("decodes in place", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (src) => {
        const enc = encode(src).slice();
        const n = cobsDecode(enc);
        expect(n).toBe(src.length);
        expect(enc.subarray(0, n)).toEqual(src);
      })
    );
  });

  it("writes at offsets and encodes sub-ranges", () => {
    const src = new Uint8Array([9, 9, 0x11, 0, 0x22, 9]);
    const out = new Uint8Array(10).fill(0xee);
    const n = cobsEncode(src, out, 3, 2, 5);
    expect(n).toBe(4);
    expect(Array.from(out)).toEqual([0xee, 0xee, 0xee, 2, 0x11, 2, 0x22, 0xee, 0xee, 0xee]);
    const dec = new Uint8Array(8);
    expect(cobsDecode(out, dec, 1, 3, 7)).toBe(3);
    expect(Array.from(dec.subarray(1, 4))).toEqual([0x11, 0, 0x22]);
  });

  it("rejects invalid input with -1", () => {
    const out = new Uint8Array(16);
    expect(cobsDecode(new Uint8Array([]), out)).toBe(-1);
    expect(cobsDecode(new Uint8Array([0]), out)).toBe(-1);
    expect(cobsDecode(new Uint8Array([3, 0x11, 0]), out)).toBe(-1);
    expect(cobsDecode(new Uint8Array([5, 0x11, 0x22]), out)).toBe(-1);
  });

  it("never throws on random input given room", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (src) => {
        const n = cobsDecode(src, new Uint8Array(src.length));
        expect(n === -1 || (n >= 0 && n < src.length)).toBe(true);
      })
    );
  });

  it("throws RangeError on a buffer too small (a caller bug, not bad input)", () => {
    expect(() => cobsEncode(new Uint8Array(10), new Uint8Array(10))).toThrow(RangeError);
    expect(() => cobsDecode(new Uint8Array([4, 1, 2, 3]), new Uint8Array(2))).toThrow(RangeError);
  });
});
