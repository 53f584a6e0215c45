// What `cell sim` and `cell flash` share: their flags, the board check, and failures as named exit codes.
import { CliError, ExitCode } from "./exit-codes";
import { loadBoard } from "../rollup.config.mjs";
import { FlashError, LoaderStatus } from "../sim/loader-client";
import type { SimBundle, DescribedCell } from "../sim/bundle";

export interface SimArgs {
  board?: string;
  port?: string;
  count?: number;
  icount?: number;
  timeoutMs?: number;
  input?: string;
}

function intArg(name: string, value: string | undefined, min: number, max: number): number {
  var n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} takes a whole number ${min}..${max}, got ${value === undefined ? "nothing" : JSON.stringify(value)}`, ExitCode.Usage);
  return n;
}

/** Flags common to both commands; `allowed` names the ones this command takes. */
export function parseSimArgs(args: string[], allowed: string[]): SimArgs {
  var out: SimArgs = {};
  for (var i = 0; i < args.length; i++) {
    var a = args[i];
    var [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    var value = () => (inline !== undefined ? inline : args[++i]);
    if (flag.startsWith("-") && allowed.indexOf(flag) < 0) throw new CliError(`unknown option ${flag}`, ExitCode.Usage);
    if (flag === "--board") out.board = value();
    else if (flag === "--port") out.port = value();
    else if (flag === "--count") out.count = intArg("--count", value(), 1, 16);
    else if (flag === "--timeout") out.timeoutMs = intArg("--timeout", value(), 1, 3600000);
    else if (flag === "--icount") {
      // `--icount` alone is shift 0 (one instruction per virtual ns); `--icount=N` or `--icount N` sets it.
      if (inline !== undefined) out.icount = intArg("--icount", inline, 0, 10);
      else if (/^\d+$/.test(args[i + 1] || "")) out.icount = intArg("--icount", args[++i], 0, 10);
      else out.icount = 0;
    } else if (out.input === undefined) out.input = a;
    else throw new CliError(`unexpected argument ${JSON.stringify(a)}`, ExitCode.Usage);
  }
  if (!out.board) throw new CliError("--board is required (the simulated board is qemu-mps2-an385)", ExitCode.Usage);
  if (!out.input) throw new CliError("which bundle? give a cell module (.ts or a folder) or a built bundle (.js)", ExitCode.Usage);
  return out;
}

/** The board's engine ("duktape", "jerryscript", ...), or undefined for a board with no file (requireSimBoard says so). */
export function boardEngine(id: string): string | undefined {
  try {
    return loadBoard(id).engine;
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
    throw new CliError((e as Error).message, ExitCode.Usage);
  }
  if (!board.flash || board.flash.method !== "cell-loader") {
    throw new CliError(`board ${id} is not simulated here (its flash method is ${board.flash ? board.flash.method : "none"}); use --board qemu-mps2-an385`, ExitCode.Usage);
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
  if (err.code === "ECONNREFUSED" || err.code === "ECONNRESET" || /address already in use|Failed to bind/i.test(msg)) return new CliError(msg, ExitCode.Unavailable);
  if (err.codeName === "TimedOut") {
    return new CliError(msg + " (QEMU serves its UART to one client at a time: is another program connected to it?)", ExitCode.TimedOut);
  }
  if (err.codeName === "LinkClosed" || err.codeName === "Unreachable") return new CliError(msg, ExitCode.Unavailable);
  return new CliError(msg, ExitCode.Failed);
}

/** Lines saying what a board runs now. */
export function reportLines(bundle: SimBundle, status: LoaderStatus, described: DescribedCell[] | null): string[] {
  var lines = [`  bundle  ${bundle.path} (${status.bundleSize} bytes, crc32 ${(status.bundleCrc32 >>> 0).toString(16).padStart(8, "0")}), running; heap peak ${status.heapPeak} of ${status.heapSize} bytes`];
  if (!described) lines.push("  cells   unknown (no manifest.json next to the bundle lists it)");
  else for (var c of described) lines.push(`  cell    ${c.name}: ${c.schema}${c.matches ? "" : "   (NOT the schema the build recorded)"}`);
  return lines;
}
