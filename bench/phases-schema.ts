// The phase-profiling cell's schema (bench/phases.ts runs it on the simulated boards; bench/sim.ts calls it).
import { cell, method, t } from "../core/schema";

export var Phases = cell("bench.phases", {
  /** Runs each piece of a COMPACT echo call `count` times on the board; answers ms per piece, in order. */
  run: method(t.struct({ frame: t.bytes, answer: t.bytes, text: t.string, count: t.u32 }), t.array(t.f64))
});
