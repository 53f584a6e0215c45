import { defineCommand, flag, option, oneOf, wholeNumber, UsageError } from "../args";
import { ExitCode, CliError } from "../exit-codes";
import { BUNDLE_ARG, SIM_BOARD } from "../sim-options";
import { checkReadable } from "../files";
import { existsSync, readFileSync } from "node:fs";
import type { SimSession } from "../../sim/session";
import type { RunningBoard, SimArgs } from "../sim-support";

export const command = defineCommand({
  name: "sim",
  summary: "boot simulated boards in QEMU, flash a bundle, keep them running",
  args: [BUNDLE_ARG],
  about: `Runs a cell on a simulated board and keeps it running until Ctrl-C (or SIGTERM). Builds the bundle
if given a cell module (build/<board>/<name>.js), prints where the board's link is (tcp://127.0.0.1:PORT)
and the cells it serves. Each board runs the engine it really runs:
  qemu-mps2-an385, qemu-mps2-an385-jerryscript   our Cortex-M3 firmware in QEMU (Duktape, or JerryScript
      3.0.0), built if needed (sim/build.mjs); one QEMU process per board (--count); flashed through cell.loader
  esp32, puckjs, espruino-pico   Espruino 2v29 itself, built from the vendored sources as a board-like
      32-bit program (engines/espruino); flashed through its REPL, power-cycled; the link port (Serial2, or
      Puck.js's Bluetooth UART) on a pty. Stock 2v29 loses serial bytes: hosts pace writes (board link.pacing)
  rpi-pico   JerryScript 3.0.0 with a runner that gives Kaluma's API (engines/jerryscript), UART on a pty`,
  options: {
    board: SIM_BOARD,
    count: option({ value: "n", help: "boards to start, each its own QEMU process and port", default: "1", parse: wholeNumber(1, 16) }),
    icount: option({
      value: "shift",
      help: "deterministic virtual time: one instruction = 2^shift virtual ns (alone: 0)",
      parse: wholeNumber(0, 10),
      optionalValue: { when: /^\d+$/, otherwise: "0" }
    }),
    port: option({
      value: "port",
      help: "UART port of the first board (then port+1, ...); default: free ports",
      parse: wholeNumber(1, 65535)
    }),
    watch: flag("build the cell again when a source in its folder changes and flash it onto the running board(s) (QEMU boards)"),
    json: flag("one JSON object per running board on stdout (board, id, pid, uart, bridge, bundle, cells); other lines go to stderr"),
    espruino: option({
      value: "stock|fixed",
      help: "Espruino boards: 2v29 as released, what boards run (hosts pace their writes), or 2v29 + the upstream serial fix a3f085979",
      default: "stock",
      parse: oneOf(["stock", "fixed"] as const)
    }),
    trust: option({
      value: "file.pub",
      help: "QEMU boards: provision this public key (cell keygen) before boot; the loader then runs only releases it signed (cell build --sign), none older than the running one"
    })
  },
  footer: `CELL_SIM_ELF=path runs another firmware image instead of building the board's (sim/build/*.elf).

Each UART serves one client at a time: connect with remote(cell, link) over a TCP socket, run the
printed cell bridge line (--board paces writes as the board's link needs), or re-flash with
cell flash --port tcp://127.0.0.1:PORT. Exit codes: 0 stopped by a signal, 1 a board
died, 2 usage, 3 the bundle does not build or run (or the board refuses it: --trust and it is unsigned, tampered or
signed by another key), or the --trust file is not an Ed25519 public key, 4 QEMU/toolchain/port unavailable, 5 timed out.`,
  async run(o, [input]) {
    const report = o.json ? (running: RunningBoard) => void process.stdout.write(JSON.stringify(running) + "\n") : undefined;
    const a = { board: o.board, input, port: o.port, count: o.count, icount: o.icount, report };
    // --json: stdout carries the JSON lines only; what a person reads goes to stderr.
    const log = console.log;
    if (o.json) console.log = console.error;
    try {
      return await runSim(o, a);
    } finally {
      console.log = log;
    }
  }
});

