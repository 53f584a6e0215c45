import { describe, it, expect, afterEach } from "vitest";
import { copyBytes, setBytesSlab } from "./slab";

describe("copyBytes", () => {
  afterEach(() => setBytesSlab(8192));

  it("copies small values into one shared slab, each its own view", () => {
    setBytesSlab(1024);
    const src = Uint8Array.from({ length: 300 }, (_, i) => i & 255);
    const a = copyBytes(src, 0, 100);
    const b = copyBytes(src, 100, 120);
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer).not.toBe(src.buffer);
    expect(Array.from(a)).toEqual(Array.from(src.subarray(0, 100)));
    expect(Array.from(b)).toEqual(Array.from(src.subarray(100, 120)));
    b.fill(9);
    expect(a[99]).toBe(99); // views do not overlap
    src.fill(0);
    expect(a[50]).toBe(50); // and do not alias the source
  });

  it("starts a new slab when one is full, and gives large values their own array", () => {
    setBytesSlab(1024);
    const src = new Uint8Array(2000).fill(7);
    const first = copyBytes(src, 0, 128);
    for (let i = 0; i < 7; i++) expect(copyBytes(src, 0, 128).buffer).toBe(first.buffer); // 8 x 128 = 1024
    expect(copyBytes(src, 0, 1).buffer).not.toBe(first.buffer);
    const big = copyBytes(src, 0, 129); // above an eighth of the slab
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(129);
  });

  it("makes plain copies when slabs are off (the devices' default)", () => {
    setBytesSlab(0);
    const v = copyBytes(Uint8Array.of(1, 2, 3), 1, 3);
    expect(Array.from(v)).toEqual([2, 3]);
    expect(v.buffer.byteLength).toBe(2);
    expect(copyBytes(Uint8Array.of(1), 0, 0).length).toBe(0);
  });
});
