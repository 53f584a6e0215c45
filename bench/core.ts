// Issue-2 benchmarks: header + codec vs the msgpack library, the whole serial path vs the codec alone,
// COMPACT vs msgpack, and stream framing vs the `cobs` package. Ratios, measured side by side.
//
// Baselines get their fastest honest use: a reused Encoder whose encodeSharedRef() returns a view (as our
// Writer does) rather than encode(), which copies the bytes out; a reused Decoder rather than decode(),
// which builds a Decoder per call. Each pair is checked to produce the same result before it is timed.
import { Encoder, Decoder } from "@msgpack/msgpack";
import cobs from "cobs";
import { Writer, type Codec } from "../core/codec";
import { msgpackCodec, compactCodec } from "../core/codecs";
import { HEADER_SIZE, encodeHeader, decodeHeader, newHeader, Kind, CodecId } from "../core/header";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import type { Type } from "../core/schema";
import { measure, report, record, type Pair } from "./measure";
import { bytesPerCall } from "./alloc";
import { Quote, quote, Blob, blob } from "./messages";

const h = { kind: Kind.Request, flags: 0, codec: CodecId.Msgpack, cellId: 0x2d2ce39e, methodId: 0x85b7894d, requestId: 1, length: 0 };
const into = newHeader();
const w = new Writer(1024);
let sink: unknown;

/** header ‖ payload in the reused writer: what the RPC engine does for every frame. */
function frameWith(codec: Codec, type: Type, value: unknown): Uint8Array {
  w.reset(HEADER_SIZE);
  codec.encode(type, value, w);
  h.length = w.pos - HEADER_SIZE;
  h.codec = codec.id;
  encodeHeader(h, w.buf, 0);
  return w.view();
}

/** What the RPC engine does with a frame that arrived: check the header, decode the payload. */
function readFrame(codec: Codec, type: Type, f: Uint8Array): unknown {
  if (decodeHeader(f, 0, f.length, into) !== null) throw new Error("bad frame");
  return codec.decode(type, f.subarray(HEADER_SIZE));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Refuses to time a pair whose two sides do not do the same job. */
function same(what: string, a: unknown, b: unknown): void {
  const text = (v: unknown) => JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? hex(x) : x));
  if (text(a) !== text(b)) throw new Error(`bench: ${what}: the two sides disagree: ${text(a)} vs ${text(b)}`);
}

export const sizes: string[] = [];

