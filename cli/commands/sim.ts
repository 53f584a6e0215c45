import type { Command } from "../command";
import { ExitCode, CliError } from "../exit-codes";
import { buildSim } from "../../sim/build.mjs";
import { startSim, SimSession } from "../../sim/session";
import { loadSimBundle, describeCells } from "../../sim/bundle";
import { consoleLines } from "../../sim/console-lines";
import { parseSimArgs, requireSimBoard, simFailure, reportLines } from "../sim-support";
import { espruinoBoardOf, runEspruinoSim, espruinoSimUsage } from "../espruino-sim";

const usage = `usage: cell sim --board qemu-mps2-an385 <cell module .ts | folder | bundle .js> [--count N] [--icount [SHIFT]] [--port P]

Builds the simulated board's firmware if needed (sim/build.mjs), builds the bundle if given a cell
module (build/<board>/<name>.js), boots one QEMU process per board, flashes the bundle through the
board's cell.loader, prints where each board's UART is (tcp://127.0.0.1:PORT) and the cells it
serves, then keeps the boards running until Ctrl-C (or SIGTERM), which stops them.

  --count N        boards to start (1..16), each its own QEMU process and port
  --icount [SHIFT] deterministic virtual time: one instruction = 2^SHIFT virtual ns (default 0)
  --port P         UART port of the first board (then P+1, ...); default: free ports

CELL_SIM_ELF=path runs another firmware image instead of building sim/build/cell-sim.elf.

Each UART serves one client at a time: connect with remote(cell, link) over a TCP socket, or
re-flash with cell flash --port tcp://127.0.0.1:PORT. Exit codes: 0 stopped by a signal, 1 a board
died, 2 usage, 3 the bundle does not build or run, 4 QEMU/toolchain/port unavailable, 5 timed out.

${espruinoSimUsage}`;

export const command: Command = {
  summary: "boot simulated boards in QEMU, flash a bundle, keep them running",
  usage,
  async run(args) {
    if (espruinoBoardOf(args)) return runEspruinoSim(args);
    const a = parseSimArgs(args, ["--board", "--count", "--icount", "--port"]);
    const board = requireSimBoard(a.board!);
    const basePort = a.port === undefined ? undefined : Number(a.port);
    if (basePort !== undefined && !(Number.isInteger(basePort) && basePort > 0 && basePort + (a.count || 1) <= 65536)) {
      throw new CliError(`--port takes a TCP port number, got ${JSON.stringify(a.port)}`, ExitCode.Usage);
    }
    const sessions: SimSession[] = [];
    let stopping: Promise<void> | null = null;
    let finish: (code: number) => void = () => {};
    const finished = new Promise<number>((resolve) => (finish = resolve));
    const stop = (code: number) => {
      if (!stopping) stopping = Promise.all(sessions.map((s) => s.close())).then(() => finish(code));
      return stopping;
    };
    const onSignal = (signal: string) => {
      console.log(`\n${signal}: stopping ${sessions.length} board(s)`);
      void stop(ExitCode.Ok);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      if (process.env.CELL_SIM_ELF) console.log(`firmware: ${process.env.CELL_SIM_ELF} (from CELL_SIM_ELF)`);
      else {
        const fw = await buildSim({ log: (line) => console.log("firmware: " + line) });
        console.log(`firmware: ${fw.rebuilt ? "built" : "up to date"} ${fw.elf} (JS heap ${fw.heapBytes} bytes, max frame ${fw.maxFrame})`);
      }
      const bundle = await loadSimBundle(a.input!, board.id, { log: (line) => console.log(line) }).catch((e) => {
        throw new CliError(`${a.input}: ${(e as Error).message}`, ExitCode.BadInput);
      });
      for (let i = 0; i < (a.count || 1) && !stopping; i++) {
        const s = await startSim({ build: false, port: basePort === undefined ? undefined : basePort + i, icount: a.icount, onConsole: consoleLines(`qemu${i}| `) });
        sessions.push(s);
        if (stopping) break; // a signal came while it booted: it is stopped with the others
        const started = Date.now();
        const status = await s.loader.flash(bundle.bytes);
        const described = bundle.cells ? await describeCells(s.link, bundle.cells) : null;
        s.disconnect(); // the UART takes one client: leave it to the user
        console.log(`board ${i}: ${board.id}, QEMU pid ${s.board.pid}, flashed in ${Date.now() - started} ms${a.icount !== undefined ? `, -icount shift=${a.icount}` : ""}`);
        console.log(`  uart    ${s.url}`);
        for (const line of reportLines(bundle, status, described)) console.log(line);
        s.board.exited.then((code) => {
          if (stopping) return;
          console.error(`board ${i}: QEMU (pid ${s.board.pid}) exited with ${code}; stopping the others`);
          void stop(ExitCode.Failed);
        });
      }
      if (!stopping) console.log(`${sessions.length} board(s) running; Ctrl-C stops them.`);
    } catch (e) {
      if (stopping) return finished; // interrupted by a signal: not a failure
      await stop(ExitCode.Failed);
      throw simFailure(e);
    } finally {
      // Kept until the boards are stopped, so Ctrl-C during the build or flash still stops QEMU.
      finished.then(() => {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
      });
    }
    return finished;
  }
};
