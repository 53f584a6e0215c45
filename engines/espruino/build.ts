// Builds Espruino 2v29 from the vendored release archive as a board-like Linux program, one per
// Espruino board in boards/ and variant (stock 2v29, or 2v29 + the upstream serial data-loss fix):
// 32-bit and -funsigned-char as on the boards' ARM and Xtensa cores, the board's JsVar count (which
// also picks the board's JsVar size), no Unicode support and no extra libraries, as the boards' own
// builds. Cached in engines/build/espruino-<board>-<variant>-<key>/espruino, the key a hash of the
// archive, the patch, the generated board file and the make flags: a second run does not rebuild.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { vendored } from "../vendor";
import { check32Bit, QEMU_USER_INSTALL } from "../build";
import { boardIds, loadBoard } from "../../firmware/build/board";

export const ESPRUINO_BUILD_DIR = fileURLToPath(new URL("../build/", import.meta.url));

export type EspruinoVariant = "stock" | "fixed";
export const ESPRUINO_VARIANTS: EspruinoVariant[] = ["stock", "fixed"];
/** x86-32 is the board-like build; x86-64 (the same flags without -m32) exists only for valgrind,
 * whose 32-bit tools this kernel cannot start (bench/espruino-callgrind.ts). */
export type EspruinoArch = "x86-32" | "x86-64";
/** The board-like builds have no optimisation flag, as upstream's LINUX.py (gcc's -O0); the boards'
 * own builds have one (Pico, Puck.js: -Os; ESP32: -Og). x86-64 builds may take one, for valgrind. */
export type EspruinoOptimize = "" | "-Os" | "-Og";

/** What make is given besides the generated board file. OPENWRT_UCLIBC=1 links without libstdc++
 * (no 32-bit libstdc++ needed); RELEASE=1 drops asserts, as board releases do. */
const MAKE_VARS = ["RELEASE=1", "OPENWRT_UCLIBC=1"];

/** The JsVar count of an Espruino board, from its JSON (the upstream boards/*.py `variables`). */
export function boardVariables(boardId: string): number {
  const board = loadBoard(boardId);
  if (board.engine !== "espruino") throw new Error(`board ${boardId} does not run Espruino (engine ${board.engine})`);
  const count = board.ramAccounting.jsVars ? board.ramAccounting.jsVars.count : 0;
  if (!(Number.isInteger(count) && count > 0)) throw new Error(`boards/${boardId}.json has no ramAccounting.jsVars.count`);
  return count;
}

/** The Espruino boards in boards/. */
export function espruinoBoards(): string[] {
  return boardIds()
    .filter((id) => loadBoard(id).engine === "espruino")
    .sort();
}

/**
 * A board file in Espruino's own format, from its LINUX.py without what the real boards lack:
 * no libraries (NET, GRAPHICS, CRYPTO...), no ESPR_UNICODE_SUPPORT, fixed `variables` instead of
 * resizable ones. USE_CALLFUNCTION_HACK is what upstream's LINUX.py names for 32-bit x86 builds.
 */
function boardFile(variables: number, arch: EspruinoArch, optimize: string): string {
  const m32 =
    arch === "x86-32"
      ? "'CFLAGS+=-m32 -funsigned-char', 'LDFLAGS+=-m32', 'DEFINES+=-DUSE_CALLFUNCTION_HACK',"
      : "'CFLAGS+=-funsigned-char',";
  const opt = optimize ? ` 'OPTIMIZEFLAGS+=${optimize}',` : "";
  return `import pinutils;
info = {
 'name' : "Cell board-like Linux build",
 'default_console' : "EV_USBSERIAL",
 'variables' : ${variables},
 'binary_name' : 'espruino',
 'build' : {
   'libraries' : [],
   'makefile' : [
     ${m32}${opt}
     'LINUX=1',
   ]
 }
};
chip = { 'part' : "LINUX", 'family' : "LINUX", 'package' : "", 'ram' : 0, 'flash' : 256, 'speed' : -1,
  'usart' : 6, 'spi' : 3, 'i2c' : 3, 'adc' : 0, 'dac' : 0 };
devices = { 'USB' : {} };
def get_pins():
  return pinutils.generate_pins(0,32)
`;
}

export interface EspruinoBinary {
  /** The program, named after its engine. */
  path: string;
  board: string;
  variant: EspruinoVariant;
  variables: number;
  /** True when this call built it; ms is then the build time, else the cache lookup's. */
  built: boolean;
  ms: number;
}

function hashOf(parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string, what: string, input?: Buffer): void {
  const r = spawnSync(cmd, args, {
    cwd,
    input,
    stdio: [input ? "pipe" : "ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "vendor",
      GIT_AUTHOR_EMAIL: "vendor@localhost",
      GIT_COMMITTER_NAME: "vendor",
      GIT_COMMITTER_EMAIL: "vendor@localhost"
    }
  });
  if (r.error || r.status !== 0) {
    const out = (r.stderr ? r.stderr.toString() : "") + (r.stdout ? r.stdout.toString().slice(-4000) : "");
    throw new Error(
      `espruino build: ${what} failed (${cmd} ${args.join(" ")}): ${r.error ? r.error.message : "exit " + r.status}\n${out.slice(-4000)}`
    );
  }
}

