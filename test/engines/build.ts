// Compiles the host Duktape runner with the host C compiler into test/engines/build/ (not committed),
// again whenever a source is newer than the binary. Links Debian's libduktape (package duktape-dev)
// and the sim firmware's portable framing code (sim/firmware/wire.c).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));
export const BUILD_DIR = here + "build/";
export const RUNNER = BUILD_DIR + "duk-runner";
export const PERSONALITY_DIR = here + "personalities";

const SOURCES = [here + "duk-runner.c", here + "duk-natives.c", here + "duk-heap.c", root + "sim/firmware/wire.c"];
const HEADERS = [here + "runner.h", here + "duk-heap.h", root + "sim/firmware/wire.h"];

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}

/** Path of an up-to-date runner binary; builds it if needed. Throws with the fix when duktape-dev is missing. */
export function ensureDuktapeRunner(): string {
  if (!existsSync("/usr/include/duktape.h") || !(existsSync("/usr/lib/x86_64-linux-gnu/libduktape.so") || existsSync("/usr/lib/aarch64-linux-gnu/libduktape.so") || existsSync("/usr/lib/libduktape.so"))) {
    throw new Error("Duktape headers or library missing: run `apt-get install -y duktape-dev`");
  }
  for (const f of [...SOURCES, ...HEADERS]) if (!existsSync(f)) throw new Error("duk-runner: missing source " + f);
  if (existsSync(RUNNER)) {
    const built = mtime(RUNNER);
    if ([...SOURCES, ...HEADERS].every((f) => mtime(f) <= built)) return RUNNER;
  }
  mkdirSync(BUILD_DIR, { recursive: true });
  // Build to a private name and rename: test files running in parallel may all get here at once.
  const tmp = `${RUNNER}.${process.pid}.${Date.now()}`;
  const cc = process.env.CC || "cc";
  const args = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", `-DPERSONALITY_DIR="${PERSONALITY_DIR}"`, "-o", tmp, ...SOURCES, "-lduktape", "-lm"];
  try {
    execFileSync(cc, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`duk-runner: ${cc} failed:\n${err.stderr ? err.stderr.toString() : String(e)}`);
  }
  renameSync(tmp, RUNNER);
  return RUNNER;
}