export function corePairs(): Pair[] {
  const lib = new Encoder();
  const libDec = new Decoder();
  const pairs: Pair[] = [];

  for (const [label, type, value] of [
    ["quote", Quote, quote],
    ["200-byte blob", Blob, blob]
  ] as const) {
    const libBytes = Uint8Array.from(lib.encodeSharedRef(value));
    const ours = Uint8Array.from(frameWith(msgpackCodec, type, value));
    same("MSGPACK bytes, " + label, hex(ours.subarray(HEADER_SIZE)), hex(libBytes));
    same("MSGPACK decode, " + label, readFrame(msgpackCodec, type, ours), libDec.decode(libBytes));
    pairs.push(
      {
        name: `header + MSGPACK encode, ${label}`,
        goal: { ratio: 1.15, kind: "atMost", of: "time" },
        baseline: {
          name: "@msgpack/msgpack encodeSharedRef",
          fn: () => {
            sink = lib.encodeSharedRef(value);
          }
        },
        candidate: {
          name: "cell header+msgpack",
          fn: () => {
            sink = frameWith(msgpackCodec, type, value);
          }
        }
      },
      {
        name: `header + MSGPACK decode, ${label}`,
        goal: { ratio: 1.15, kind: "atMost", of: "time" },
        baseline: {
          name: "@msgpack/msgpack Decoder",
          fn: () => {
            sink = libDec.decode(libBytes);
          }
        },
        candidate: {
          name: "cell header+msgpack (bytes copied)",
          fn: () => {
            sink = readFrame(msgpackCodec, type, ours);
          }
        }
      }
    );
  }

  // The whole serial path (codec + header + CRC + COBS, and back) against the codec alone, for both codecs.
  const enc = new StreamEncoder();
  const dec = new StreamDecoder(1024);
  const codecOnly = new Writer(1024);
  for (const codec of [compactCodec, msgpackCodec]) {
    const name = codec === compactCodec ? "COMPACT" : "MSGPACK";
    codecOnly.reset();
    codec.encode(Quote, quote, codecOnly);
    const payload = Uint8Array.from(codecOnly.view());
    const streamBytes = Uint8Array.from(enc.encode(frameWith(codec, Quote, quote)));
    const onFrame = (f: Uint8Array) => {
      sink = readFrame(codec, Quote, f);
    };
    dec.feed(streamBytes, onFrame);
    same(name + " serial receive", sink, codec.decode(Quote, payload));
    pairs.push(
      {
        name: `serial path send (${name} + header + CRC + COBS), quote`,
        goal: { ratio: 1.8, kind: "atMost", of: "time" },
        baseline: {
          name: `${name} encode alone`,
          fn: () => {
            codecOnly.reset();
            codec.encode(Quote, quote, codecOnly);
          }
        },
        candidate: {
          name: "whole send path",
          fn: () => {
            sink = enc.encode(frameWith(codec, Quote, quote));
          }
        }
      },
      {
        name: `serial path receive (COBS + CRC + header + ${name}), quote`,
        goal: { ratio: 2, kind: "atMost", of: "time" },
        baseline: {
          name: `${name} decode alone`,
          fn: () => {
            sink = codec.decode(Quote, payload);
          }
        },
        candidate: { name: "whole receive path", fn: () => dec.feed(streamBytes, onFrame) }
      }
    );
  }

  // COMPACT against the msgpack library on the same object, both encoding into reused buffers.
  const libQuote = lib.encode(quote);
  codecOnly.reset();
  compactCodec.encode(Quote, quote, codecOnly);
  const compactSize = codecOnly.pos;
  same("COMPACT vs msgpack", compactCodec.decode(Quote, codecOnly.view()), libDec.decode(libQuote));
  pairs.push({
    name: "COMPACT vs @msgpack/msgpack, quote encode+decode",
    goal: { ratio: 4, kind: "atLeast", of: "speedup" },
    baseline: {
      name: "@msgpack/msgpack",
      fn: () => {
        sink = libDec.decode(lib.encodeSharedRef(quote));
      }
    },
    candidate: {
      name: "COMPACT",
      fn: () => {
        codecOnly.reset();
        compactCodec.encode(Quote, quote, codecOnly);
        sink = compactCodec.decode(Quote, codecOnly.view());
      }
    }
  });
  const ratio = compactSize / libQuote.length;
  sizes.push(
    `COMPACT quote ${compactSize} B vs msgpack ${libQuote.length} B → ${ratio.toFixed(2)}x the size (goal ≤ 0.6x: ${ratio <= 0.6 ? "met" : "MISSED"})`
  );

  // Stream framing against the `cobs` package. Ours does more: it also computes and checks a CRC-32 and
  // the header, and hands the frame to a callback; the package allocates a new Buffer each way.
  for (const size of [24, 200, 1024]) {
    const frame = frameWith(msgpackCodec, Blob, { data: new Uint8Array(size - HEADER_SIZE - 4).map((_, i) => i & 255) }).slice();
    const dec2 = new StreamDecoder(2048);
    let got: Uint8Array | null = null;
    dec2.feed(enc.encode(frame), (f) => {
      got = f.slice();
    });
    same(`framing ${frame.length}`, got && hex(got), hex(cobs.decode(cobs.encode(Buffer.from(frame)))));
    const asBuffer = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
    const keep = (f: Uint8Array) => {
      sink = f;
    }; // one long-lived listener, as a link has
    pairs.push({
      name: `stream framing encode+decode, ${frame.length}-byte frame`,
      goal: { ratio: 3, kind: "atLeast", of: "speedup" },
      baseline: {
        name: "cobs package",
        fn: () => {
          sink = cobs.decode(cobs.encode(asBuffer));
        }
      },
      candidate: {
        name: "cell StreamEncoder+StreamDecoder (+CRC)",
        fn: () => {
          dec2.feed(enc.encode(frame), keep);
        }
      }
    });
  }
  return pairs;
}

/** Heap bytes per frame of the serial path's hot loop (send: codec + header + CRC + COBS; receive: back). */
export function allocations(): string[] {
  const enc = new StreamEncoder();
  const dec = new StreamDecoder(1024);
  const lines: string[] = [];
  for (const codec of [compactCodec, msgpackCodec]) {
    const name = codec === compactCodec ? "COMPACT" : "MSGPACK";
    const stream = Uint8Array.from(enc.encode(frameWith(codec, Quote, quote)));
    const noDecode = (f: Uint8Array) => {
      sink = decodeHeader(f, 0, f.length, into);
    };
    const paths: [string, () => void][] = [
      ["send (codec + header + CRC + COBS)", () => void (sink = enc.encode(frameWith(codec, Quote, quote)))],
      ["receive framing (COBS + CRC + header, no payload decode)", () => dec.feed(stream, noDecode)],
      [
        "receive with the payload decoded (the decoded value itself is allocated)",
        () => dec.feed(stream, (f) => void (sink = readFrame(codec, Quote, f)))
      ]
    ];
    for (const [what, fn] of paths) {
      const bytes = bytesPerCall(fn);
      record({
        name: `${name} serial path ${what}: heap bytes per frame`,
        baseline: "0 bytes (no allocation)",
        candidate: what,
        ratio: bytes,
        of: "size",
        values: { bytesPerFrame: bytes }
      });
      lines.push(`${name} ${what}: ${bytes.toFixed(1)} heap bytes allocated per frame`);
    }
  }
  return lines;
}

export function runCore(): string[] {
  const lines = corePairs().map((p) => report(p, measure(p)));
  return [...lines, ...sizes, ...allocations()];
}
