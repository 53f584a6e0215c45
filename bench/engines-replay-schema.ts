// The engines bench's replay cell (bench/engines-replay.ts runs it in Duktape and QuickJS; bench/engines.ts
// calls it). As bench/sim-replay-schema.ts, but the time is an f64 of milliseconds: the engines' clock is
// the host's, with sub-millisecond resolution, so short runs still give exact figures.
import { cell, method, t } from "../core/schema";

export var EngineReplay = cell("bench.engineReplay", {
  /** Feeds `frame` (a whole request frame) through the bundle's own frame path `count` times; answers the time it took. */
  run: method(t.struct({ frame: t.bytes, count: t.u32 }), t.struct({ ms: t.f64 }))
});
