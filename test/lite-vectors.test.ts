// The spec's vectors (spec/vectors/*.json) through the lite device path (core/lite): CRC-32, stream
// framing both ways with every drop reason, the header checks, COBS (inside stream frames), COMPACT
// both ways, and the ERROR and ANNOUNCE payloads a lite server sends.
import { describe, it, expect } from "vitest";
import crcVectors from "../spec/vectors/crc32.json";
import cobsVectors from "../spec/vectors/cobs.json";
import headerVectors from "../spec/vectors/header.json";
import streamVectors from "../spec/vectors/stream-frames.json";
import codecVectors from "../spec/vectors/codecs.json";
import messageVectors from "../spec/vectors/messages.json";
import { crc32 } from "../core/lite/crc";
import { compactCodec } from "../core/lite/compact";
import { serve } from "../core/lite/serve";
import type { LiteCell } from "../core/lite/serve";
import { parseType } from "../core/schema-text";
import { encodeHeader, HEADER_SIZE } from "../core/header";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import { newLinkStats } from "../core/drops";
import { crc32 as coreCrc32 } from "../core/crc32";
import { CellError } from "../core/errors";
import { bytes, hex, liteLinkOnPort, liteEncode, liteError } from "./lite-helpers";
import { toValue } from "./codec-vector-values";

const u32 = (h: string) => parseInt(h, 16);

describe("lite crc32 and crc32.json", () => {
  it.each(crcVectors.cases)("$name", (c) => {
    expect(crc32(bytes(c.input)) >>> 0).toBe(u32(c.crc)); // signed on the lite path
  });
});

describe("lite stream link and stream-frames.json", () => {
  it.each(streamVectors.valid)("sends: $name", (v) => {
    const { link, written } = liteLinkOnPort(1044);
    link.send(bytes(v.frame));
    expect(written.map(hex)).toEqual([v.stream]);
  });

  it.each(streamVectors.valid)("receives: $name", (v) => {
    for (const step of [1, 3, 1000]) {
      const l = liteLinkOnPort(1044);
      const stream = bytes(v.stream);
      for (let at = 0; at < stream.length; at += step) l.feed(stream.subarray(at, at + step));
      expect(l.frames.map(hex)).toEqual([v.frame]);
      expect(l.drops()).toEqual({});
    }
  });

  it.each(streamVectors.badStreams)("receives: $name", (v) => {
    for (const step of [0, 1, 7]) {
      const l = liteLinkOnPort(v.maxFrame);
      const stream = bytes(v.stream);
      const size = step || stream.length;
      for (let at = 0; at < stream.length; at += size) l.feed(stream.subarray(at, at + size));
      expect(l.frames.map(hex)).toEqual(v.frames);
      expect(l.drops()).toEqual(v.drops);
    }
  });

  it("refuses to send a frame larger than maxFrame (TooLarge)", () => {
    const { link, written } = liteLinkOnPort(40);
    expect(liteError(() => link.send(new Uint8Array(41)))).toBe(7);
    expect(written).toEqual([]);
  });
});

describe("header.json through the lite stream link", () => {
  /** A frame as a stream receiver gets it: COBS(frame ‖ CRC) ‖ 00, made by core. */
  const streamOf = (frame: Uint8Array) => new StreamEncoder().encode(frame).slice();

  it.each(headerVectors.valid)("accepts: $name", (v) => {
    const frame = new Uint8Array(HEADER_SIZE + v.fields.length);
    encodeHeader(v.fields, frame, 0);
    const l = liteLinkOnPort(1 << 16);
    l.feed(streamOf(frame));
    expect(l.frames.map(hex)).toEqual([hex(frame)]);
    expect(hex(frame.subarray(0, HEADER_SIZE))).toBe(v.hex);
  });
  it.each(headerVectors.decodeOnly)("accepts: $name", (v) => {
    const l = liteLinkOnPort(1 << 16);
    l.feed(streamOf(bytes(v.frame)));
    expect(l.frames.map(hex)).toEqual([v.frame]);
  });
  it.each(headerVectors.invalid)("drops $drop: $name", (v) => {
    const frame = bytes(v.frame);
    const l = liteLinkOnPort(1 << 16);
    l.feed(streamOf(frame));
    expect(l.frames).toEqual([]);
    // A frame shorter than a header is, with its CRC, shorter than the 24 bytes a stream frame needs.
    expect(l.drops()).toEqual({ [v.drop]: 1 });
  });
});

