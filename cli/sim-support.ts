// What `cell sim` and `cell flash` share once their arguments are parsed: the board check, failures as
// named exit codes, the report. Heavy (it loads the build): the commands import it inside run().
import { CliError, ExitCode } from "./exit-codes";
import { UsageError } from "./args";
import { hex32 } from "../core/hex";
// The light parts of the build (no rollup, no TypeScript): sim and flash parse and check boards first.
import { loadBoard } from "../firmware/build/board";
import { halOf } from "../firmware/build/entry";
import { FlashError, LoaderStatus } from "../sim/loader-client";
import type { SimBundle, DescribedCell } from "../sim/bundle";

/** What `cell sim` parsed, as the per-engine sims (cli/sim-*.ts) take it. */
export interface SimArgs {
  board: string;
  input: string;
  port?: number;
  count: number;
  icount?: number;
  /** --json: called once a board runs, with what a script needs to reach it (printed as one JSON line). */
  report?: (running: RunningBoard) => void;
}

/** What `cell sim --json` prints per running board. */
export interface RunningBoard {
  board: number;
  id: string;
  pid: number;
  /** Where the board's link is: tcp://127.0.0.1:PORT. */
  uart: string;
  /** The `cell bridge` command line that serves the board's cells on UDP (bridgeCommand). */
  bridge: string;
  bundle: { path: string; bytes: number };
  cells: { name: string; schema: string; matches: boolean }[] | null;
}

/**
 * The adapter family of a board's bundles ("duktape" for our QEMU firmware whatever engine it embeds,
 * "jerryscript" for Kaluma, "espruino"), or undefined for a board with no file (requireSimBoard says so).
 */
export function boardEngine(id: string): string | undefined {
  try {
    return halOf(loadBoard(id));
  } catch {
    return undefined;
  }
}

/** The board file, which must describe a board flashed through cell.loader (a simulated board). */
export function requireSimBoard(id: string): { id: string; maxFrameBytes: number } {
  var board;
  try {
    board = loadBoard(id);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!board.flash || board.flash.method !== "cell-loader") {
    throw new UsageError(
      `board ${id} is not simulated here (its flash method is ${board.flash ? board.flash.method : "none"}); use --board qemu-mps2-an385`
    );
  }
  return board;
}

/** Any failure of building, booting, connecting or flashing, as a CliError with its exit code. */
export function simFailure(e: unknown): CliError {
  if (e instanceof CliError) return e;
  var err = e as Error & { code?: unknown; codeName?: string; installLine?: string };
  var msg = err && err.message ? err.message : String(e);
  if (err instanceof FlashError) return new CliError(msg, ExitCode.BadInput);
  if (err.installLine || /install (it|them|the toolchain) with/i.test(msg)) return new CliError(msg, ExitCode.Unavailable);
  if (err.code === "ECONNREFUSED" || err.code === "ECONNRESET" || /address already in use|Failed to bind/i.test(msg))
    return new CliError(msg, ExitCode.Unavailable);
  if (err.codeName === "TimedOut") {
    return new CliError(msg + " (QEMU serves its UART to one client at a time: is another program connected to it?)", ExitCode.TimedOut);
  }
  if (err.codeName === "LinkClosed" || err.codeName === "Unreachable") return new CliError(msg, ExitCode.Unavailable);
  return new CliError(msg, ExitCode.Failed);
}

/**
 * The `cell bridge` command line for a simulated board's link at `url`, serving its cells on UDP
 * 127.0.0.1:7420. --board paces the bridge's writes as the board's link needs (boards/*.json
 * ports.link.pacing: stock Espruino 2v29); `paced: false` adds --pacing 0 where the board's engine
 * needs none although its file names a pacing (Espruino 2v29 with the upstream fix).
 */
export function bridgeCommand(boardId: string, url: string, o: { paced?: boolean } = {}): string {
  return `cell bridge --board ${boardId}${o.paced === false ? " --pacing 0" : ""} --serial ${url} --udp 127.0.0.1:7420`;
}

/** Lines saying what a board runs now. */
export function reportLines(bundle: SimBundle, status: LoaderStatus, described: DescribedCell[] | null): string[] {
  var lines = [
    `  bundle  ${bundle.path} (${status.bundleSize} bytes, crc32 ${hex32(status.bundleCrc32)}), running; heap peak ${status.heapPeak} of ${status.heapSize} bytes`
  ];
  if (!described) lines.push("  cells   unknown (no manifest.json next to the bundle lists it)");
  else for (var c of described) lines.push(`  cell    ${c.name}: ${c.schema}${c.matches ? "" : "   (NOT the schema the build recorded)"}`);
  return lines;
}
