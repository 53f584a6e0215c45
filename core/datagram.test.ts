import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { checkDatagram } from "./datagram";
import { HEADER_SIZE, encodeHeader, newHeader } from "./header";
import { newLinkStats } from "./drops";

function frame(payloadLength: number, lengthField = payloadLength): Uint8Array {
  const f = new Uint8Array(HEADER_SIZE + payloadLength);
  encodeHeader({ kind: 3, flags: 0, codec: 1, cellId: 11, methodId: 0xfa865123, requestId: 0, length: lengthField }, f, 0);
  return f;
}

describe("checkDatagram", () => {
  it("accepts a well-formed frame and reads its header", () => {
    const stats = newLinkStats();
    const h = newHeader();
    expect(checkDatagram(frame(10), 100, stats, h)).toBe(true);
    expect(h).toMatchObject({ kind: 3, codec: 1, cellId: 11, methodId: 0xfa865123, length: 10 });
    expect(stats).toMatchObject({ framesIn: 1, bytesIn: 30, drops: {} });
  });

  it("counts each kind of bad datagram", () => {
    const stats = newLinkStats();
    const bad = (f: Uint8Array, max = 100) => expect(checkDatagram(f, max, stats)).toBe(false);
    bad(frame(10), 29);
    bad(frame(0).subarray(0, 19));
    bad(frame(4, 5));
    bad(frame(4, 3));
    const m = frame(0);
    m[0] = 0;
    bad(m);
    const v = frame(0);
    v[1] = 9;
    bad(v);
    const k = frame(0);
    k[2] = 6;
    bad(k);
    expect(stats.drops).toEqual({ TooLong: 1, TooShort: 1, BadLength: 2, BadMagic: 1, BadVersion: 1, BadKind: 1 });
    expect(stats.framesIn).toBe(0);
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 300 }), (bytes, max) => {
        const stats = newLinkStats();
        const ok = checkDatagram(bytes, max, stats);
        expect(stats.framesIn + Object.values(stats.drops).reduce((a, b) => a + b, 0)).toBe(1);
        expect(ok).toBe(stats.framesIn === 1);
      })
    );
  });
});
