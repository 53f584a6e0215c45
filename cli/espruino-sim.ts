// `cell sim --board esp32|puckjs|espruino-pico <cell>`: the cell on the real Espruino 2v29 engine
// (engines/espruino/sim.ts), flashed through its REPL, its link served as tcp://127.0.0.1:PORT.
import { CliError, ExitCode } from "./exit-codes";
import { loadBoard } from "../firmware/build/board";
import { UsageError } from "./args";
import { loadSimBundle, describeCells } from "../sim/bundle";
import { bridgeCommand, simFailure, type SimArgs } from "./sim-support";
import { startEspruinoSim, EspruinoSim } from "../engines/espruino/sim";
import type { EspruinoVariant } from "../engines/espruino/build";
import { openSerial } from "../transports/serial";
import { boardPacing } from "../transports/pacing";

/** `cell sim` on an Espruino board, with its arguments parsed (cli/commands/sim.ts). */
export async function runEspruinoSim(a: {
  board: string;
  input: string;
  variant: EspruinoVariant;
  port?: number;
  count: number;
  report?: SimArgs["report"];
}): Promise<number> {
  if (a.count !== 1) throw new UsageError("--count: one Espruino board per `cell sim` (it owns the pty)");
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
    console.log(
      `board: ${board.id} on Espruino 2v29 ${a.variant} (${sim.binary.path}, ${sim.binary.built ? `built in ${sim.binary.ms} ms` : "cached"}), pid ${sim.pid}, flashed through the REPL in ${sim.flashMs} ms`
    );
    console.log(
      `  link    ${sim.url}   (${board.ports.link.device}${pacing ? `; stock 2v29: write in ${pacing.chunkBytes}-byte chunks ${pacing.gapMs} ms apart` : ""})`
    );
    // --board paces as the board file says (stock 2v29); the fixed variant needs none: --pacing 0.
    const bridge = bridgeCommand(board.id, sim.url, { paced: !(board.ports.link.pacing && !pacing) });
    console.log(`  bridge  ${bridge}`);
    let described: Awaited<ReturnType<typeof describeCells>> | null = null;
    if (bundle.cells) {
      const link = await openSerial(sim.url, { maxFrame: board.maxFrameBytes + 20, reconnect: false, pacing });
      try {
        described = await describeCells(link, bundle.cells, 20000);
        for (const c of described)
          console.log(`  cell    ${c.name}: ${c.schema}${c.matches ? "" : "   (NOT the schema the build recorded)"}`);
      } finally {
        link.close();
      }
    }
    const m = await sim.memory();
    console.log(`  jsvars  ${m.usage} of ${m.total} in use after start`);
    a.report?.({
      board: 0,
      id: board.id,
      pid: sim.pid,
      uart: sim.url,
      bridge,
      bundle: { path: bundle.path, bytes: bundle.bytes.length },
      cells: described
    });
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
