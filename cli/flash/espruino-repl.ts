// Flashing an Espruino board (ESP32, Puck.js, Pico) through its REPL, as the Espruino tools do:
// one Ctrl-C and echo(0), then ask the board which board it is (process.env.BOARD) before anything is
// written, then the bundle in Storage.write chunks into a staging file, read back on the board (length
// and E.CRC32), copied on the board into the file the board JSON names (.boot0) and checked again, then
// load() so it runs now and at every boot. A cut transfer leaves the old .boot0; a Storage with room
// for the bundle only once gets it written into .boot0 directly, with a warning. The protocol itself is
// transports/espruino/{repl,staged-upload}.ts; this file opens the port, paces it, and turns failures
// into one line and an exit code.
import { existsSync } from "node:fs";
import { CliError, ExitCode } from "../exit-codes";
import { UsageError } from "../args";
import type { Board } from "../../firmware/build/board";
import type { FlashRequest, FlashReport } from "./flasher";
import type { Medium, MediumEvents } from "../../transports/medium";
import type { EspruinoRepl } from "../../transports/espruino/repl";

/** Bytes of the bundle per Storage.write line: a line of at most ~1 KB after escaping. */
const CHUNK_BYTES = 256;
/** How long the board may take to print an error from the boot code after load(). */
const SETTLE_MS = 3000;

/** The Storage file the board runs at boot, from its JSON's flash.persist. */
function bootFile(board: Board): string {
  if (board.flash.persist === "storage-boot0") return ".boot0";
  throw new CliError(
    `cell flash cannot write ${board.id}: its bundle persists as ${board.flash.persist}, not a Storage file`,
    ExitCode.Unavailable
  );
}

async function openPort(port: string, board: Board, events: MediumEvents): Promise<Medium> {
  const { parseTcpTarget } = await import("../../transports/serial");
  let tcp;
  try {
    tcp = parseTcpTarget(port);
  } catch (e) {
    throw new UsageError(`--port ${port}: ${(e as Error).message.replace(/^serial: /, "")}`);
  }
  if (!tcp && !existsSync(port))
    throw new CliError(`serial port ${port} does not exist (is the board plugged in? \`cell ports\` lists them)`, ExitCode.Unavailable);
  try {
    if (tcp) return await (await import("../../transports/tcp-medium")).tcpMedium(tcp.host, tcp.port, 3000)(events);
    const baud = board.ports.console?.baud || 115200;
    return await (await import("../../transports/serialport-medium")).serialPortMedium(port, baud)(events);
  } catch (e) {
    throw new CliError((e as Error).message, ExitCode.Unavailable, { cause: e });
  }
}

export async function checkPort(port: string, board: Board): Promise<void> {
  bootFile(board);
  const medium = await openPort(port, board, { data() {}, lost() {} });
  medium.close();
}

/** "2v29" or "2v29.41" as [2, 29]; null for anything else. */
function version(v: string): number[] | null {
  const m = /^(\d+)v(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function olderThan(v: string, min: string): boolean {
  const a = version(v);
  const b = version(min);
  return !!a && !!b && (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]));
}

