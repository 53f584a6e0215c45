// Compiles the host Duktape runner into engines/build/ (not committed) as a 32-bit program, so that
// Duktape's values, pointers and objects have the sizes they have on the 32-bit boards and the heap cap
// measures what a board would. Duktape comes from its single-file source (package duktape-dev), built
// with the sim firmware's own config overrides, once per change of its inputs (it takes several seconds);
// the runner, with the sim firmware's framing code (sim/firmware/wire.c), whenever a source changes.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../", import.meta.url));
export const BUILD_DIR = here + "build/";
export const RUNNER = BUILD_DIR + "duk-runner";
export const PERSONALITY_DIR = here + "personalities";

export const DUKTAPE_INSTALL = "apt-get install -y duktape-dev";
export const M32_INSTALL = "apt-get install -y gcc-multilib";
export const QEMU_USER_INSTALL = "apt-get install -y qemu-user";

const DUK_SRC = "/usr/share/duktape/";
const SIM_OVERRIDES = root + "sim/firmware/duk_overrides.h";
const CONFIG_MARKER = "/* __OVERRIDE_DEFINES__ */";

const SOURCES = [here + "duk-runner.c", here + "duk-natives.c", here + "duk-heap.c", here + "duk-hooks.c", root + "sim/firmware/wire.c"];
const HEADERS = [here + "runner.h", here + "duk-heap.h", root + "sim/firmware/wire.h"];

