// The host serial path in a loop, for a CPU profile (issue 15): the quote frame of bench/core.ts sent
// (COMPACT + header + CRC + COBS) or received (COBS + CRC + header + COMPACT), nothing else.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-host.ts send|recv [frames]
import { Writer } from "../core/codec";
import { compactCodec } from "../core/codecs";
import { HEADER_SIZE, encodeHeader, decodeHeader, newHeader, Kind, CodecId } from "../core/header";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import { Quote, quote } from "./messages";

const h = { kind: Kind.Request, flags: 0, codec: CodecId.Compact, cellId: 0x2d2ce39e, methodId: 0x85b7894d, requestId: 1, length: 0 };
const into = newHeader();
const w = new Writer(1024);
let sink: unknown;

function frameWith(): Uint8Array {
  w.reset(HEADER_SIZE);
  compactCodec.encode(Quote, quote, w);
  h.length = w.pos - HEADER_SIZE;
  encodeHeader(h, w.buf, 0);
  return w.view();
}

const enc = new StreamEncoder();
const dec = new StreamDecoder(1024);
const stream = Uint8Array.from(enc.encode(frameWith()));
const onFrame = (f: Uint8Array) => {
  decodeHeader(f, 0, f.length, into);
  sink = compactCodec.decode(Quote, f.subarray(HEADER_SIZE));
};
const mode = process.argv[2] === "recv" ? "recv" : "send";
const frames = Number(process.argv[3]) || 3e6;
const t0 = process.hrtime.bigint();
if (mode === "send") for (let i = 0; i < frames; i++) sink = enc.encode(frameWith());
else for (let i = 0; i < frames; i++) dec.feed(stream, onFrame);
const ns = Number(process.hrtime.bigint() - t0) / frames;
console.log(`${mode}: ${ns.toFixed(0)} ns per ${stream.length}-byte frame (${sink ? "ok" : "?"})`);
