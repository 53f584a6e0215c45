import { describe, it, expect } from "vitest";
import { Writer } from "./codec";

describe("Writer.view", () => {
  it("hands out one view per range instead of one per call", () => {
    const w = new Writer(8);
    w.reset(2);
    w.bytes(Uint8Array.of(1, 2, 3));
    const v = w.view();
    expect(Array.from(v)).toEqual([0, 0, 1, 2, 3]);
    w.reset(2);
    w.bytes(Uint8Array.of(4, 5, 6));
    expect(w.view()).toBe(v); // same range: same view, now showing the new bytes
    expect(Array.from(v)).toEqual([0, 0, 4, 5, 6]);
    expect(Array.from(w.view(2))).toEqual([4, 5, 6]);
    w.u8(7);
    expect(Array.from(w.view())).toEqual([0, 0, 4, 5, 6, 7]);
  });

  it("gives a view of the new buffer after growing", () => {
    const w = new Writer(4);
    w.bytes(Uint8Array.of(1, 2, 3, 4));
    const small = w.view();
    w.reset();
    w.bytes(Uint8Array.of(9, 9, 9, 9, 9, 9));
    w.reset(4);
    const grown = w.view();
    expect(grown).not.toBe(small);
    expect(grown.buffer).toBe(w.buf.buffer);
    expect(Array.from(grown)).toEqual([9, 9, 9, 9]);
  });
});
