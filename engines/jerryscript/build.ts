// JerryScript 3.0.0 from the vendored archive (engines/vendor.ts), built once per change of its inputs
// into engines/build/jerryscript-<key>/ (git-ignored) with Kaluma's engine options and the rpi-pico
// board's heap, then the Kaluma runner (kaluma-runner.c) linked against it as engines/build/jerry-kaluma.
// The key is a hash of the archive, the CMake options and the compiler, so a second run builds nothing.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { vendored } from "../vendor";
import { check32Bit, QEMU_USER_INSTALL } from "../build";

const here = fileURLToPath(new URL(".", import.meta.url));
const BUILD_DIR = fileURLToPath(new URL("../build/", import.meta.url));
export const PRELUDE = here + "kaluma-prelude.js";
const RUNNER_SOURCES = ["kaluma-runner.c", "kaluma-text.c", "kaluma-io.c", "kaluma-uart-rx.c"].map((f) => here + f);
const RUNNER_HEADER = here + "kaluma.h";

export const CMAKE_INSTALL = "apt-get install -y cmake";

/** Kaluma's JerryScript options (tools/kaluma.cmake JERRY_ARGS), with the rpi-pico heap (target.cmake TARGET_HEAPSIZE). */
export function jerryOptions(heapKB: number): string[] {
  return [
    "-DJERRY_PROFILE=es.next", // Kaluma's es2015-subset, renamed es.next in 3.0.0
    `-DJERRY_GLOBAL_HEAP_SIZE=${heapKB}`,
    "-DJERRY_CPOINTER_32_BIT=ON",
    "-DJERRY_ERROR_MESSAGES=ON",
    "-DJERRY_MEM_STATS=ON",
    "-DJERRY_LINE_INFO=ON",
    "-DJERRY_SNAPSHOT_EXEC=ON",
    "-DJERRY_VM_HALT=ON",
    "-DJERRY_CMDLINE=OFF",
    "-DJERRY_EXT=ON",
    "-DJERRY_PORT=ON",
    "-DENABLE_LTO=OFF", // Kaluma links with LTO; off here so relinking the runner takes seconds, not a minute
    "-DCMAKE_BUILD_TYPE=MinSizeRel"
  ];
}

export interface JerryBuild {
  /** engines/build/jerryscript-<key>/: include/ and lib/libjerry-{core,ext,port}.a. */
  dir: string;
  /** True when this call built it; false when the cached build was up to date. */
  built: boolean;
  ms: number;
}

export interface KalumaRunner {
  binary: string;
  /** How to start it (qemu-i386 first where the kernel runs no 32-bit programs). */
  command: { file: string; args: string[] };
  jerry: JerryBuild;
  bits: 32 | 64;
}

function hash(parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw Object.assign(
      new Error(
        `jerryscript: ${cmd} is missing. Install it with: ${cmd === "cmake" ? CMAKE_INSTALL : "apt-get install -y build-essential"}`
      ),
      {
        installLine: cmd === "cmake" ? CMAKE_INSTALL : "apt-get install -y build-essential"
      }
    );
  }
  if (r.status !== 0) throw new Error(`jerryscript: ${what} failed:\n${(r.stderr || "").slice(-4000)}${(r.stdout || "").slice(-2000)}`);
}

/**
 * JerryScript's libraries for `bits` (32: -m32, the board's pointer and value sizes; 64: the host's),
 * built if the cache lacks them. Built in a private folder and renamed, as test files may race here.
 */