export async function flash(req: FlashRequest): Promise<FlashReport> {
  const { EspruinoRepl, ReplError, ReplLostError, crc32 } = await import("../../transports/espruino/repl");
  const staging = await import("../../transports/espruino/staged-upload");
  const { pacedPort, boardPacing } = await import("../../transports/pacing");
  const { board, port, bundle, progress } = req;
  const file = bootFile(board);
  const timeoutMs = req.timeoutMs || 10000;
  let write: (bytes: Uint8Array) => void = () => {};
  const repl = new EspruinoRepl({ write: (b) => write(b) }, { timeoutMs });
  const medium = await openPort(port, board, {
    data: (bytes) => repl.feed(bytes),
    lost: (err) => repl.lost(`${port} closed${err ? ` (${err.message})` : ""}`)
  });
  // The console, paced as the board's JSON says for its link: stock 2v29 drops bytes that come too fast.
  const pacing = boardPacing(board);
  const paced = pacing ? pacedPort({ write: (b) => medium.write(b), onData() {} }, pacing) : medium;
  write = (b) => paced.write(b);
  const total = bundle.bytes.length;
  let written = 0;
  let phase = "getting a prompt";
  let mode: "staged" | "direct" | "no-room" = "staged";
  try {
    progress.step(`asking the board at ${port} which board it is`);
    const [name, fw] = await prompt(repl, timeoutMs, port);
    const expected = board.firmware.build;
    const min = board.firmware.minVersion;
    const wrong = expected && name !== expected ? `it says it is ${name}, not ${board.id} (${expected})` : "";
    const old = min && olderThan(fw, min) ? `its Espruino ${fw} is older than ${min}, which ${board.id}'s adapter needs` : "";
    for (const why of [wrong, old].filter(Boolean)) {
      if (!req.force)
        throw new CliError(
          `the board at ${port}: ${why}; nothing was written (--force writes anyway: the bundle may not start, or may drive the wrong pins)`,
          ExitCode.BadInput
        );
      progress.step(`--force: writing although ${why}`);
    }
    phase = "asking how much Storage is free";
    const room = await staging.storageRoom(repl, file, { timeoutMs });
    mode = staging.chooseMode(total, room);
    if (mode === "no-room")
      throw new CliError(
        `the bundle (${total} bytes) does not fit in the board's Storage (${room!.free} bytes free, ${room!.trash} reclaimable, ` +
          `${Math.max(0, room!.old)} in ${file}); nothing was written`,
        ExitCode.BadInput
      );
    if (mode === "direct")
      progress.step(
        `WARNING: the board's Storage has room for the bundle only once (${room!.free} bytes free, ${room!.trash} reclaimable): ` +
          `writing ${file} directly, without a staging file; if the transfer is cut, ${file} is incomplete until the next flash`
      );
    if (mode === "direct") phase = "the transfer"; // making room erases the old .boot0 first
    if (await staging.makeRoom(repl, file, mode, total, room, { timeoutMs })) progress.step(`compacted the board's Storage`);
    const into = mode === "staged" ? staging.STAGING_FILE : file;
    progress.step(`the board is ${name}, Espruino ${fw}; writing ${total} bytes to ${into}${mode === "staged" ? `, then ${file}` : ""}`);
    phase = "the transfer";
    const started = Date.now();
    const sent = await repl.upload(into, bundle.bytes, {
      chunkBytes: CHUNK_BYTES,
      timeoutMs,
      onProgress(done, all) {
        written = done;
        progress.bytes(done, all);
        if (done >= all) progress.step(`verifying: the board reads ${into} back (length and E.CRC32)`);
      }
    });
    if (mode === "staged") {
      phase = `the copy into ${file}`;
      progress.step(`copying ${into} into ${file} on the board, verifying it (length and E.CRC32), erasing ${into}`);
      await staging.commitStaged(repl, file, bundle.bytes, { timeoutMs });
    }
    const ms = Date.now() - started;
    const crc = `0x${crc32(bundle.bytes).toString(16).padStart(8, "0")}`;
    phase = "load()";
    progress.step(`running it: load()`);
    await loadAndSettle(repl);
    return {
      board: board.id,
      method: "espruino-repl",
      port,
      bundle: bundle.path,
      bytes: total,
      ms,
      bytesPerSecond: ms > 0 ? Math.round((total * 1000) / ms) : 0,
      verified: `read back ${sent.bytes} bytes, CRC32 ${crc} (computed on the board${mode === "staged" ? `, in ${staging.STAGING_FILE} and in ${file}` : ""})`,
      running: [
        `  board   ${name}, Espruino ${fw}: ${file} runs at every boot, started now with load()`,
        ...(bundle.cells
          ? bundle.cells.map((c) => `  cell    ${c.name}: ${c.schema}`)
          : ["  cells   unknown (no manifest.json next to the bundle lists it)"])
      ]
    };
  } catch (e) {
    if (e instanceof CliError) throw e;
    const where =
      phase === "the transfer"
        ? ` after ${written} of ${total} bytes; ` +
          (mode === "staged"
            ? `${file} on the board is unchanged (the old bundle runs at boot): flash again`
            : `${file} on the board is incomplete: flash again`)
        : phase.startsWith("the copy")
          ? `; the board copies on its own once the line has arrived, so ${file} holds the old bundle or the new one: flash again`
          : "";
    if (e instanceof ReplLostError) throw new CliError(`${e.message} during ${phase}${where}`, ExitCode.TimedOut, { cause: e });
    if (e instanceof ReplError && phase === "getting a prompt")
      throw new CliError(
        `no Espruino prompt at ${port} within ${timeoutMs} ms (is it an Espruino board, its console on this port?)`,
        ExitCode.Unavailable,
        { cause: e }
      );
    if (e instanceof ReplError && /^the board threw/.test(e.message))
      throw new CliError(`${e.message} during ${phase} (tried 3 times)${where}`, ExitCode.BadInput, { cause: e });
    if (e instanceof ReplError) throw new CliError(`${e.message} during ${phase} (tried 3 times)${where}`, ExitCode.TimedOut, { cause: e });
    throw e;
  } finally {
    progress.end();
    medium.close();
  }
}

/** Ctrl-C, echo(0), then the board's name and firmware version; a line lost on the way is asked again after another Ctrl-C. */
async function prompt(repl: EspruinoRepl, timeoutMs: number, port: string): Promise<string[]> {
  await repl.interrupt();
  const said = await repl.retried(2, () => repl.evaluate(`process.env.BOARD+" "+process.env.VERSION`, "echo(0);", timeoutMs));
  const parts = said.split(" ");
  if (parts.length !== 2)
    throw new CliError(`the board at ${port} answered ${JSON.stringify(said)} when asked which board it is`, ExitCode.BadInput);
  return parts;
}

/** load() runs the boot files now; an error they print within SETTLE_MS means the bundle does not run. */
async function loadAndSettle(repl: EspruinoRepl): Promise<void> {
  const { ReplError } = await import("../../transports/espruino/repl");
  const from = repl.printed;
  repl.send("\x10load()\n");
  try {
    const m = await repl.waitFor(/Uncaught ([^\r\n]*)/, SETTLE_MS, from);
    throw new CliError(`the bundle was written and verified but does not run: Uncaught ${m[1]}`, ExitCode.BadInput);
  } catch (e) {
    if (e instanceof ReplError) return; // nothing went wrong while we watched
    if (e instanceof CliError) throw e;
    // The port went away after load() (a board whose console the bundle took): the bundle was written and verified.
  }
}
