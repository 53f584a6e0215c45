// Flashing a Kaluma board (rpi-pico) as the Kaluma CLI does (kaluma-project/kaluma-cli lib/flash.js):
// on the REPL, "\r" then `.flash -w`, which starts the board's YMODEM receiver (src/repl.c cmd_flash);
// the bundle goes as one YMODEM-1K file with CRC-16; the board prints "Done" and `.load` runs it.
// Before writing we ask the board which board it is (board.name) and after, how much it stored.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { CliError, ExitCode } from "../exit-codes";
import { UsageError } from "../args";
import type { Board } from "../../firmware/build/board";
import type { FlashRequest, FlashReport } from "./flasher";
import { openKalumaPort, type KalumaPort } from "./kaluma-port";
import { KalumaConsole, KalumaReplError, YMODEM_BANNER } from "../../transports/kaluma/console";
import { sendYmodem, YmodemError } from "../../transports/kaluma/ymodem-sender";

/** What Kaluma's `board.name` says on each board (its targets/rp2/boards/<name>). */
const KALUMA_BOARD_NAMES: Record<string, string> = { "rpi-pico": "pico" };
const DEFAULT_TIMEOUT_MS = 10000;

export async function checkPort(port: string, board: Board): Promise<void> {
  if (port.startsWith("tcp://")) {
    const { parseTcpUrl, openSocket } = await import("../../sim/tcp-port");
    let addr;
    try {
      addr = parseTcpUrl(port);
    } catch (e) {
      throw new UsageError(`--port for ${board.id}: ${(e as Error).message}`);
    }
    try {
      (await openSocket(addr, 3000)).destroy();
    } catch (e) {
      throw new CliError(`nothing listens at ${port}: ${(e as Error).message}`, ExitCode.Unavailable);
    }
  } else if (!existsSync(port)) {
    throw new CliError(`no serial port at ${port} (is the board plugged in? \`cell ports\` lists the ports)`, ExitCode.Unavailable);
  }
}

export async function flash(req: FlashRequest): Promise<FlashReport> {
  const timeoutMs = req.timeoutMs || DEFAULT_TIMEOUT_MS;
  const bytes = req.bundle.bytes;
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new CliError(
      `${req.bundle.path} has a NUL byte at offset ${nul}: Kaluma keeps its program as a C string and would cut it there`,
      ExitCode.BadInput
    );
  }
  const port = await openKalumaPort(req.port, req.board.ports.console.baud || 115200);
  const con = new KalumaConsole((b) => port.write(b));
  port.onData((b) => con.feed(b));
  try {
    return await session(req, port, con, timeoutMs);
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (port.lost) throw port.lost;
    if (e instanceof KalumaReplError) throw new CliError(`${e.message}; the board printed: ${lastLine(e.output)}`, ExitCode.TimedOut);
    throw e;
  } finally {
    port.close();
  }
}

