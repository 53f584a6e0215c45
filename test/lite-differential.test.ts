// The lite device path against the host core, on random input (fast-check): lite COMPACT encodes the
// same bytes as core's and decodes what core encodes to equal values, both refuse the same bad values
// and bytes; lite UTF-8 equals core's; the lite stream link receives the same frames and counts the
// same drops as core's StreamDecoder on noisy streams in random chunks, and sends the same bytes.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { t, type Type } from "../core/schema";
import { Writer } from "../core/codec";
import { compactCodec as coreCompact } from "../core/codecs/compact";
import { compactCodec } from "../core/lite/compact";
import { utf8Read, utf8Write } from "../core/lite/utf8";
import { seek, frame, at } from "../core/lite/bytes";
import { utf8Encode, utf8Decode } from "../core/utf8";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import { newLinkStats } from "../core/drops";
import { HEADER_SIZE, encodeHeader } from "../core/header";
import { bytes, hex, liteEncode, liteError, liteLinkOnPort } from "./lite-helpers";
import { typeArb, valueArb, anything } from "./arbitraries";

const coreEncode = (type: Type, value: unknown) => {
  const w = new Writer(16);
  coreCompact.encode(type, value, w);
  return w.view().slice();
};

/** What a call came to: its result, or the error code it threw (lite throws the bare number, core a CellError). */
function coreOutcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return typeof e === "number" ? e : (e as { code: number }).code;
  }
}

/** Every string inside a decoded value. */
function stringsIn(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === "object" && !(v instanceof Uint8Array)) return Object.values(v).flatMap(stringsIn);
  return [];
}

/**
 * Lite decodes `bytes` as core does: the same value, or BadPayload from both. The one allowed
 * difference (spec/codecs.md): lite refuses malformed UTF-8 (a URIError, answered BadPayload) where
 * core reads U+FFFD, so core's value then holds a U+FFFD.
 */
function expectSameDecode(type: Type, bytes: Uint8Array): void {
  const core = coreOutcome(() => coreCompact.decode(type, bytes));
  const lite = coreOutcome(() => {
    try {
      return compactCodec.decode(type, bytes);
    } catch (e) {
      throw e instanceof URIError ? 3 : e;
    }
  });
  if (lite === 3 && core !== 3) expect(stringsIn(core).some((x) => x.includes("\ufffd"))).toBe(true);
  else expect(lite).toEqual(core);
}

describe("lite COMPACT against core's", () => {
  it("encodes every value of every type to the same bytes, and decodes core's bytes to the same value", () => {
    fc.assert(
      fc.property(
        typeArb(3).chain((type) => valueArb(type).map((value) => ({ type, value }))),
        ({ type, value }) => {
          const bytes = coreEncode(type, value);
          expect(hex(liteEncode(type, value))).toBe(hex(bytes));
          expect(compactCodec.decode(type, bytes)).toEqual(coreCompact.decode(type, bytes));
        }
      ),
      { numRuns: 2000 }
    );
  });

  it("refuses the same wrong values (BadPayload)", () => {
    fc.assert(
      fc.property(typeArb(2), anything, (type, value) => {
        const core = coreOutcome(() => hex(coreEncode(type, value)));
        const lite = coreOutcome(() => hex(liteEncode(type, value)));
        expect(lite).toEqual(core);
      }),
      { numRuns: 3000 }
    );
  });

  it("decodes random and mutated bytes as core does: the same value, or BadPayload from both", () => {
    const mutated = typeArb(3).chain((type) =>
      fc.tuple(
        fc.constant(type),
        valueArb(type),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.integer({ min: -2, max: 2 })
      )
    );
    fc.assert(
      fc.property(mutated, ([type, value, flips, cut]) => {
        let bytes = coreEncode(type, value);
        for (const [at, b] of flips) if (bytes.length) bytes[at % bytes.length] = b;
        if (cut < 0) bytes = bytes.subarray(0, Math.max(0, bytes.length + cut));
        if (cut > 0) bytes = Uint8Array.from([...bytes, ...new Array(cut).fill(7)]);
        expectSameDecode(type, bytes);
      }),
      { numRuns: 3000 }
    );
    fc.assert(
      fc.property(typeArb(2), fc.uint8Array({ maxLength: 24 }), (type, bytes) => {
        expectSameDecode(type, bytes);
      }),
      { numRuns: 3000 }
    );
  });

  it("never allocates from a claimed length: huge counts fail at once", () => {
    expect(liteError(() => compactCodec.decode(t.array(t.u8), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1])))).toBe(3);
    expect(liteError(() => compactCodec.decode(t.array(t.struct({})), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])))).toBe(3);
    expect(compactCodec.decode(t.array(t.struct({})), Uint8Array.from([0x80, 0x80, 0x04]))).toHaveLength(65536);
    expect(liteError(() => compactCodec.decode(t.string, Uint8Array.from([0x85, 0x80, 0x80, 0x80, 0x01])))).toBe(3);
  });

  it("fails TooLarge (7) when a value does not fit the frame", () => {
    expect(liteError(() => liteEncode(t.string, "x".repeat(40), 32))).toBe(7);
    expect(hex(liteEncode(t.string, "x".repeat(30), 31))).toBe("1e" + "78".repeat(30));
  });
});