// -malign-double aligns doubles in structs to 8 bytes as the ARM EABI does: with it every Duktape
// struct (duk_tval, duk_hobject, duk_hthread, duk_heap...) has its Cortex-M size to the byte. Every unit
// gets it, as they share structs; the glibc calls made pass no structs holding doubles or 64-bit ints.
const ARCH = ["-m32", "-malign-double"];
// As sim/build.mjs compiles Duktape: size-optimised, third-party warnings are not ours to fix.
const DUK_FLAGS = [...ARCH, "-Os", "-std=gnu99", "-w"];
const RUNNER_FLAGS = [...ARCH, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", `-DPERSONALITY_DIR="${PERSONALITY_DIR}"`];

let ready = false;

function hash(parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

function compile(cc: string, args: string[], what: string): void {
  try {
    execFileSync(cc, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`duk-runner: ${cc} failed building ${what}:\n${err.stderr ? err.stderr.toString() : String(e)}`);
  }
}

/** Fails, with the package to install, unless `cc -m32` builds and links a 32-bit C program. */
export function check32Bit(cc: string): void {
  mkdirSync(BUILD_DIR, { recursive: true });
  const src = `${BUILD_DIR}m32-probe.${process.pid}.c`;
  writeFileSync(
    src,
    '#include <math.h>\n#include <stdio.h>\nint main(void) { printf("%g", sqrt(2.0)); return sizeof(void *) == 4 ? 0 : 1; }\n'
  );
  try {
    execFileSync(cc, [...ARCH, "-o", src + ".out", src, "-lm"], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(
      `duk-runner must be a 32-bit program (so its heap figures are the 32-bit boards'), but \`${cc} -m32\` cannot build one. ` +
        `Install the 32-bit toolchain: ${M32_INSTALL}\n${err.stderr ? err.stderr.toString() : String(e)}`
    );
  } finally {
    rmSync(src, { force: true });
    rmSync(src + ".out", { force: true });
  }
}

/** Duktape's sources with the sim firmware's overrides pasted into duk_config.h, as sim/build.mjs does. */
function duktapeInputs(): { files: Record<string, string | Buffer>; key: string } {
  for (const f of ["duktape.c", "duktape.h", "duk_config.h"]) {
    if (!existsSync(DUK_SRC + f)) throw new Error(`duk-runner: ${DUK_SRC}${f} missing: run \`${DUKTAPE_INSTALL}\``);
  }
  if (!existsSync(SIM_OVERRIDES)) throw new Error(`duk-runner: missing ${SIM_OVERRIDES}`);
  const config = readFileSync(DUK_SRC + "duk_config.h", "utf8");
  if (!config.includes(CONFIG_MARKER)) throw new Error(`duk-runner: ${DUK_SRC}duk_config.h has no ${CONFIG_MARKER} marker`);
  const files = {
    "duktape.c": readFileSync(DUK_SRC + "duktape.c"),
    "duktape.h": readFileSync(DUK_SRC + "duktape.h"),
    "duk_config.h": config.replace(CONFIG_MARKER, () => readFileSync(SIM_OVERRIDES, "utf8"))
  };
  return { files, key: hash([...Object.values(files), ...DUK_FLAGS]) };
}

/**
 * The directory holding the configured Duktape sources and their object, named by a hash of all the
 * inputs: present means up to date. Built in a private directory and renamed into place, because test
 * files running in parallel may all get here at once.
 */
function ensureDuktapeObject(cc: string, inputs: { files: Record<string, string | Buffer>; key: string }): string {
  const dir = `${BUILD_DIR}duktape-${inputs.key}/`;
  if (existsSync(dir + "duktape.o")) return dir;
  const tmp = `${BUILD_DIR}tmp-duktape-${process.pid}-${Date.now()}/`;
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [name, text] of Object.entries(inputs.files)) writeFileSync(tmp + name, text);
    compile(cc, [...DUK_FLAGS, "-c", tmp + "duktape.c", "-o", tmp + "duktape.o"], "duktape.c");
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (!existsSync(dir + "duktape.o")) throw e; // otherwise a parallel build got there first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const old of readdirSync(BUILD_DIR)) {
    if (/^duktape-[0-9a-f]{16}$/.test(old) && `${BUILD_DIR}${old}/` !== dir) rmSync(BUILD_DIR + old, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Path of an up-to-date 32-bit runner binary; builds it if needed. Throws with the install line when
 * duktape-dev or the 32-bit toolchain (gcc-multilib) is missing: it never falls back to a 64-bit build.
 */
export function ensureDuktapeRunner(): string {
  if (ready) return RUNNER;
  for (const f of [...SOURCES, ...HEADERS]) if (!existsSync(f)) throw new Error("duk-runner: missing source " + f);
  const cc = process.env.CC || "cc";
  const inputs = duktapeInputs();
  const runnerKey = hash([inputs.key, cc, ...RUNNER_FLAGS, ...[...SOURCES, ...HEADERS].map((f) => readFileSync(f))]);
  const stamp = RUNNER + ".key";
  if (existsSync(RUNNER) && existsSync(stamp) && readFileSync(stamp, "utf8") === runnerKey) {
    ready = true;
    return RUNNER;
  }
  check32Bit(cc);
  const dukDir = ensureDuktapeObject(cc, inputs);
  // Built to a private name and renamed, binary first: a stale stamp only costs a rebuild.
  const tmp = `${RUNNER}.${process.pid}.${Date.now()}`;
  compile(cc, [...RUNNER_FLAGS, "-I" + dukDir, "-o", tmp, ...SOURCES, dukDir + "duktape.o", "-lm"], "the runner");
  renameSync(tmp, RUNNER);
  writeFileSync(tmp + ".key", runnerKey);
  renameSync(tmp + ".key", stamp);
  ready = true;
  return RUNNER;
}

/**
 * A 64-bit runner, for valgrind only: this kernel starts none of valgrind's 32-bit tools, so
 * instructions are counted on this one (bench/espruino-callgrind.ts). Same sources and flags less
 * -m32 -malign-double; its objects are bigger than a board's, so its heap figures mean nothing. Built
 * only when asked for, cached as duk-runner-x86_64 with its own key stamp.
 */
export function ensureDuktapeRunner64(): string {
  const path = BUILD_DIR + "duk-runner-x86_64";
  const cc = process.env.CC || "cc";
  const inputs = duktapeInputs();
  const dukFlags = DUK_FLAGS.filter((f) => !ARCH.includes(f));
  const runnerFlags = [...RUNNER_FLAGS.filter((f) => !ARCH.includes(f)), "-DRUNNER_X86_64_FOR_VALGRIND"];
  const key = hash([inputs.key, cc, ...dukFlags, ...runnerFlags, ...[...SOURCES, ...HEADERS].map((f) => readFileSync(f))]);
  const stamp = path + ".key";
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, "utf8") === key) return path;
  const tmp = `${BUILD_DIR}tmp-duk64-${process.pid}-${Date.now()}/`;
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [name, text] of Object.entries(inputs.files)) writeFileSync(tmp + name, text);
    compile(cc, [...dukFlags, "-c", tmp + "duktape.c", "-o", tmp + "duktape.o"], "duktape.c (x86-64)");
    compile(cc, [...runnerFlags, "-I" + tmp, "-o", tmp + "duk-runner", ...SOURCES, tmp + "duktape.o", "-lm"], "the x86-64 runner");
    renameSync(tmp + "duk-runner", path);
    writeFileSync(tmp + "key", key);
    renameSync(tmp + "key", stamp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return path;
}

let launcher: string[] | undefined;

/**
 * How to start the 32-bit runner: directly where the kernel runs 32-bit x86 programs, otherwise under
 * qemu-i386 (user-mode emulation of the same binary). Sandboxed kernels such as gVisor run no 32-bit
 * programs at all ("Exec format error"); the figures stay the 32-bit ones either way.
 */
export function runnerCommand(): { file: string; args: string[] } {
  const runner = ensureDuktapeRunner();
  if (!launcher) {
    const runs = (cmd: string, args: string[]) => /usage: duk-runner/.test(spawnSync(cmd, args, { encoding: "utf8" }).stderr || "");
    if (runs(runner, [])) launcher = [];
    else if (runs("qemu-i386", [runner])) launcher = ["qemu-i386"];
    else throw new Error(`duk-runner: this kernel runs no 32-bit programs and qemu-i386 is missing. Install it: ${QEMU_USER_INSTALL}`);
  }
  return launcher.length ? { file: launcher[0], args: [...launcher.slice(1), runner] } : { file: runner, args: [] };
}
