// Device side of bench/sim.ts: bench/replay.ts's thermo and replay cells plus the echo example, so the
// QEMU boards' bench can replay an echo call too and split it into phases (bench/phases.ts) (bench/engines.ts keeps the smaller bundle).
import { thermoCell } from "../examples/thermo/thermo";
import { echoCell } from "../examples/echo/echo";
import { replayCell } from "./replay";
import { phasesCell } from "./phases";

export default [thermoCell, echoCell, replayCell, phasesCell];