describe("lite UTF-8 against core's", () => {
  /** Strings of any UTF-16 code units, lone surrogates included. */
  const anyString = fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength: 8 })
  );
  const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

  it("writes every well-formed string as core does and counts the same length; refuses a lone surrogate (spec/codecs.md)", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        seek(0, new Uint8Array(200));
        if (!wellFormed(s)) {
          expect(() => utf8Write(s)).toThrow(URIError);
          expect(at).toBe(0); // refused before a byte is written
          return;
        }
        const n = utf8Write(s);
        expect(hex(frame.subarray(0, at))).toBe(hex(utf8Encode(s)));
        expect(utf8Write(s, true)).toBe(n);
      }),
      { numRuns: 3000 }
    );
    expect(liteError(() => liteEncode(t.string, "a\ud800b"))).toBeInstanceOf(URIError);
  });

  it("reads well-formed UTF-8 as core does, and refuses malformed bytes (URIError; BadPayload in COMPACT) where core reads U+FFFD", () => {
    const utf8ish = fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xa0, 0x9f, 0x90, 0x8f)
      ),
      { maxLength: 24 }
    );
    let malformed = 0;
    fc.assert(
      fc.property(utf8ish, fc.nat(4), (list, extra) => {
        const b = Uint8Array.from([...list, 0xe2, 0x82, 0xac].slice(0, list.length + extra));
        const valid = (() => {
          try {
            new TextDecoder("utf-8", { fatal: true }).decode(b);
            return true;
          } catch {
            return false;
          }
        })();
        if (valid) expect(utf8Read(b, 0, b.length)).toBe(utf8Decode(b, 0, b.length));
        else {
          malformed++;
          expect(() => utf8Read(b, 0, b.length)).toThrow(URIError);
          const payload = Uint8Array.from([b.length, ...b]);
          expect(liteError(() => compactCodec.decode(t.string, payload))).toBeInstanceOf(URIError);
        }
      }),
      { numRuns: 5000 }
    );
    expect(malformed).toBeGreaterThan(100); // the generator does reach the malformed cases
    // Overlong forms, encoded surrogates and code points past U+10FFFF are malformed too.
    for (const h of ["c0af", "e080af", "eda080", "f4908080", "f880808080", "80", "e282"])
      expect(() => utf8Read(bytes(h), 0, bytes(h).length)).toThrow(URIError);
    expect(utf8Read(bytes("f09f9880e282ac"), 0, 7)).toBe("😀€");
  });
});

describe("lite stream link against core's StreamEncoder and StreamDecoder", () => {
  const frameArb = fc
    .record({
      kind: fc.integer({ min: 0, max: 5 }),
      payload: fc.uint8Array({ maxLength: 300 }),
      ids: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 3, maxLength: 3 })
    })
    .map(({ kind, payload, ids }) => {
      const f = new Uint8Array(HEADER_SIZE + payload.length);
      encodeHeader({ kind, flags: 0, codec: 2, cellId: ids[0], methodId: ids[1], requestId: ids[2], length: payload.length }, f, 0);
      f.set(payload, HEADER_SIZE);
      return f;
    });

  it("sends every frame as core's encoder does", () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const l = liteLinkOnPort(1 << 16);
        l.link.send(frame);
        expect(hex(l.written[0])).toBe(hex(new StreamEncoder().encode(frame)));
      }),
      { numRuns: 500 }
    );
  });

  it("receives the same frames and counts the same drops on noisy streams, in any chunking", () => {
    // Pieces of a stream: good frames, frames with a flipped byte, cut frames, noise, runs of zeros.
    const piece = fc.oneof(
      { arbitrary: frameArb.map((f) => new StreamEncoder().encode(f).slice()), weight: 4 },
      fc.tuple(frameArb, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([f, at, x]) => {
        const s = new StreamEncoder().encode(f).slice();
        s[at % (s.length - 1)] ^= x;
        return s;
      }),
      fc.tuple(frameArb, fc.nat()).map(([f, cut]) => new StreamEncoder().encode(f).slice(0, 1 + (cut % 40))),
      fc.uint8Array({ maxLength: 80 }),
      fc.uint8Array({ minLength: 200, maxLength: 700 }).map((b) => b.map((x) => x | 1)),
      fc.integer({ min: 1, max: 3 }).map((n) => new Uint8Array(n))
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }),
        fc.integer({ min: 24, max: 400 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
        (pieces, maxFrame, cuts) => {
          const stream = Uint8Array.from(pieces.flatMap((p) => [...p]));
          const stats = newLinkStats();
          const coreFrames: string[] = [];
          new StreamDecoder(maxFrame, stats).feed(stream, (f) => coreFrames.push(hex(f)));
          const l = liteLinkOnPort(maxFrame);
          for (let at = 0, i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length];
            l.feed(stream.subarray(at, at + n));
            at += n;
          }
          expect(l.frames.map(hex)).toEqual(coreFrames);
          expect(l.drops()).toEqual(stats.drops);
        }
      ),
      { numRuns: 600 }
    );
  });

  it("keeps memory bounded: a huge frame is skipped without being stored", () => {
    const l = liteLinkOnPort(64);
    l.feed(new Uint8Array(100000).fill(0x41));
    l.feed(new Uint8Array([0]));
    const good = new Uint8Array(HEADER_SIZE);
    encodeHeader({ kind: 0, flags: 0, codec: 0, cellId: 1, methodId: 0, requestId: 1, length: 0 }, good, 0);
    l.feed(new StreamEncoder().encode(good).slice());
    expect(l.drops()).toEqual({ TooLong: 1 });
    expect(l.frames.map(hex)).toEqual([hex(good)]);
  });
});

describe("lite COMPACT on values with no primitive value", () => {
  it("refuses them with BadPayload as core does, not a TypeError", () => {
    for (const type of [t.u8, t.u16, t.u32, t.i8, t.i16, t.i32]) {
      for (const value of [Object.create(null), { toString: {} }]) {
        expect(liteError(() => liteEncode(type, value))).toBe(3);
      }
    }
  });
});
