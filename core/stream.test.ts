import { describe, it, expect } from "vitest";
import fc from "fast-check";
import * as zlib from "node:zlib";
import { createRequire } from "node:module";
import { StreamEncoder, StreamDecoder, streamEncodedMaxLength } from "./stream";
import { HEADER_SIZE, encodeHeader, decodeHeader, newHeader, KIND_COUNT } from "./header";
import { newLinkStats, LinkStats } from "./drops";
import { crc32Slices } from "./crc32";

const cobsPackage = createRequire(import.meta.url)("cobs") as { encode(b: Uint8Array): Buffer; decode(b: Uint8Array): Buffer };
const zlibCrc32 = (zlib as any).crc32 as (b: Uint8Array) => number;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A valid frame: random header fields and payload. */
const frameArb = (maxPayload: number) =>
  fc
    .record({
      kind: fc.integer({ min: 0, max: KIND_COUNT - 1 }),
      codec: fc.integer({ min: 0, max: 255 }),
      cellId: fc.nat(),
      methodId: fc.nat(),
      requestId: fc.nat(),
      payload: fc.uint8Array({ maxLength: maxPayload })
    })
    .map((r) => {
      const f = new Uint8Array(HEADER_SIZE + r.payload.length);
      encodeHeader({ ...r, flags: 0, length: r.payload.length }, f, 0);
      f.set(r.payload, HEADER_SIZE);
      return f;
    });

/** Stream bytes made by independent code: the `cobs` package and zlib's CRC. */
function referenceStream(frame: Uint8Array): Uint8Array {
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(zlibCrc32(frame) >>> 0);
  return Buffer.concat([cobsPackage.encode(Buffer.concat([frame, crc])), Buffer.from([0])]);
}

/** Feeds `bytes` cut into pieces of the given sizes (cycled); returns copies of the frames. */
function feedAll(dec: StreamDecoder, bytes: Uint8Array, sizes: number[] = [bytes.length || 1]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]);
    dec.feed(bytes.subarray(at, at + n), (f) => frames.push(f.slice()));
    expect(dec.buffered).toBeLessThanOrEqual(dec.capacity);
    at += n;
  }
  return frames;
}

/** Is `chunk` (no zeros) well-formed COBS? Checked independently of core/cobs.ts. */
function cobsWellFormed(chunk: Uint8Array): boolean {
  let i = 0;
  while (i < chunk.length) i += chunk[i];
  return chunk.length > 0 && i === chunk.length;
}

/** What a receiver must do with a whole stream, worked out with independent code (chunks shorter than maxFrame). */
function reference(stream: Uint8Array): { frames: string[]; drops: Record<string, number> } {
  const frames: string[] = [];
  const drops: Record<string, number> = {};
  const drop = (r: string) => (drops[r] = (drops[r] || 0) + 1);
  let start = 0;
  for (let i = 0; i < stream.length; i++) {
    if (stream[i] !== 0) continue;
    const chunk = stream.subarray(start, i);
    start = i + 1;
    if (chunk.length === 0) continue;
    if (!cobsWellFormed(chunk)) {
      drop("BadCobs");
      continue;
    }
    const dec = cobsPackage.decode(chunk);
    if (dec.length < HEADER_SIZE + 4) {
      drop("TooShort");
      continue;
    }
    const frame = dec.subarray(0, dec.length - 4);
    if (zlibCrc32(frame) >>> 0 !== dec.readUInt32LE(dec.length - 4)) {
      drop("BadCrc");
      continue;
    }
    const why = decodeHeader(frame, 0, frame.length, newHeader());
    if (why) {
      drop(why);
      continue;
    }
    frames.push(hex(frame));
  }
  return { frames, drops };
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 8 });
/** Noise rich in zeros and in 0xce/0x01 so that chunks often look almost like frames. */
const noiseArb = fc
  .uint8Array({ maxLength: 400 })
  .chain((raw) => fc.constant(raw.map((b) => (b < 40 ? 0 : b < 60 ? 0xce : b < 80 ? 1 : b))));

