// Shared by the hardware tests: bundles built for the simulated board into a private folder, boards
// started and stopped by PID (a test file leaves no QEMU running), and waiting on conditions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { buildFirmware, SIM_BOARDS } from "../../sim/firmware-build";
import { startSim, SimSession, SimSessionOptions } from "../../sim/session";
import { loadSimBundle, SimBundle } from "../../sim/bundle";
import { waitFor as waitForCondition } from "../wait-for";

export var BOARD = "qemu-mps2-an385";
/** Every QEMU firmware: the hardware tests run on each (Duktape, JerryScript). */
export var BOARDS: string[] = SIM_BOARDS;
export var ROOT = join(__dirname, "../..");

/** Builds each cell module for the board (firmware image too, if needed) into its own temp folder. */
export async function buildBundles<K extends string>(
  entries: Record<K, string>,
  board = BOARD
): Promise<{ bundles: Record<K, SimBundle>; dir: string; dispose(): void }> {
  await buildFirmware(board, { log: () => {} }); // fails with the apt-get line when the toolchain is missing
  var dir = mkdtempSync(join(tmpdir(), "cell-hw-"));
  var bundles = {} as Record<K, SimBundle>;
  for (var name in entries) bundles[name] = await loadSimBundle(join(ROOT, entries[name]), board, { outDir: dir });
  return { bundles, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Boards started by a test file; `closeAll` stops them and checks their processes are gone. */
export class Boards {
  private started: SimSession[] = [];
  /** `board`: which QEMU firmware the boards run (default qemu-mps2-an385). */
  constructor(private board = BOARD) {}

  async start(opts?: SimSessionOptions): Promise<SimSession> {
    var s = await startSim({ build: false, board: this.board, ...opts });
    this.started.push(s);
    return s;
  }

  async closeAll(): Promise<void> {
    var list = this.started;
    this.started = [];
    await Promise.all(list.map((s) => s.close()));
    for (var s of list) expect(() => process.kill(s.board.pid, 0), `QEMU pid ${s.board.pid} still running`).toThrow();
  }
}

/** test/wait-for.ts's waitFor with the longer limit and slower polling a booting board needs. */
export function waitFor(what: string, check: () => boolean, timeoutMs = 10000): Promise<void> {
  return waitForCondition(what, check, timeoutMs, 20);
}

/** The rejection of `p` (fails the test if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<any> {
  try {
    var v = await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection, got " + JSON.stringify(v));
}