export function ensureJerryScript(bits: 32 | 64, heapKB = 180): JerryBuild {
  const archive = vendored("jerryscript");
  const cc = process.env.CC || "cc";
  const options = [...jerryOptions(heapKB), ...(bits === 32 ? ["-DCMAKE_C_FLAGS=-m32"] : [])];
  const key = hash([readFileSync(archive), cc, String(bits), ...options]);
  const dir = `${BUILD_DIR}jerryscript-${key}/`;
  const t0 = Date.now();
  if (existsSync(dir + "lib/libjerry-core.a")) return { dir, built: false, ms: Date.now() - t0 };
  if (bits === 32) check32Bit(cc);
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = `${BUILD_DIR}tmp-jerryscript-${process.pid}-${Date.now()}/`;
  mkdirSync(tmp, { recursive: true });
  try {
    run("tar", ["-xzf", archive, "-C", tmp], tmp, "extracting " + archive);
    const src = tmp + "jerryscript-3.0.0";
    if (!existsSync(src + "/CMakeLists.txt")) throw new Error(`jerryscript: ${archive} has no jerryscript-3.0.0/CMakeLists.txt`);
    run("cmake", ["-S", src, "-B", tmp + "cmake", `-DCMAKE_C_COMPILER=${cc}`, ...options], tmp, "cmake");
    run("make", ["-C", tmp + "cmake", "-j2", "jerry-core", "jerry-ext", "jerry-port"], tmp, "make");
    const out = tmp + "out/";
    mkdirSync(out + "lib", { recursive: true });
    for (const lib of ["libjerry-core.a", "libjerry-ext.a", "libjerry-port.a"]) renameSync(`${tmp}cmake/lib/${lib}`, out + "lib/" + lib);
    renameSync(src + "/jerry-core/include", out + "include");
    try {
      renameSync(out, dir);
    } catch (e) {
      if (!existsSync(dir + "lib/libjerry-core.a")) throw e; // otherwise a parallel build got there first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, built: true, ms: Date.now() - t0 };
}

const launcher: Map<string, string[]> = new Map();

function launcherFor(binary: string): string[] {
  const known = launcher.get(binary);
  if (known) return known;
  const runs = (cmd: string, args: string[]) => /usage: jerry-kaluma/.test(spawnSync(cmd, args, { encoding: "utf8" }).stderr || "");
  let l: string[];
  if (runs(binary, [])) l = [];
  else if (runs("qemu-i386", [binary])) l = ["qemu-i386"];
  else
    throw Object.assign(
      new Error(`jerry-kaluma: this kernel runs no 32-bit programs and qemu-i386 is missing. Install it: ${QEMU_USER_INSTALL}`),
      { installLine: QEMU_USER_INSTALL }
    );
  launcher.set(binary, l);
  return l;
}

/** The runner binary for `bits`, (re)linked when its source or the engine build changed. */
export function ensureKalumaRunner(bits: 32 | 64 = DEFAULT_BITS, heapKB = 180): KalumaRunner {
  const jerry = ensureJerryScript(bits, heapKB);
  const cc = process.env.CC || "cc";
  const flags = [...(bits === 32 ? ["-m32"] : []), "-std=gnu99", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread"];
  const binary = `${BUILD_DIR}jerry-kaluma${bits === 32 ? "-32" : ""}-${heapKB}`;
  const key = hash([jerry.dir, cc, ...flags, ...[...RUNNER_SOURCES, RUNNER_HEADER].map((f) => readFileSync(f))]);
  const stamp = binary + ".key";
  if (!(existsSync(binary) && existsSync(stamp) && readFileSync(stamp, "utf8") === key)) {
    const tmp = `${binary}.${process.pid}.${Date.now()}`;
    try {
      execFileSync(
        cc,
        [
          ...flags,
          "-I" + jerry.dir + "include",
          "-o",
          tmp,
          ...RUNNER_SOURCES,
          ...["core", "ext", "port"].map((l) => `${jerry.dir}lib/libjerry-${l}.a`),
          "-lm"
        ],
        {
          stdio: ["ignore", "pipe", "pipe"]
        }
      );
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new Error(`jerry-kaluma: ${cc} failed:\n${err.stderr ? err.stderr.toString() : String(e)}`);
    }
    renameSync(tmp, binary);
    writeFileSync(tmp + ".key", key);
    renameSync(tmp + ".key", stamp);
  }
  const l = launcherFor(binary);
  return { binary, command: l.length ? { file: l[0], args: [binary] } : { file: binary, args: [] }, jerry, bits };
}

/**
 * 64-bit by default (README.md, "32 or 64 bits"): with 32-bit compressed pointers JerryScript's heap
 * objects have the board's sizes on both (measured: echo's heap after start 25,632 B at 32 bits, 25,824
 * B at 64, the difference being the native pointers a few objects hold), while the 32-bit build runs
 * only under qemu-i386 here, 47 times slower per call (124 ms against 2.65 ms).
 */
export const DEFAULT_BITS: 32 | 64 = process.env.CELL_JERRY_BITS === "32" ? 32 : 64;