describe("StreamEncoder", () => {
  it("matches the `cobs` package + zlib CRC", () => {
    const enc = new StreamEncoder(16);
    fc.assert(
      fc.property(frameArb(600), (frame) => {
        const out = enc.encode(frame);
        expect(hex(out)).toBe(hex(referenceStream(frame)));
        expect(out.length).toBeLessThanOrEqual(streamEncodedMaxLength(frame.length));
      })
    );
  });

  it("matches the reference on long non-zero runs (the bulk-copy paths)", () => {
    const runs = fc.array(fc.tuple(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 1, max: 255 })), { maxLength: 5 });
    fc.assert(
      fc.property(runs, chunkSizes, (segments, sizes) => {
        const payload = Buffer.concat(segments.map(([n, v]) => Buffer.concat([Buffer.alloc(n, v), Buffer.from([0])])));
        const frame = new Uint8Array(HEADER_SIZE + payload.length);
        encodeHeader({ kind: 3, flags: 0, codec: 0, cellId: 5, methodId: 55, requestId: 0, length: payload.length }, frame, 0);
        frame.set(payload, HEADER_SIZE);
        const stream = new StreamEncoder().encode(frame).slice();
        expect(hex(stream)).toBe(hex(referenceStream(frame)));
        expect(feedAll(new StreamDecoder(frame.length), stream, sizes).map(hex)).toEqual([hex(frame)]);
      })
    );
  });

  it("gives the same bytes fused (JIT hosts) as group by group (devices), across runs near 254 bytes", () => {
    // Runs of non-zero bytes ending at every offset around the 254-byte limit of an in-place group,
    // where the fused pass hands over to the group-by-group encoder mid-frame.
    const frames: Uint8Array[] = [];
    for (let start = 0; start < 12; start++)
      for (let run = 240; run < 270; run++) {
        const f = new Uint8Array(HEADER_SIZE + start + run + 9);
        f.fill(0x41, HEADER_SIZE + start, HEADER_SIZE + start + run);
        encodeHeader({ kind: 1, flags: 0, codec: 0, cellId: 9, methodId: 99, requestId: run, length: f.length - HEADER_SIZE }, f, 0);
        frames.push(f);
      }
    const fused = frames.map((f) => hex(new StreamEncoder().encode(f)));
    try {
      crc32Slices(4); // no slicing-by-8 table: the encoder takes its device path
      expect(frames.map((f) => hex(new StreamEncoder().encode(f)))).toEqual(fused);
    } finally {
      crc32Slices(8);
    }
    expect(fused).toEqual(frames.map((f) => hex(referenceStream(f))));
  });

  it("reuses one output buffer once it is big enough", () => {
    const enc = new StreamEncoder(16);
    const first = enc.encode(new Uint8Array(620)).buffer;
    for (let i = 0; i < 50; i++) expect(enc.encode(new Uint8Array(20 + i * 12)).buffer).toBe(first);
  });
});