describe("cobs.json inside lite stream frames", () => {
  // The lite link has no COBS of its own to call: each vector's bytes travel as a frame's payload, and the
  // lite encoding must equal core's (checked against these vectors in test/vectors-framing.test.ts).
  const frameOf = (payload: Uint8Array) => {
    const f = new Uint8Array(HEADER_SIZE + payload.length);
    encodeHeader({ kind: 0, flags: 0, codec: 0, cellId: 0x01020300, methodId: 0xff, requestId: 0, length: payload.length }, f, 0);
    f.set(payload, HEADER_SIZE);
    return f;
  };
  it.each([...cobsVectors.cases, ...cobsVectors.acceptedForms])("$name", (c) => {
    const frame = frameOf(bytes(c.decoded));
    const l = liteLinkOnPort(1 << 16);
    l.link.send(frame);
    expect(hex(l.written[0])).toBe(hex(new StreamEncoder().encode(frame)));
    l.feed(l.written[0]);
    expect(l.frames.map(hex)).toEqual([hex(frame)]);
  });
  it.each(cobsVectors.invalid)("a stream chunk that is not COBS: $name", (c) => {
    const l = liteLinkOnPort(1 << 16);
    l.feed(bytes(c.encoded + "00"));
    expect(l.frames).toEqual([]);
    // As core counts it: a group cut by the delimiter is BadCobs; a 00 alone is idle line.
    const stats = newLinkStats();
    new StreamDecoder(1 << 16, stats).feed(bytes(c.encoded + "00"), () => {});
    expect(l.drops()).toEqual(stats.drops);
  });
});

describe("codecs.json COMPACT through the lite codec", () => {
  for (const v of codecVectors.vectors) {
    const expected = (v.hex as Record<string, string>).compact;
    if (expected === undefined) continue;
    it(`${v.name}: both ways`, () => {
      const type = parseType(v.type);
      const value = toValue(v.value);
      expect(hex(liteEncode(type, value))).toBe(expected);
      const decoded = (v as { decoded?: Record<string, unknown> }).decoded;
      expect(compactCodec.decode(type, bytes(expected))).toEqual(decoded && "compact" in decoded ? toValue(decoded.compact) : value);
    });
  }
  for (const bad of codecVectors.invalid.filter((b) => b.codec === "compact")) {
    it(`refuses: ${bad.name}`, () => {
      const type = parseType(bad.type);
      const thrown =
        bad.hex !== undefined
          ? liteError(() => compactCodec.decode(type, bytes(bad.hex!)))
          : liteError(() => liteEncode(type, toValue(bad.value)));
      expect(thrown).toBe(3); // BadPayload
      expect(bad.code).toBe("BadPayload");
    });
  }
});

/** A lite server on a hand-driven link; returns the frames it sent. */
function liteServer(cells: { def: LiteCell; handlers: Record<string, Function> }[], opts: { instanceId: number; announceTtlMs: number }) {
  const l = liteLinkOnPort(1044);
  const sent: Uint8Array[] = [];
  const link = {
    maxFrame: 1044,
    send: (f: Uint8Array) => void sent.push(new Uint8Array(f)),
    onFrame: (cb: (f: Uint8Array) => void) => l.link.onFrame(cb)
  };
  const timers: unknown[] = [];
  const realSetInterval = globalThis.setInterval;
  // The server repeats ANNOUNCE on a timer: keep it from outliving the test.
  (globalThis as { setInterval: unknown }).setInterval = (fn: () => void, ms: number) => {
    const t = realSetInterval(fn, ms);
    timers.push(t);
    return t;
  };
  try {
    serve(cells as never, link, { codecs: [compactCodec], ...opts });
  } finally {
    globalThis.setInterval = realSetInterval;
  }
  return {
    sent,
    feed: (frame: Uint8Array) => l.feed(new StreamEncoder().encode(frame).slice()),
    stop: () => timers.forEach((t) => clearInterval(t as never))
  };
}

describe("messages.json from a lite server", () => {
  // A device never says goodbye (ttl 0): it stops, and listeners let its entries expire.
  it.each(messageVectors.announce.valid.filter((v) => v.ttlMs > 0))("ANNOUNCE: $name", (v) => {
    // Only the ids matter to an announcement: cells with those names, ids and schema hashes.
    const cells = v.cells.map((c) => ({
      def: { name: c.name, id: u32(c.cellId), hash: u32(c.schemaHash), schema: "", info: {} },
      handlers: {}
    }));
    const s = liteServer(cells, { instanceId: u32(v.instanceId), announceTtlMs: v.ttlMs });
    s.stop();
    expect(s.sent.map(hex)).toEqual([v.frame]);
  });

  it.each(messageVectors.error.valid.filter((e) => e.message.length > 0))("ERROR: $name", (v) => {
    const type = parseType("u8");
    const cell = { name: "x", id: 1, hash: 2, schema: "cell x{m(u8)->u8}", info: { m: { id: 0x1000, def: { req: type, res: type } } } };
    const s = liteServer(
      [
        {
          def: cell,
          handlers: {
            m: () => {
              throw new CellError(v.code, v.message);
            }
          }
        }
      ],
      { instanceId: 1, announceTtlMs: -1 }
    );
    s.stop();
    const req = new Uint8Array(HEADER_SIZE + 1);
    encodeHeader({ kind: 0, flags: 0, codec: 2, cellId: 1, methodId: 0x1000, requestId: 9, length: 1 }, req, 0);
    s.feed(req);
    expect(s.sent.length).toBe(1);
    expect(s.sent[0][2]).toBe(2); // kind ERROR
    expect(hex(s.sent[0].subarray(HEADER_SIZE))).toBe(v.hex);
    expect(coreCrc32(s.sent[0])).toBeTypeOf("number");
  });
});
