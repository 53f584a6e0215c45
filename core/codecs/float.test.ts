import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readF32, readF64, writeF32, writeF64 } from "./float";

describe("float bytes", () => {
  it("match DataView in both byte orders", () => {
    fc.assert(
      fc.property(fc.double(), fc.boolean(), (v, little) => {
        const ours = new Uint8Array(10);
        writeF64(ours, 1, v, little);
        const view = new DataView(new ArrayBuffer(10));
        view.setFloat64(1, v, little);
        if (!Number.isNaN(v)) expect(ours).toEqual(new Uint8Array(view.buffer));
        expect(Object.is(readF64(ours, 1, little), view.getFloat64(1, little))).toBe(true);
        writeF32(ours, 2, v, little);
        view.setFloat32(2, v, little);
        if (!Number.isNaN(v)) expect(ours.subarray(2, 6)).toEqual(new Uint8Array(view.buffer, 2, 4));
        expect(Object.is(readF32(ours, 2, little), Math.fround(v))).toBe(true);
      })
    );
  });
});