describe("StreamDecoder", () => {
  it("round-trips random frames in random chunks", () => {
    fc.assert(
      fc.property(fc.array(frameArb(700), { maxLength: 6 }), chunkSizes, (frames, sizes) => {
        const enc = new StreamEncoder();
        const stream = Buffer.concat(frames.map((f) => Buffer.from(enc.encode(f))));
        const stats = newLinkStats();
        const dec = new StreamDecoder(HEADER_SIZE + 700, stats);
        expect(feedAll(dec, stream, sizes).map(hex)).toEqual(frames.map(hex));
        expect(stats.framesIn).toBe(frames.length);
        expect(stats.bytesIn).toBe(stream.length);
        expect(stats.drops).toEqual({});
      }),
      { numRuns: 200 }
    );
  });

  it("does exactly what an independent reference does with noise and frames mixed", () => {
    let seenFrames = 0;
    const seenDrops: Record<string, boolean> = {};
    fc.assert(
      fc.property(fc.array(fc.oneof(noiseArb, frameArb(300).map(referenceStream)), { maxLength: 8 }), chunkSizes, (parts, sizes) => {
        const stream = Buffer.concat(parts);
        const stats = newLinkStats();
        const dec = new StreamDecoder(4096, stats);
        const got = feedAll(dec, stream, sizes).map(hex);
        const want = reference(stream);
        seenFrames += want.frames.length;
        for (const r in want.drops) seenDrops[r] = true;
        expect(got).toEqual(want.frames);
        expect(stats.drops).toEqual(want.drops);
        expect(stats.framesIn).toBe(want.frames.length);
      }),
      // A fixed seed: about one random run in twelve drew no BadCrc case, which the check below needs.
      { numRuns: 300, seed: 20261203 }
    );
    // The generators really exercise both outcomes and the main drop reasons.
    expect(seenFrames).toBeGreaterThan(50);
    expect(Object.keys(seenDrops).sort()).toEqual(expect.arrayContaining(["BadCobs", "TooShort", "BadCrc"]));
  });

  it("decodes alike whole frames in one chunk (the fast path) and byte by byte (the state machine)", () => {
    const parts = fc.array(
      fc.oneof(
        noiseArb,
        frameArb(300).map(referenceStream),
        frameArb(300).map((f) => referenceStream(f).subarray(1))
      ),
      { maxLength: 8 }
    );
    fc.assert(
      fc.property(parts, fc.integer({ min: HEADER_SIZE, max: 320 }), (list, maxFrame) => {
        const stream = Buffer.concat(list);
        const whole = newLinkStats();
        const single = newLinkStats();
        const a = feedAll(new StreamDecoder(maxFrame, whole), stream).map(hex);
        const b = feedAll(new StreamDecoder(maxFrame, single), stream, [1]).map(hex);
        expect(a).toEqual(b);
        expect(whole).toEqual(single);
      }),
      { numRuns: 300 }
    );
  });

  it("decodes frames with 0xFF groups (runs of 254+ non-zero bytes) whole in one chunk as the state machine does", () => {
    const runs = fc.array(fc.tuple(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(runs, noiseArb, (segments, noise) => {
        const payload = Buffer.concat(segments.map(([n, v]) => Buffer.concat([Buffer.alloc(n, v), Buffer.from([0])])));
        const frame = new Uint8Array(HEADER_SIZE + payload.length);
        encodeHeader({ kind: 3, flags: 0, codec: 0, cellId: 5, methodId: 55, requestId: 0, length: payload.length }, frame, 0);
        frame.set(payload, HEADER_SIZE);
        const stream = Buffer.concat([referenceStream(frame), noise, Buffer.from([0]), referenceStream(frame)]);
        const whole = newLinkStats();
        const single = newLinkStats();
        const a = feedAll(new StreamDecoder(3000, whole), stream).map(hex);
        const b = feedAll(new StreamDecoder(3000, single), stream, [1]).map(hex);
        expect(a).toEqual(b);
        expect(whole).toEqual(single);
        expect(a.filter((f) => f === hex(frame)).length).toBe(2);
      }),
      { numRuns: 200 }
    );
  });

  it("yields every valid frame embedded in noise that ends in 0x00", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noiseArb, frameArb(200)), { minLength: 1, maxLength: 6 }), chunkSizes, (pairs, sizes) => {
        const stream = Buffer.concat(pairs.flatMap(([noise, frame]) => [noise, Buffer.from([0]), referenceStream(frame)]));
        const dec = new StreamDecoder(HEADER_SIZE + 200);
        expect(feedAll(dec, stream, sizes).map(hex)).toEqual(pairs.map(([, f]) => hex(f)));
      }),
      { numRuns: 200 }
    );
  });

  it("never throws on any bytes, yields only well-formed frames, keeps memory bounded", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: HEADER_SIZE, max: 300 }), chunkSizes, (bytes, maxFrame, sizes) => {
        const stats: LinkStats = newLinkStats();
        const dec = new StreamDecoder(maxFrame, stats);
        const frames = feedAll(dec, bytes, sizes);
        expect(dec.capacity).toBe(maxFrame + 4);
        for (const f of frames) {
          expect(f.length).toBeLessThanOrEqual(maxFrame);
          expect(decodeHeader(f, 0, f.length, newHeader())).toBeNull();
        }
        let zeros = 0;
        for (const b of bytes) if (b === 0) zeros++;
        const dropped = Object.values(stats.drops).reduce((a, b) => a + b, 0);
        expect(frames.length + dropped).toBeLessThanOrEqual(zeros + 1); // at most one TooLong is counted before its delimiter
      }),
      { numRuns: 300 }
    );
  });

  it("drops a frame over maxFrame as TooLong without buffering it, then resynchronises", () => {
    const stats = newLinkStats();
    const dec = new StreamDecoder(64, stats);
    const good = new Uint8Array(HEADER_SIZE + 3);
    encodeHeader({ kind: 0, flags: 0, codec: 0, cellId: 1, methodId: 99, requestId: 5, length: 3 }, good, 0);
    const frames: string[] = [];
    const junk = new Uint8Array(100000).fill(0x55);
    for (let i = 0; i < junk.length; i += 1000) {
      dec.feed(junk.subarray(i, i + 1000), (f) => frames.push(hex(f)));
      expect(dec.buffered).toBeLessThanOrEqual(68);
    }
    dec.feed(new Uint8Array([0]), (f) => frames.push(hex(f)));
    dec.feed(referenceStream(good), (f) => frames.push(hex(f)));
    expect(stats.drops).toEqual({ TooLong: 1 });
    expect(frames).toEqual([hex(good)]);
  });

  it("accepts a frame of exactly maxFrame and drops one byte more", () => {
    for (const extra of [0, 1]) {
      const frame = new Uint8Array(HEADER_SIZE + 40 + extra);
      encodeHeader({ kind: 1, flags: 0, codec: 2, cellId: 7, methodId: 77, requestId: 1, length: 40 + extra }, frame, 0);
      const stats = newLinkStats();
      const out = feedAll(new StreamDecoder(HEADER_SIZE + 40, stats), referenceStream(frame), [1]);
      expect(out.length).toBe(1 - extra);
      expect(stats.drops).toEqual(extra ? { TooLong: 1 } : {});
    }
  });

  it("accepts the short COBS form without the closing 01 after a full group", () => {
    // frame ‖ CRC ends in exactly 254 non-zero bytes: 250 payload bytes + a CRC without zero bytes.
    const frame = new Uint8Array(HEADER_SIZE + 250).fill(0x77);
    encodeHeader({ kind: 1, flags: 0, codec: 0, cellId: 3, methodId: 33, requestId: 1, length: 250 }, frame, 0);
    let crc = 0;
    for (let v = 1; v < 256; v++) {
      frame[HEADER_SIZE] = v;
      crc = zlibCrc32(frame) >>> 0;
      if (crc & 0xff && crc & 0xff00 && crc & 0xff0000 && crc >>> 24) break;
    }
    const paper = referenceStream(frame);
    expect(hex(paper.subarray(paper.length - 3))).toBe(hex(new Uint8Array([(crc >>> 24) & 0xff, 1, 0])));
    const short = Buffer.concat([paper.subarray(0, paper.length - 2), Buffer.from([0])]);
    const stats = newLinkStats();
    expect(feedAll(new StreamDecoder(300, stats), short, [5]).map(hex)).toEqual([hex(frame)]);
    expect(stats.drops).toEqual({});
  });

  it("ignores idle zeros and counts each bad chunk once", () => {
    const stats = newLinkStats();
    const dec = new StreamDecoder(100, stats);
    feedAll(dec, new Uint8Array([0, 0, 0, 5, 1, 2, 0, 0, 2, 9, 0, 0]));
    expect(stats.drops).toEqual({ BadCobs: 1, TooShort: 1 });
    expect(stats.framesIn).toBe(0);
  });

  it("queues bytes fed from inside onFrame, so frames stay in order and intact", () => {
    const a = new Uint8Array(HEADER_SIZE + 5).fill(0xaa);
    const b = new Uint8Array(HEADER_SIZE + 7).fill(0xbb);
    encodeHeader({ kind: 0, flags: 0, codec: 0, cellId: 1, methodId: 20, requestId: 1, length: 5 }, a, 0);
    encodeHeader({ kind: 1, flags: 0, codec: 0, cellId: 1, methodId: 20, requestId: 1, length: 7 }, b, 0);
    const dec = new StreamDecoder(200);
    const seen: string[] = [];
    const onFrame = (f: Uint8Array) => {
      seen.push(hex(f));
      if (seen.length === 1) {
        dec.feed(referenceStream(b), onFrame);
        seen.push("after-nested-feed:" + hex(f)); // the outer frame's bytes are untouched
      }
    };
    dec.feed(Buffer.concat([referenceStream(a), referenceStream(a)]), onFrame);
    expect(seen).toEqual([hex(a), "after-nested-feed:" + hex(a), hex(a), hex(b)]);
  });

  it("stays usable after onFrame throws", () => {
    const f = new Uint8Array(HEADER_SIZE);
    encodeHeader({ kind: 0, flags: 0, codec: 0, cellId: 1, methodId: 20, requestId: 1, length: 0 }, f, 0);
    const dec = new StreamDecoder(100);
    expect(() =>
      dec.feed(referenceStream(f), () => {
        throw new Error("listener bug");
      })
    ).toThrow("listener bug");
    expect(feedAll(dec, referenceStream(f)).map(hex)).toEqual([hex(f)]);
  });

  it("rejects a maxFrame smaller than a header", () => {
    expect(() => new StreamDecoder(19)).toThrow(RangeError);
  });
});