const memo = new Map<string, string>();

/** Path of the up-to-date espruino binary for the board and variant; builds it when missing. */
export function ensureEspruino(
  boardId: string,
  variant: EspruinoVariant = "stock",
  arch: EspruinoArch = "x86-32",
  optimize: EspruinoOptimize = ""
): EspruinoBinary {
  if (optimize && arch !== "x86-64") throw new Error("espruino build: an optimisation level is for the x86-64 builds only");
  const started = Date.now();
  const variables = boardVariables(boardId);
  const archive = vendored("espruino");
  const patch = variant === "fixed" ? vendored("espruinoFix") : null;
  const board = boardFile(variables, arch, optimize);
  const cc = process.env.CC || "cc";
  const key = hashOf([readFileSync(archive), patch ? readFileSync(patch) : "", board, cc, ...MAKE_VARS]);
  const name = `espruino-${boardId}-${variant}-${arch === "x86-64" ? "x86_64-" : ""}${optimize ? optimize.slice(1) + "-" : ""}`;
  const dir = `${ESPRUINO_BUILD_DIR}${name}${key}/`;
  const path = dir + "espruino";
  const done = (built: boolean): EspruinoBinary => ({ path, board: boardId, variant, variables, built, ms: Date.now() - started });
  if (memo.get(dir) === path || existsSync(path)) {
    memo.set(dir, path);
    return done(false);
  }
  if (arch === "x86-32") check32Bit(cc);
  // Built in a private folder and renamed into place: test files running in parallel may get here at once.
  const tmp = `${ESPRUINO_BUILD_DIR}tmp-espruino-${process.pid}-${Date.now()}/`;
  mkdirSync(tmp, { recursive: true });
  try {
    run("tar", ["xzf", archive, "-C", tmp], tmp, "extracting " + archive);
    const src = tmp + "espruino-2v29/";
    // The Makefile takes its version from git (the tag), as README_Building.md expects a clone.
    run("git", ["-c", "core.autocrlf=false", "init", "-q"], src, "git init");
    run("git", ["-c", "core.autocrlf=false", "add", "-A"], src, "git add");
    run("git", ["-c", "core.autocrlf=false", "commit", "-qm", "vendor"], src, "git commit");
    run("git", ["tag", "RELEASE_2V29"], src, "git tag");
    if (patch) run("patch", ["-p1", "-i", patch], src, "applying " + patch);
    writeFileSync(src + "boards/CELL_BOARD.py", board);
    run("make", ["BOARD=CELL_BOARD", ...MAKE_VARS, arch === "x86-64" ? "-j1" : "-j2"], src, "make");
    mkdirSync(tmp + "out", { recursive: true });
    copyFileSync(src + "bin/espruino", tmp + "out/espruino");
    writeFileSync(
      tmp + "out/build.txt",
      `Espruino 2v29 ${variant} for ${boardId} (${arch}): variables ${variables}, make ${MAKE_VARS.join(" ")}\n${board}`
    );
    try {
      renameSync(tmp + "out", dir);
    } catch (e) {
      if (!existsSync(path)) throw e; // otherwise a parallel build got there first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // Older builds of the same board, variant and arch are stale.
  for (const old of readdirSync(ESPRUINO_BUILD_DIR)) {
    if (old.startsWith(name) && /^[0-9a-f]{16}$/.test(old.slice(name.length)) && `${ESPRUINO_BUILD_DIR}${old}/` !== dir)
      rmSync(ESPRUINO_BUILD_DIR + old, { recursive: true, force: true });
  }
  memo.set(dir, path);
  return done(true);
}

let launcher: string[] | undefined;

/**
 * How to start a 32-bit espruino: directly where the kernel runs 32-bit x86 programs, else under
 * qemu-i386 (user-mode emulation of the same binary; gVisor runs no 32-bit programs).
 */
export function espruinoCommand(binary: string): { file: string; args: string[] } {
  if (!launcher) {
    const runs = (cmd: string, args: string[]) =>
      /Print this help screen/.test(spawnSync(cmd, args, { encoding: "utf8", timeout: 20000 }).stderr || "");
    if (runs(binary, ["--help"])) launcher = [];
    else if (runs("qemu-i386", [binary, "--help"])) launcher = ["qemu-i386"];
    else throw new Error(`espruino: this kernel runs no 32-bit programs and qemu-i386 is missing. Install it: ${QEMU_USER_INSTALL}`);
  }
  return launcher.length ? { file: launcher[0], args: [binary] } : { file: binary, args: [] };
}
