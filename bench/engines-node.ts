// The Node side of the engines bench, each run in this process on V8 and timed the same way as the
// engines' replay cell times itself: one request frame fed N times (a fresh copy each time) through
// a frame path that ends in stream framing (COBS + CRC-32, as sim.sendFrame does in C on the board).
//  - hostCore: the host core (core/host serve: endpoint, codecs, the Promise-capable dispatcher)
//    serving a thermo whose handler does what the device's does.
//  - deviceBundle: the very bundle the engines run, on V8, under a minimal `sim` object: the same
//    code as on the device, so its ratio to an engine is the engine's own cost.
import { readFileSync } from "node:fs";
import { serve } from "../core/host/serve";
import type { Transport } from "../core/transport";
import { newLinkStats } from "../core/drops";
import { StreamEncoder } from "../core/stream";
import { decodeHeader, newHeader } from "../core/header";
import { Thermo } from "../examples/thermo/schema";
import { simulatedTemperature, type Tally } from "./engines-answers";

export interface NodeRig {
  /** Feeds `count` copies of `frame`; answers the milliseconds it took. Answers go to `tally`. */
  run(frame: Uint8Array, count: number, tally: Tally): number;
  close(): void;
}

/** A Transport that frames what it sends as the sim firmware does, and hands the frame to the tally. */
function framingLink(maxFrame: number, sent: (frame: Uint8Array) => void): { link: Transport; deliver: (frame: Uint8Array) => void } {
  var encoder = new StreamEncoder(maxFrame);
  var listener: ((frame: Uint8Array) => void) | null = null;
  var stats = newLinkStats();
  var link: Transport = {
    maxFrame,
    stats,
    send(frame) {
      encoder.encode(frame);
      stats.framesOut++;
      sent(frame);
    },
    onFrame(l) {
      listener = l;
    },
    onError() {},
    onClose() {},
    close() {}
  };
  return { link, deliver: (frame) => listener!(frame) };
}

export function hostCore(maxFrame: number): NodeRig {
  var tally: Tally | null = null;
  var { link, deliver } = framingLink(maxFrame, (frame) => tally!.onFrame(frame));
  var threshold = 30;
  var server = serve(
    Thermo,
    {
      read: (unit) => {
        var c = simulatedTemperature(performance.now());
        return { unit, value: unit === "F" ? c * 1.8 + 32 : c };
      },
      setThreshold: (limit) => {
        var previous = threshold;
        threshold = limit;
        return previous;
      }
    },
    link
  );
  return {
    run(frame, count, t) {
      tally = t;
      var start = performance.now();
      for (var i = 0; i < count; i++) deliver(new Uint8Array(frame));
      return performance.now() - start;
    },
    close: () => server.close()
  };
}

/** Runs `bundlePath` (built for qemu-mps2-an385) on V8 with the sim firmware's `sim` object and timers. */
export function deviceBundle(bundlePath: string, maxFrame: number): NodeRig {
  var encoder = new StreamEncoder(maxFrame);
  var h = newHeader();
  var tally: Tally | null = null;
  var timers: ReturnType<typeof setTimeout>[] = [];
  var keep = <T extends ReturnType<typeof setTimeout>>(t: T): T => (timers.push(t.unref()), t);
  var sim = {
    board: "qemu-mps2-an385",
    onFrame: null as ((frame: Uint8Array) => void) | null,
    sendFrame(frame: Uint8Array): boolean {
      // As the firmware: only a well-formed frame the link can carry is sent.
      if (frame.length > maxFrame || decodeHeader(frame, 0, frame.length, h) !== null) return false;
      encoder.encode(frame);
      if (tally) tally.onFrame(frame);
      return true;
    },
    millis: () => performance.now(),
    log() {},
    storageRead: () => undefined,
    storageWrite: () => false,
    heap: () => ({ size: 0, total: 0, used: 0, peak: 0 }),
    temperature: () => simulatedTemperature(performance.now())
  };
  // The bundle is a classic script naming the firmware's globals; parameters stand in for them.
  var run = new Function("sim", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "print", readFileSync(bundlePath, "utf8"));
  run(
    sim,
    (fn: () => void, ms: number) => keep(setTimeout(fn, ms)),
    clearTimeout,
    (fn: () => void, ms: number) => keep(setInterval(fn, ms)),
    clearInterval,
    () => {}
  );
  if (typeof sim.onFrame !== "function") throw new Error(`${bundlePath}: the bundle did not set sim.onFrame`);
  return {
    run(frame, count, t) {
      tally = t;
      var deliver = sim.onFrame!;
      var start = performance.now();
      for (var i = 0; i < count; i++) deliver.call(sim, new Uint8Array(frame));
      return performance.now() - start;
    },
    close() {
      for (var t of timers) clearInterval(t);
    }
  };
}
