// The device engines' side of the engines bench: the bench bundle running in Duktape (the host runner)
// or QuickJS (quickjs-emscripten) under the sim personality, called over its stream link. Its replay
// cell times the loop on the engine's own clock, so the pipe and the process boundary stay outside the
// figure; the answers it sends meanwhile are counted on the way in.
import { startEngine, type Engine, type EngineName, type HeapFigures } from "../engines/index";
import { streamLink } from "../core/stream-link";
import type { Transport } from "../core/transport";
import { remote } from "../core/host/remote";
import { Replay } from "./replay-schema";
import type { Tally } from "./engines-answers";

export interface DeviceSetup {
  bundle: string;
  maxFrame: number;
  /** Caps the whole heap (Duktape: the board's RAM; QuickJS's limit is no faithful cap, so none). */
  heapLimit?: number;
}

export interface DeviceRig {
  /** Feeds `count` copies of `frame` through the device's frame path; answers the engine's milliseconds. */
  run(frame: Uint8Array, count: number, tally: Tally): Promise<number>;
  heap(): HeapFigures;
  readonly started: HeapFigures;
  close(): void;
}

export async function deviceEngine(engine: EngineName, s: DeviceSetup): Promise<DeviceRig> {
  var e: Engine = await startEngine({ engine, personality: "sim", bundle: s.bundle, maxFrame: s.maxFrame, heapLimit: s.heapLimit });
  var tally: Tally | null = null;
  var inner = streamLink(e, { maxFrame: s.maxFrame });
  // Frames arrive in order, so every replayed answer is counted before the replay's own answer.
  var link: Transport = {
    ...inner,
    onFrame(listener) {
      inner.onFrame((frame) => {
        if (tally) tally.onFrame(frame);
        listener(frame);
      });
    }
  };
  var replay = remote(Replay, link, { timeoutMs: 20000 });
  var exit = "";
  e.exited.then((info) => (exit = `${engine} exited (${info.reason}${info.message ? ": " + info.message : ""})`));
  return {
    async run(frame, count, t) {
      if (exit) throw new Error(exit);
      tally = t;
      try {
        return (await replay.run({ frame, count })).ms;
      } catch (err) {
        // A device that died mid-run says why better than the call's timeout does.
        throw new Error(exit || `${engine}: ${(err as Error).message}${e.logs.length ? "; last log: " + e.logs[e.logs.length - 1] : ""}`);
      } finally {
        tally = null;
      }
    },
    heap: () => e.heap(),
    started: e.started,
    close: () => e.close()
  };
}
