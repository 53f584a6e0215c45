// The embedded default, end to end with no hardware: build the simulated board's firmware (Duktape on
// an emulated Cortex-M3) if needed, build the thermo cell for that board, boot it in QEMU, flash the
// bundle through the board's boot loader, then call it with full types over its UART and wait for an
// alarm event. QEMU is stopped before exiting.
//
//   npx tsx examples/sim-demo.ts
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSim, SimSession } from "../sim/session";
import { loadSimBundle } from "../sim/bundle";
import { consoleLines } from "../sim/console-lines";
import { remote } from "../core/host/remote";
import { Thermo } from "./thermo/schema";

const BOARD = "qemu-mps2-an385";

async function main(): Promise<void> {
  console.log(`building the ${BOARD} firmware (if needed) and the thermo bundle…`);
  const bundle = await loadSimBundle(join(dirname(fileURLToPath(import.meta.url)), "thermo"), BOARD, {
    log: (line) => console.log("  " + line)
  });

  let sim: SimSession | null = null;
  // Ctrl-C ends Node without its exit hooks: stop QEMU first.
  process.once("SIGINT", () => void (sim ? sim.close() : Promise.resolve()).then(() => process.exit(130)));
  try {
    sim = await startSim({ log: (line) => console.log("  firmware: " + line), onConsole: consoleLines("  board| ") });
    console.log(`booted QEMU (pid ${sim.board.pid}); the board's UART is ${sim.url}`);

    const status = await sim.loader.flash(bundle.bytes);
    console.log(
      `flashed ${status.bundleSize} bytes through cell.loader; running, JS heap peak ${status.heapPeak} of ${status.heapSize} bytes`
    );

    const thermo = remote(Thermo, sim.link);
    const reading = await thermo.read("C"); // typed: { unit: "C" | "F"; value: number }
    console.log(`thermo.read("C") → ${JSON.stringify(reading)}  (${reading.value.toFixed(2)} °${reading.unit})`);

    const alarm = new Promise<{ value: number; threshold: number }>((resolve) => void thermo.on("alarm", resolve));
    const previous = await thermo.setThreshold(reading.value - 1);
    console.log(`thermo.setThreshold(${(reading.value - 1).toFixed(2)}) → previous threshold ${previous}; waiting for the alarm event…`);
    const a = await Promise.race([
      alarm,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no alarm event within 10 s")), 10000))
    ]);
    console.log(`alarm event → ${JSON.stringify(a)}`);
  } finally {
    if (sim) await sim.close();
    if (sim) console.log(`stopped QEMU (pid ${sim.board.pid})`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error("sim-demo: " + (e && e.message ? e.message : String(e)));
    process.exit(1);
  }
);
