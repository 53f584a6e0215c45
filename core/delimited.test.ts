import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { DelimitedDecoder } from "./delimited";
import { HEADER_SIZE, KIND_COUNT, encodeHeader, decodeHeader, newHeader } from "./header";
import { newLinkStats } from "./drops";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function frame(payload: Uint8Array, requestId = 1, kind = 0): Uint8Array {
  const f = new Uint8Array(HEADER_SIZE + payload.length);
  encodeHeader({ kind, flags: 0, codec: 1, cellId: 0x2d2ce39e, methodId: 0x85b7894d, requestId, length: payload.length }, f, 0);
  f.set(payload, HEADER_SIZE);
  return f;
}

const frameArb = (maxPayload: number) =>
  fc
    .tuple(fc.uint8Array({ maxLength: maxPayload }), fc.nat(), fc.integer({ min: 0, max: KIND_COUNT - 1 }))
    .map(([p, id, k]) => frame(p, id, k));

function feedAll(dec: DelimitedDecoder, bytes: Uint8Array, sizes: number[]): string[] {
  const out: string[] = [];
  for (let at = 0, k = 0; at < bytes.length;) {
    const n = sizes[k++ % sizes.length];
    dec.feed(bytes.subarray(at, at + n), (f) => out.push(hex(f)));
    expect(dec.buffered).toBeLessThanOrEqual(dec.maxFrame);
    at += n;
  }
  return out;
}

const sizesArb = fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 6 });

describe("DelimitedDecoder", () => {
  it("splits frames sent back to back, whatever the chunking", () => {
    fc.assert(
      fc.property(fc.array(frameArb(300), { maxLength: 8 }), sizesArb, (frames, sizes) => {
        const stats = newLinkStats();
        const dec = new DelimitedDecoder(HEADER_SIZE + 300, stats);
        const stream = Buffer.concat(frames);
        expect(feedAll(dec, stream, sizes)).toEqual(frames.map(hex));
        expect(dec.failed).toBe(false);
        expect(stats.framesIn).toBe(frames.length);
        expect(stats.bytesIn).toBe(stream.length);
      }),
      { numRuns: 200 }
    );
  });

  it("fails the stream on a bad header and ignores what follows", () => {
    const cases: [string, (f: Uint8Array) => void][] = [
      ["BadMagic", (f) => (f[0] = 0xcf)],
      ["BadVersion", (f) => (f[1] = 2)],
      ["BadKind", (f) => (f[2] = 9)],
      ["TooLong", (f) => (f[16] = 200)]
    ];
    for (const [reason, spoil] of cases) {
      const stats = newLinkStats();
      const dec = new DelimitedDecoder(HEADER_SIZE + 100, stats);
      const good = frame(new Uint8Array([1, 2, 3]));
      const bad = frame(new Uint8Array([4, 5, 6]));
      spoil(bad);
      const got = feedAll(dec, Buffer.concat([good, bad, good, good]), [7]);
      expect(got).toEqual([hex(good)]);
      expect(dec.failed).toBe(true);
      expect(dec.failReason).toBe(reason);
      expect(stats.drops).toEqual({ [reason]: 1 });
    }
  });

  it("fails on a length field near 2^32 without allocating", () => {
    const stats = newLinkStats();
    const dec = new DelimitedDecoder(1044, stats);
    const f = frame(new Uint8Array(0));
    f[16] = f[17] = f[18] = f[19] = 0xff;
    dec.feed(f, () => {
      throw new Error("no frame expected");
    });
    expect(dec.failReason).toBe("TooLong");
  });

  it("never throws on random bytes, yields only well-formed frames, keeps memory bounded", () => {
    fc.assert(
      fc.property(
        fc.array(frameArb(100), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: HEADER_SIZE, max: 400 }),
        sizesArb,
        (frames, noise, maxFrame, sizes) => {
          // Good frames first (those that fit), then noise: the good ones come out, the noise never crashes.
          const fitting = frames.filter((f) => f.length <= maxFrame);
          const stats = newLinkStats();
          const dec = new DelimitedDecoder(maxFrame, stats);
          const got = feedAll(dec, Buffer.concat([...fitting, noise]), sizes);
          expect(got.slice(0, fitting.length)).toEqual(fitting.map(hex));
          for (const h of got) {
            const f = Buffer.from(h, "hex");
            expect(f.length).toBeLessThanOrEqual(maxFrame);
            expect(decodeHeader(f, 0, f.length, newHeader())).toBeNull();
          }
          if (dec.failed) expect(stats.drops).toEqual({ [dec.failReason!]: 1 });
        }
      ),
      { numRuns: 300 }
    );
  });

  it("queues bytes fed from inside onFrame", () => {
    const a = frame(new Uint8Array([1]), 1);
    const b = frame(new Uint8Array([2]), 2);
    const dec = new DelimitedDecoder(100);
    const seen: string[] = [];
    const onFrame = (f: Uint8Array) => {
      seen.push(hex(f));
      if (seen.length === 1) dec.feed(b, onFrame);
    };
    dec.feed(Buffer.concat([a, a]), onFrame);
    expect(seen).toEqual([hex(a), hex(a), hex(b)]);
  });
});
