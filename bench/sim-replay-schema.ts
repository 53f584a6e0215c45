// The bench's replay cell (bench/sim-replay.ts runs it on the simulated board; bench/sim.ts calls it).
import { cell, method, t } from "../core/schema";

export var Replay = cell("bench.replay", {
  /** Feeds `frame` (a whole request frame) through the board's own frame path `count` times; answers the board time it took. */
  run: method(t.struct({ frame: t.bytes, count: t.u32 }), t.struct({ ms: t.u32 }))
});
