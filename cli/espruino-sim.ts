// `cell sim --board esp32|puckjs|espruino-pico <cell>`: the cell on the real Espruino 2v29 engine
// (engines/espruino/sim.ts), flashed through its REPL, its link served as tcp://127.0.0.1:PORT.
import { CliError, ExitCode } from "./exit-codes";
import { loadBoard } from "../rollup.config.mjs";
import { loadSimBundle, describeCells } from "../sim/bundle";
import { simFailure } from "./sim-support";
import { startEspruinoSim, EspruinoSim } from "../engines/espruino/sim";
import { ESPRUINO_VARIANTS, EspruinoVariant } from "../engines/espruino/build";
import { openSerial } from "../transports/serial";
import { boardPacing } from "../transports/pacing";

export const espruinoSimUsage = `       cell sim --board esp32|puckjs|espruino-pico <cell module | bundle .js> [--espruino stock|fixed] [--port P]

Espruino boards run on Espruino 2v29 itself, built from the vendored sources as a board-like 32-bit
Linux program (engines/espruino/build.ts; under qemu-i386 where the kernel runs no 32-bit programs).
The bundle is flashed through the REPL (.boot0 in Storage, read back and checked), the board is
power-cycled, and its link port (Serial2, or Puck.js's Bluetooth UART) is served on a pty as
tcp://127.0.0.1:PORT. The console is shown prefixed "espruino| ".
  --espruino stock   2v29 as released, what boards run (default): hosts must pace writes (board link.pacing)
  --espruino fixed   2v29 + upstream fix a3f085979 (no serial data loss)`;

/** The board named by --board, when it runs Espruino; else null (another sim handles it). */
export function espruinoBoardOf(args: string[]): string | null {
  const i = args.findIndex((a) => a === "--board" || a.startsWith("--board="));
  if (i < 0) return null;
  const id = args[i].includes("=") ? args[i].slice(8) : args[i + 1];
  try {
    return id && loadBoard(id).engine === "espruino" ? id : null;
  } catch {
    return null;
  }
}

function parse(args: string[]): { board: string; input: string; variant: EspruinoVariant; port?: number } {
  const out: { board?: string; input?: string; variant: EspruinoVariant; port?: number } = { variant: "stock" };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = () => (eq > 0 ? a.slice(eq + 1) : args[++i]);
    if (flag === "--board") out.board = value();
    else if (flag === "--espruino") {
      const v = value() as EspruinoVariant;
      if (ESPRUINO_VARIANTS.indexOf(v) < 0) throw new CliError(`--espruino takes stock or fixed, got ${JSON.stringify(v)}`, ExitCode.Usage);
      out.variant = v;
    } else if (flag === "--port") {
      const p = Number(value());
      if (!(Number.isInteger(p) && p > 0 && p < 65536)) throw new CliError(`--port takes a TCP port number`, ExitCode.Usage);
      out.port = p;
    } else if (flag.startsWith("-")) throw new CliError(`unknown option ${flag} for an Espruino board`, ExitCode.Usage);
    else if (out.input === undefined) out.input = a;
    else throw new CliError(`unexpected argument ${JSON.stringify(a)}`, ExitCode.Usage);
  }
  if (!out.input) throw new CliError("which bundle? give a cell module (.ts or a folder) or a built bundle (.js)", ExitCode.Usage);
  return out as { board: string; input: string; variant: EspruinoVariant; port?: number };
}

export async function runEspruinoSim(args: string[]): Promise<number> {
  const a = parse(args);
  const board = loadBoard(a.board);
  let sim: EspruinoSim | null = null;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (sim) await sim.close();
    finish(code);
  };
  const onSignal = (signal: string) => {
    console.log(`\n${signal}: stopping the board`);
    void stop(ExitCode.Ok);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  finished.then(() => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  });
  try {
    const bundle = await loadSimBundle(a.input, board.id, { log: (line) => console.log(line) }).catch((e) => {
      throw new CliError(`${a.input}: ${(e as Error).message}`, ExitCode.BadInput);
    });
    let pending = "";
    const onConsole = (text: string) => {
      const lines = (pending + text).split(/\r?\n/);
      pending = lines.pop()!;
      for (const l of lines) if (l.trim()) console.log("espruino| " + l);
    };
    sim = await startEspruinoSim({ board: board.id, variant: a.variant, bundle: bundle.bytes, port: a.port, onConsole });
    if (stopping) return finished;
    const pacing = boardPacing(board, a.variant);
    console.log(`board: ${board.id} on Espruino 2v29 ${a.variant} (${sim.binary.path}, ${sim.binary.built ? `built in ${sim.binary.ms} ms` : "cached"}), pid ${sim.pid}, flashed through the REPL in ${sim.flashMs} ms`);
    console.log(`  link    ${sim.url}   (${board.ports.link.device}${pacing ? `; stock 2v29: write in ${pacing.chunkBytes}-byte chunks ${pacing.gapMs} ms apart` : ""})`);
    if (bundle.cells) {
      const link = await openSerial(sim.url, { maxFrame: board.maxFrameBytes + 20, reconnect: false, pacing });
      try {
        for (const c of await describeCells(link, bundle.cells, 20000)) console.log(`  cell    ${c.name}: ${c.schema}${c.matches ? "" : "   (NOT the schema the build recorded)"}`);
      } finally {
        link.close();
      }
    }
    const m = await sim.memory();
    console.log(`  jsvars  ${m.usage} of ${m.total} in use after start`);
    console.log("board running; Ctrl-C stops it.");
    sim.exited.then((code) => {
      if (stopping) return;
      console.error(`board: espruino (pid ${sim!.pid}) exited with ${code}`);
      void stop(ExitCode.Failed);
    });
  } catch (e) {
    if (stopping) return finished;
    await stop(ExitCode.Failed);
    throw simFailure(e);
  }
  return finished;
}
