// The benches' replay cell (bench/replay.ts runs it on the simulated board and in Duktape and QuickJS;
// bench/sim.ts and bench/engines.ts call it). The time is an f64 of milliseconds: the engine runners'
// clock has sub-millisecond resolution, so short runs still give exact figures.
import { cell, method, t } from "../core/schema";

export var Replay = cell("bench.replay", {
  /** Feeds `frame` (a whole request frame) through the bundle's own frame path `count` times; answers the time it took. */
  run: method(t.struct({ frame: t.bytes, count: t.u32 }), t.struct({ ms: t.f64 }))
});
