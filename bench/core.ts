// Issue-2 benchmarks: header + codec vs the msgpack library, the whole serial path vs the codec alone,
// COMPACT vs msgpack, and stream framing vs the `cobs` package. Ratios, measured side by side.
import { Encoder, decode as libDecode } from "@msgpack/msgpack";
import cobs from "cobs";
import { Writer } from "../core/codec";
import { msgpackCodec, compactCodec } from "../core/codecs";
import { HEADER_SIZE, encodeHeader, decodeHeader, newHeader, Kind, CodecId } from "../core/header";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import type { Type } from "../core/schema";
import { measure, report, type Pair } from "./measure";
import { Quote, quote, Blob, blob } from "./messages";

const h = { kind: Kind.Request, flags: 0, codec: CodecId.Msgpack, cellId: 0x2d2ce39e, methodId: 0x85b7894d, requestId: 1, length: 0 };
const into = newHeader();
const w = new Writer(1024);
let sink: unknown;

/** header ‖ payload in the reused writer: what the RPC engine does for every frame. */
function frameWith(codec: typeof msgpackCodec, type: Type, value: unknown): Uint8Array {
  w.reset(HEADER_SIZE);
  codec.encode(type, value, w);
  h.length = w.pos - HEADER_SIZE;
  h.codec = codec.id;
  encodeHeader(h, w.buf, 0);
  return w.view();
}

function readFrame(codec: typeof msgpackCodec, type: Type, f: Uint8Array): unknown {
  if (decodeHeader(f, 0, f.length, into) !== null) throw new Error("bad frame");
  return codec.decode(type, f.subarray(HEADER_SIZE));
}

export function corePairs(): Pair[] {
  const lib = new Encoder();
  const pairs: Pair[] = [];
  for (const [label, type, value] of [["quote", Quote, quote], ["200-byte blob", Blob, blob]] as const) {
    const libBytes = lib.encode(value);
    const ours = Uint8Array.from(frameWith(msgpackCodec, type, value));
    pairs.push(
      { name: `header + MSGPACK encode, ${label}`, goal: { ratio: 1.15, kind: "atMost", of: "time" },
        baseline: { name: "@msgpack/msgpack encode", fn: () => { sink = lib.encode(value); } },
        candidate: { name: "cell header+msgpack", fn: () => { sink = frameWith(msgpackCodec, type, value); } } },
      { name: `header + MSGPACK decode, ${label}`, goal: { ratio: 1.15, kind: "atMost", of: "time" },
        baseline: { name: "@msgpack/msgpack decode", fn: () => { sink = libDecode(libBytes); } },
        candidate: { name: "cell header+msgpack", fn: () => { sink = readFrame(msgpackCodec, type, ours); } } }
    );
  }

  // The whole serial path (codec + header + CRC + COBS) against the COMPACT codec alone.
  const enc = new StreamEncoder();
  const dec = new StreamDecoder(1024);
  const codecOnly = new Writer(1024);
  const compactPayload = Uint8Array.from(frameWith(compactCodec, Quote, quote).subarray(HEADER_SIZE));
  const streamBytes = Uint8Array.from(enc.encode(frameWith(compactCodec, Quote, quote)));
  const onFrame = (f: Uint8Array) => { sink = readFrame(compactCodec, Quote, f); };
  pairs.push(
    { name: "serial path send (COMPACT + header + CRC + COBS), quote", goal: { ratio: 1.8, kind: "atMost", of: "time" },
      baseline: { name: "COMPACT encode alone", fn: () => { codecOnly.reset(); compactCodec.encode(Quote, quote, codecOnly); } },
      candidate: { name: "whole send path", fn: () => { sink = enc.encode(frameWith(compactCodec, Quote, quote)); } } },
    { name: "serial path receive (COBS + CRC + header + COMPACT), quote", goal: { ratio: 2, kind: "atMost", of: "time" },
      baseline: { name: "COMPACT decode alone", fn: () => { sink = compactCodec.decode(Quote, compactPayload); } },
      candidate: { name: "whole receive path", fn: () => dec.feed(streamBytes, onFrame) } }
  );

  // COMPACT against the msgpack library on the same object.
  const libQuote = lib.encode(quote);
  pairs.push(
    { name: "COMPACT vs @msgpack/msgpack, quote encode+decode", goal: { ratio: 4, kind: "atLeast", of: "speedup" },
      baseline: { name: "@msgpack/msgpack", fn: () => { sink = libDecode(lib.encode(quote)); } },
      candidate: { name: "COMPACT", fn: () => { codecOnly.reset(); compactCodec.encode(Quote, quote, codecOnly); sink = compactCodec.decode(Quote, codecOnly.view()); } } }
  );
  sizes.push(`COMPACT quote ${compactPayload.length} B vs msgpack ${libQuote.length} B → ${(compactPayload.length / libQuote.length).toFixed(2)}x the size (goal ≤ 0.6x: ${compactPayload.length / libQuote.length <= 0.6 ? "met" : "MISSED"})`);

  // Stream framing alone against the `cobs` package (which does no CRC or header check).
  for (const size of [24, 200, 1024]) {
    const frame = frameWith(msgpackCodec, Blob, { data: new Uint8Array(size - HEADER_SIZE - 4).map((_, i) => i & 255) }).slice();
    const ours = Uint8Array.from(enc.encode(frame));
    const theirs = cobs.encode(Buffer.from(frame));
    const dec2 = new StreamDecoder(2048);
    pairs.push(
      { name: `stream framing encode+decode, ${frame.length}-byte frame`, goal: { ratio: 3, kind: "atLeast", of: "speedup" },
        baseline: { name: "cobs package", fn: () => { sink = cobs.decode(cobs.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.length))); } },
        candidate: { name: "cell StreamEncoder+StreamDecoder", fn: () => { dec2.feed(enc.encode(frame), (f) => { sink = f; }); } } }
    );
    void ours; void theirs;
  }
  return pairs;
}

export const sizes: string[] = [];

export function runCore(): string[] {
  const lines = corePairs().map((p) => report(p, measure(p)));
  return [...lines, ...sizes];
}
