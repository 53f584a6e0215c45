import { defineCommand, option, flag, ms, UsageError } from "../args";
import { ExitCode, CliError } from "../exit-codes";
import { BUNDLE_ARG } from "../sim-options";
import { boardId } from "../boards";
import { checkReadable } from "../files";

export const command = defineCommand({
  name: "flash",
  summary: "flash a bundle onto a board: Espruino over its REPL, Kaluma over YMODEM, QEMU through its loader",
  args: [{ ...BUNDLE_ARG, required: false }],
  about: `Builds the bundle if given a cell module, checks it was built for --board, writes it with the board's
own method (its board file's flash.method), verifies it and says what runs. A bundle built for another
board is refused before anything is written unless --force. When Cell.lock in the current folder trusts
keys (cell trust), the bundle must be signed by one of them (cell build --sign), unchanged since, and for
--board; else it is refused before anything is written, unless --allow-unsigned. A QEMU board with a
provisioned key (cell sim --trust) checks the signature again itself and refuses a release older than the
one it runs, unless --allow-rollback.`,
  options: {
    board: option({ value: "id", help: "the board on --port (boards/*.json)", required: true, parse: boardId }),
    port: option({
      value: "path|tcp://host:port",
      help: "the board's serial port, or a simulated board's UART (cell sim prints it)",
      required: true
    }),
    firmware: option({
      value: "folder|zip",
      help: "write the engine firmware itself instead of a bundle (esp32: Espruino's files or its zip from espruino.com)"
    }),
    timeout: option({ value: "ms", help: "per exchange with the board (default: the method's)", parse: ms }),
    force: flag(
      "write even when the bundle or the board on the port is not the one asked for (risk: a bundle for another board may not start, or may drive the wrong pins)"
    ),
    "allow-unsigned": flag(
      "flash even when Cell.lock trusts keys and the bundle is unsigned, changed or signed by another key (risk: the board runs code no trusted key vouches for)"
    ),
    "allow-rollback": flag(
      "let a board that checks releases take one older than it runs (risk: an old release brings back the bugs and holes later ones fixed)"
    ),
    json: flag("print the report as one JSON object (no progress)")
  },
  footer: `Exit codes: 0 flashed, verified and running, 2 usage, 3 the bundle does not build, is for another board,
is refused (unsigned, tampered, signed by an untrusted key; by a QEMU board with a key, also an older release)
or does not run (--firmware: a missing or wrong image file), 4 nothing answers at --port (or no ROM
bootloader), 5 the board stopped answering, 1 the firmware's MD5 on the board differs from the file's.`,
  async run(o, [input]) {
    if (o.firmware) {
      if (input) throw new UsageError("give a bundle or --firmware, not both: the firmware goes first, then the bundle");
      const { flashFirmwareCommand } = await import("../flash/firmware-command");
      return flashFirmwareCommand(o.board, o.port, o.firmware, o);
    }
    if (!input) throw new UsageError("missing the bundle (a cell module, or a built bundle .js), or --firmware");
    checkReadable(input, "bundle", { folder: true });
    const { loadBoard } = await import("../../firmware/build/board");
    const { FLASH_METHODS } = await import("../flash/methods");
    const { createProgress, progressMode } = await import("../flash/progress");
    const board = loadBoard(o.board);
    const method = board.flash.method;
    const load = FLASH_METHODS[method];
    if (!load) {
      const how = board.flash.command ? `: ${board.flash.command}` : "";
      throw new CliError(`cell flash cannot write ${board.id} (its flash method is ${method})${how}`, ExitCode.Unavailable);
    }
    const flasher = await load();
    await flasher.checkPort(o.port, board);
    const progress = createProgress(progressMode(o.json));
    const { loadSimBundle } = await import("../../sim/bundle");
    let bundle;
    try {
      bundle = await loadSimBundle(input, board.id, { log: (line) => progress.step(line) });
    } catch (e) {
      throw new CliError(`${input}: ${(e as Error).message.split("\n")[0]}`, ExitCode.BadInput, { cause: e });
    }
    if (bundle.builtFor && bundle.builtFor !== board.id && !o.force) {
      throw new CliError(
        `${bundle.path} was built for ${bundle.builtFor}, not ${board.id}; nothing was written (--force writes it anyway: a bundle for another board may not start, or may drive the wrong pins)`,
        ExitCode.BadInput
      );
    }
    if (!bundle.builtFor) progress.step(`${bundle.path}: no manifest.json beside it names its board, so that is not checked`);
    const { checkRelease } = await import("../releases");
    const signature = checkRelease(
      { dir: process.cwd(), bundlePath: bundle.path, bytes: bundle.bytes, board: board.id, allowUnsigned: o["allow-unsigned"] },
      (line) => progress.step(line)
    );
    const report = await flasher.flash({
      board,
      port: o.port,
      bundle,
      timeoutMs: o.timeout,
      force: o.force,
      allowRollback: o["allow-rollback"],
      progress,
      signature
    });
    progress.end();
    if (o.json) {
      console.log(JSON.stringify(report));
    } else {
      console.log(
        `flashed ${report.bytes} bytes to ${report.board} at ${report.port} in ${report.ms} ms (${report.bytesPerSecond} B/s); ${report.verified}`
      );
      for (const line of report.running) console.log(line);
    }
    return ExitCode.Ok;
  }
});
