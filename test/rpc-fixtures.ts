// Shared by the test/rpc-*.test.ts files: cells, a manual clock, and helpers to look at frames.
import { cell, method, event, t } from "../core/schema";
import { loopbackPair } from "../core/loopback";
import { rawCodec, compactCodec, msgpackCodec, jsonCodec } from "../core/codecs";
import { HEADER_SIZE, newHeader, decodeHeader, Header } from "../core/header";
import type { Transport, Peer } from "../core/transport";
import type { Codec } from "../core/codec";
import type { Client } from "../core/rpc/client";
import type { CellError } from "../core/errors";

export const Unit = t.enum(["C", "F"]);
export const Thermo = cell("thermo", {
  read: method(t.struct({ unit: Unit }), t.struct({ value: t.f32, unit: Unit }), { idempotent: true }),
  add: method(t.struct({ a: t.i32, b: t.i32 }), t.i32),
  blob: method(t.u32, t.bytes),
  alarm: event(t.struct({ value: t.f32 })),
  status: event(t.string)
});

/** The same cell after an incompatible change: read's answer is now f64. */
export const ThermoV2 = cell("thermo", {
  read: method(t.struct({ unit: Unit }), t.struct({ value: t.f64, unit: Unit })),
  alarm: event(t.struct({ value: t.f64 }))
});

/** A cell whose methods RAW can carry. */
export const Pipe = cell("pipe", {
  echo: method(t.bytes, t.bytes),
  ping: method(t.struct({}), t.struct({}))
});

export const ALL = [compactCodec, msgpackCodec, jsonCodec, rawCodec];
export const CODECS: [string, Codec][] = [
  ["COMPACT", compactCodec],
  ["MSGPACK", msgpackCodec],
  ["JSON", jsonCodec]
];

/** Timers that run only when told: deterministic timeouts, TTLs and link delivery. */
export class ManualClock {
  time = 0;
  private seq = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];
  now = (): number => this.time;
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.push({ id, at: this.time + ms, fn });
    return id;
  };
  clearTimer = (id: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time on by `ms`, running every timer due on the way (and those they set), in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: { id: number; at: number; fn: () => void } | null = null;
      for (const x of this.timers) if (x.at <= target && (!next || x.at < next.at || (x.at === next.at && x.id < next.id))) next = x;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = target;
  }
  /** Runs everything due now: delivers frames in flight and their consequences. */
  flush(): void {
    this.advance(0);
  }
  /** Endpoint options using this clock. */
  options(): { now: () => number; setTimer: (fn: () => void, ms: number) => unknown; clearTimer: (h: unknown) => void } {
    return { now: this.now, setTimer: this.setTimer, clearTimer: this.clearTimer };
  }
}

/** A loopback pair whose deliveries run on `clock`. */
export function manualPair(clock: ManualClock, maxFrame?: number): [Transport, Transport] {
  return loopbackPair({ maxFrame, schedule: (fn) => clock.setTimer(fn, 0) });
}

export interface SeenFrame {
  header: Header;
  payload: Uint8Array;
  to?: Peer;
}

/** Records (copies of) every frame sent on `link`, then sends it on. */
export function recordSends(link: Transport): SeenFrame[] {
  const seen: SeenFrame[] = [];
  const send = link.send.bind(link);
  link.send = (frame: Uint8Array, to?: Peer) => {
    const header = newHeader();
    if (decodeHeader(frame, 0, frame.length, header) === null) seen.push({ header, payload: frame.slice(HEADER_SIZE), to });
    send(frame, to);
  };
  return seen;
}

/** Receives the frames arriving on `link` itself (no endpoint): a hand-driven peer. */
export function rawPeer(link: Transport): SeenFrame[] {
  const seen: SeenFrame[] = [];
  link.onFrame((frame) => {
    const header = newHeader();
    if (decodeHeader(frame, 0, frame.length, header) === null) seen.push({ header, payload: frame.slice(HEADER_SIZE) });
  });
  return seen;
}

/** A frame from its fields. */
export function frame(
  kind: number,
  codec: number,
  cellId: number,
  methodId: number,
  requestId: number,
  payload: ArrayLike<number>
): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = 0xce;
  out[1] = 1;
  out[2] = kind;
  out[3] = codec;
  dv.setUint32(4, cellId, true);
  dv.setUint32(8, methodId, true);
  dv.setUint32(12, requestId, true);
  dv.setUint32(16, payload.length, true);
  out.set(payload, HEADER_SIZE);
  return out;
}

export interface Outcome<V> {
  err: CellError | null;
  value?: V;
  calls: number;
}

/** Starts a callback-style call and records what its callback got (and how often). */
export function track<V>(start: (cb: (err: CellError | null, value?: V) => void) => unknown): Outcome<V> {
  const o: Outcome<V> = { err: null, calls: 0 };
  start((err, value) => {
    o.calls++;
    o.err = err;
    o.value = value;
  });
  return o;
}

/** A device-style call as a Promise, for tests on real timers. */
export function callP<V>(client: Client<any>, name: string, req: unknown, opts?: object): Promise<V> {
  return new Promise((resolve, reject) => client.call(name, req, (err, res) => (err ? reject(err) : resolve(res as V)), opts));
}
