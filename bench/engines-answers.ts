// The bench's one small request, thermo.read("C") → { unit, value }, as a whole frame per codec, and
// the check that every timed copy of it was answered, and answered right: the RESPONSE frames carrying
// the bench's request id are counted, and one of them is decoded.
import { Writer, type Codec } from "../core/codec";
import { HEADER_SIZE, Kind, encodeHeader, readU32 } from "../core/header";
import type { MethodDef } from "../core/schema";
import { Thermo, Unit } from "../examples/thermo/schema";

/** A request id no host call uses, so the host's client drops these answers as unknown. */
export var BENCH_REQUEST_ID = 0xfffffff0;
/**
 * The reading every side reports: the sim personality's simulated sensor, 21.5 ± 2 °C over a minute
 * (its fixed `temperature` option would parse a string on every read, which the firmware's native
 * sim.temperature() does not do).
 */
export function simulatedTemperature(ms: number): number {
  return 21.5 + 2 * Math.sin(ms / 60000);
}

/** A whole thermo.read("C") request frame in `codec`. */
export function readRequest(codec: Codec): Uint8Array {
  var w = new Writer(64);
  w.reset(HEADER_SIZE);
  codec.encode(Unit, "C", w);
  var frame = w.buf.slice(0, w.pos);
  encodeHeader(
    {
      kind: Kind.Request,
      flags: 0,
      codec: codec.id,
      cellId: Thermo.id,
      methodId: Thermo.info.read.id,
      requestId: BENCH_REQUEST_ID,
      length: w.pos - HEADER_SIZE
    },
    frame,
    0
  );
  return frame;
}

export interface Tally {
  /** Give it every frame the serving side sent (a view, valid during the call). */
  onFrame(frame: Uint8Array): void;
  /** Throws unless exactly `count` right answers came back since start(). */
  expect(count: number): void;
}

export class AnswerCheck {
  constructor(readonly codec: Codec) {}

  start(): Tally {
    var codec = this.codec;
    var answers = 0;
    var others = 0;
    var sample: Uint8Array | null = null;
    return {
      // A few byte reads, not a header decode: on the Node side this runs inside the timed loop.
      onFrame(frame) {
        if (frame.length < HEADER_SIZE || readU32(frame, 12) !== BENCH_REQUEST_ID) return;
        if ((frame[2] & 15) !== Kind.Response || frame[3] !== codec.id) others++;
        else if (answers++ === 0) sample = frame.slice(HEADER_SIZE);
      },
      expect(count) {
        if (others) throw new Error(`bench: ${others} of the ${count} requests were answered with an error or in another codec`);
        if (answers !== count) throw new Error(`bench: ${count} requests sent, ${answers} answered`);
        if (count === 0) return;
        var got = codec.decode((Thermo.info.read.def as MethodDef).res, sample!) as { unit: string; value: number };
        if (got.unit !== "C" || !(Math.abs(got.value - 21.5) <= 2))
          throw new Error(`bench: answered ${JSON.stringify(got)}, expected { unit: "C", value: 21.5 ± 2 }`);
      }
    };
  }
}