async function session(req: FlashRequest, port: KalumaPort, con: KalumaConsole, timeoutMs: number): Promise<FlashReport> {
  const { board, progress } = req;
  const bytes = req.bundle.bytes;
  progress.step(`asking the Kaluma REPL at ${req.port} which board it is`);
  con.send("\r"); // ends whatever line the REPL holds, as the Kaluma CLI does
  let answer: string;
  try {
    answer = await port.race(
      con.evaluate('(typeof board=="object"?board.name:"?")+" "+(typeof process=="object"?process.version:"?")', timeoutMs)
    );
  } catch (e) {
    if (e instanceof KalumaReplError)
      throw new CliError(`no Kaluma REPL answered at ${req.port} within ${timeoutMs} ms (is Kaluma running on it?)`, ExitCode.Unavailable);
    throw e;
  }
  const [name, version] = answer.split(" ");
  const expected = KALUMA_BOARD_NAMES[board.id] || board.id;
  if (name !== expected) {
    const what = `the board at ${req.port} says it is a Kaluma "${name}", not ${board.id} ("${expected}")`;
    if (!req.force)
      throw new CliError(
        `${what}; nothing was written (--force writes anyway: a bundle for another board may drive the wrong pins)`,
        ExitCode.BadInput
      );
    progress.step(`${what}; writing anyway (--force)`);
  }

  progress.step(`writing ${bytes.length} bytes to Kaluma ${version} on ${name} with YMODEM-1K (.flash -w)`);
  let from = con.mark;
  con.send(".flash -w\r");
  const banner = await port.race(
    con.waitFor(YMODEM_BANNER, from, timeoutMs, "the board did not start its YMODEM receiver after .flash -w")
  );
  const transfer = sendYmodem({
    write: (b) => port.write(b),
    name: basename(req.bundle.path),
    data: bytes,
    startTimeoutMs: timeoutMs,
    ackTimeoutMs: timeoutMs,
    onProgress: (done, total) => progress.bytes(done, total)
  });
  con.divert(banner.end, transfer.feed);
  let sent;
  try {
    sent = await port.race(transfer.done);
  } catch (e) {
    transfer.abort("stopped"); // CAN CAN: the board leaves YMODEM, its REPL takes the next flash
    progress.end();
    if (port.lost) {
      const acked = e instanceof YmodemError ? e.acked : 0;
      throw new CliError(
        `${port.lost.message} during the transfer (${acked} of ${bytes.length} bytes acknowledged); flash again once it is back`,
        ExitCode.TimedOut
      );
    }
    if (e instanceof YmodemError) {
      const cancelled = e.code === "ReceiverCancelled";
      throw new CliError(
        `${e.message}${cancelled ? "" : "; the board stopped answering"}; it may hold a partial program until the next flash: flash again`,
        cancelled ? ExitCode.BadInput : ExitCode.TimedOut,
        { cause: e }
      );
    }
    throw e;
  }
  const ended = await port.race(
    con.waitFor(
      /(Done|The file size is too large|Verification failed|Aborted|Failed to receive)\r?\n/,
      banner.end, // what the board prints after the transfer is kept from here on
      timeoutMs,
      "the board said nothing after the transfer"
    )
  );
  if (ended.match[1] !== "Done") throw new CliError(`the board refused the program: ${ended.match[1]}`, ExitCode.BadInput);

  progress.step("verifying: .flash -s (the size of the program the board stored)");
  from = con.mark;
  con.send(".flash -s\r");
  const size = Number((await port.race(con.waitFor(/(?:^|\n)(\d+)\r?\n/, from, timeoutMs, "the board did not answer .flash -s"))).match[1]);
  if (size !== bytes.length)
    throw new CliError(`the board stored ${size} bytes, not the ${bytes.length} sent; flash again`, ExitCode.BadInput);

  progress.step("starting it: .load");
  from = con.mark;
  con.send(".load\r");
  await port.race(con.evaluate('"loaded"', timeoutMs)); // the REPL answers once the program's first run is over
  const failure = con.errorSince(from);
  if (failure) throw new CliError(`the program was stored but does not run: ${failure.split(/\r?\n/)[0]}`, ExitCode.BadInput);

  const ms = sent.ms;
  const running = [`  board   Kaluma ${version} on ${name}: the program is in its program flash, runs now and at every boot`];
  if (!req.bundle.cells) running.push("  cells   unknown (no manifest.json next to the bundle lists it)");
  else for (const c of req.bundle.cells) running.push(`  cell    ${c.name}: ${c.schema}   (on its link UART, not the REPL's USB port)`);
  return {
    board: board.id,
    method: "kaluma-ymodem",
    port: req.port,
    bundle: req.bundle.path,
    bytes: bytes.length,
    ms,
    bytesPerSecond: rate(bytes.length, ms),
    verified: `${sent.blocks} YMODEM blocks CRC-16 checked by the board (${sent.resent} sent again; data blocks at ${rate(bytes.length, sent.dataMs)} B/s), which stored ${size} bytes (.flash -s)`,
    running
  };
}

function rate(bytes: number, ms: number): number {
  return ms > 0 ? Math.round((bytes * 1000) / ms) : 0;
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  return JSON.stringify((lines[lines.length - 1] || "").slice(-200));
}