async function runSim(
  o: { board: string; espruino: "stock" | "fixed"; watch: boolean; trust?: string },
  a: SimArgs & { input: string }
): Promise<number> {
  const basePort = a.port;
  const input = a.input;
  if (basePort !== undefined && basePort + a.count > 65536) throw new UsageError(`--port ${basePort} leaves no room for ${a.count} boards`);
  checkReadable(input, "bundle", { folder: true });
  const trusted = o.trust ? (await import("../releases")).readPublicKeyFile(o.trust) : undefined;
  // The build, QEMU and the loader load only now.
  const { buildFirmware } = await import("../../sim/firmware-build");
  const { startSim } = await import("../../sim/session");
  const { loadSimBundle, describeCells } = await import("../../sim/bundle");
  const { consoleLines } = await import("../../sim/console-lines");
  const { requireSimBoard, simFailure, reportLines, boardEngine, bridgeCommand } = await import("../sim-support");
  const engine = boardEngine(o.board);
  if (trusted && (engine === "jerryscript" || engine === "espruino"))
    throw new UsageError(
      `--trust provisions the QEMU boards' loader; on ${o.board} the loader is the board's own firmware, so the host checks before flashing (cell flash with Cell.lock)`
    );
  if (o.watch && engine !== "duktape")
    throw new UsageError(`--watch reflashes QEMU boards only (qemu-mps2-an385, qemu-mps2-an385-jerryscript), not ${o.board}`);
  // Boards whose engine runs on the host, not in QEMU: the engine's own sim.
  if (engine === "jerryscript") return (await import("../sim-jerryscript")).simKaluma(a);
  if (engine === "espruino") return (await import("../espruino-sim")).runEspruinoSim({ ...a, variant: o.espruino });
  const board = requireSimBoard(o.board);
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
      const fw = await buildFirmware(board.id, { log: (line) => console.log("firmware: " + line) });
      console.log(`firmware: ${fw.rebuilt ? "built" : "up to date"} ${fw.elf} (JS heap ${fw.heapBytes} bytes, max frame ${fw.maxFrame})`);
    }
    const bundle = await loadSimBundle(a.input!, board.id, { log: (line) => console.log(line) }).catch((e) => {
      throw new CliError(`${a.input}: ${(e as Error).message}`, ExitCode.BadInput);
    });
    // Sent with the bundle when there is one: a board with a provisioned key refuses a bundle without it.
    const sigPath = bundle.path + ".cellsig";
    const signature = existsSync(sigPath) ? new Uint8Array(readFileSync(sigPath)) : undefined;
    if (trusted)
      console.log(
        `trust: key ${trusted.id} (${o.trust}) provisioned before boot: the loader runs only releases it signed${signature ? "" : `; ${bundle.path} is unsigned`}`
      );
    for (let i = 0; i < a.count && !stopping; i++) {
      const s = await startSim({
        build: false,
        board: board.id,
        port: basePort === undefined ? undefined : basePort + i,
        icount: a.icount,
        trustedKey: trusted && trusted.raw,
        onConsole: consoleLines(`qemu${i}| `, (line) => void (a.report ? process.stderr : process.stdout).write(line))
      });
      sessions.push(s);
      if (stopping) break; // a signal came while it booted: it is stopped with the others
      const started = Date.now();
      const status = await s.loader.flash(bundle.bytes, { signature });
      const described = bundle.cells ? await describeCells(s.link, bundle.cells) : null;
      s.disconnect(); // the UART takes one client: leave it to the user
      console.log(
        `board ${i}: ${board.id}, QEMU pid ${s.board.pid}, flashed in ${Date.now() - started} ms${a.icount !== undefined ? `, -icount shift=${a.icount}` : ""}`
      );
      console.log(`  uart    ${s.url}`);
      const bridge = bridgeCommand(board.id, s.url);
      console.log(`  bridge  ${bridge}`);
      for (const line of reportLines(bundle, status, described)) console.log(line);
      a.report?.({
        board: i,
        id: board.id,
        pid: s.board.pid,
        uart: s.url,
        bridge,
        bundle: { path: bundle.path, bytes: status.bundleSize },
        cells: described
      });
      s.board.exited.then((code) => {
        if (stopping) return;
        console.error(`board ${i}: QEMU (pid ${s.board.pid}) exited with ${code}; stopping the others`);
        void stop(ExitCode.Failed);
      });
    }
    if (!stopping) console.log(`${sessions.length} board(s) running; Ctrl-C stops them.`);
    if (o.watch && !stopping) {
      const { watchSources } = await import("../watch-sources");
      const { reflash } = await import("../sim-reflash");
      const watcher = watchSources(input, (files) => {
        console.log(`changed: ${files.map((f) => f || "(a file)").join(", ")}; building and flashing again`);
        return reflash(
          input,
          board,
          sessions.map((s) => s.url),
          (line) => console.log(line)
        ).catch((e: unknown) => {
          console.error(`cell sim: ${simFailure(e).message.split("\n")[0]} (the board runs what it ran)`);
        });
      });
      void finished.then(() => watcher.close());
      console.log(`watching ${input}: a change builds and flashes it again`);
    }
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
