#!/usr/bin/env node
// Builds the simulated board's firmware (sim/firmware/*.c + Duktape) into sim/build/cell-sim.elf with the
// Debian ARM toolchain. Incremental: a file is recompiled only when it, a header it includes, or the flags
// changed (gcc -MMD dependency files). `npm run build:sim`; `import { buildSim } from "./build.mjs"`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, copyFileSync, readdirSync, renameSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

export var INSTALL_LINE = "apt-get install -y qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi duktape-dev";

var SIM = dirname(fileURLToPath(import.meta.url));
var ROOT = dirname(SIM);
var FW = join(SIM, "firmware");
var OUT = join(SIM, "build");
var DUK_SRC = "/usr/share/duktape";
export var ELF = join(OUT, "cell-sim.elf");

var CC = "arm-none-eabi-gcc";
var ARCH = ["-mcpu=cortex-m3", "-mthumb", "--specs=nano.specs"];
var CFLAGS = [...ARCH, "-Os", "-g", "-ffunction-sections", "-fdata-sections"];
var LDFLAGS = [...ARCH, "-nostartfiles", "-T", join(FW, "link.ld"), "-Wl,--gc-sections", "-Wl,-Map=" + join(OUT, "cell-sim.map")];

/** Heap and frame limits come from the board file when it exists; CELL_HEAP_SIZE in the environment wins. */
export function boardConfig() {
  var cfg = { heapBytes: 262144, maxFrame: 1024 };
  var file = join(ROOT, "boards", "qemu-mps2-an385.json");
  if (existsSync(file)) {
    var board = JSON.parse(readFileSync(file, "utf8"));
    if (Number.isInteger(board.ramBytes) && board.ramBytes > 0) cfg.heapBytes = board.ramBytes;
    if (Number.isInteger(board.maxFrameBytes) && board.maxFrameBytes >= 64) cfg.maxFrame = board.maxFrameBytes;
  }
  if (process.env.CELL_HEAP_SIZE) cfg.heapBytes = parseInt(process.env.CELL_HEAP_SIZE, 10);
  if (!(cfg.heapBytes >= 16384 && cfg.heapBytes <= 2 * 1024 * 1024)) throw new Error("build:sim: heap size must be 16 KB..2 MB, got " + cfg.heapBytes);
  return cfg;
}

function missingTools() {
  var cc = spawnSync(CC, ["--version"], { stdio: "ignore" });
  if (cc.error || cc.status !== 0) return CC + " not found";
  if (!existsSync(join(DUK_SRC, "duktape.c"))) return join(DUK_SRC, "duktape.c") + " not found";
  var libc = spawnSync(CC, [...ARCH, "-print-file-name=libc_nano.a"], { encoding: "utf8" });
  if (libc.status !== 0 || !existsSync(libc.stdout.trim())) return "newlib-nano for arm-none-eabi not found";
  return null;
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** Writes only when the content changed, so an unchanged file keeps its mtime and nothing rebuilds. */
function writeIfChanged(file, text) {
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  writeFileSync(file, text);
}

/** Duktape's sources, with our overrides pasted at duk_config.h's customisation marker. */
function prepareDuktape() {
  var dir = join(OUT, "duktape");
  mkdirSync(dir, { recursive: true });
  for (var f of ["duktape.c", "duktape.h"]) {
    var dst = join(dir, f);
    if (mtime(dst) < mtime(join(DUK_SRC, f))) copyFileSync(join(DUK_SRC, f), dst);
  }
  var config = readFileSync(join(DUK_SRC, "duk_config.h"), "utf8");
  var marker = "/* __OVERRIDE_DEFINES__ */";
  if (!config.includes(marker)) throw new Error("build:sim: " + join(DUK_SRC, "duk_config.h") + " has no " + marker + " marker");
  writeIfChanged(join(dir, "duk_config.h"), config.replace(marker, readFileSync(join(FW, "duk_overrides.h"), "utf8")));
  return dir;
}

/** The object is stale if missing, if the flags differ, or if any file in its dependency list is newer. */
function stale(obj, flagsKey) {
  var dep = obj.replace(/\.o$/, ".d");
  var stamp = obj.replace(/\.o$/, ".flags");
  if (!existsSync(obj) || !existsSync(dep) || !existsSync(stamp)) return true;
  if (readFileSync(stamp, "utf8") !== flagsKey) return true;
  var objTime = mtime(obj);
  var deps = readFileSync(dep, "utf8").replace(/\\\n/g, " ").split(/\s+/).slice(1).filter((d) => d && !d.endsWith(":"));
  return deps.some((d) => mtime(d) < 0 || mtime(d) > objTime);
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    var child = spawn(cmd, args, { stdio: ["ignore", "inherit", "pipe"] });
    var err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (err) process.stderr.write(err);
      if (code === 0) resolve();
      else reject(new Error("build:sim: " + cmd + " failed (exit " + code + ")"));
    });
  });
}

async function inParallel(jobs, limit) {
  var next = 0;
  async function worker() {
    while (next < jobs.length) await jobs[next++]();
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/**
 * Builds if needed. Returns { elf, rebuilt, sizes: {text, data, bss}, heapBytes, maxFrame }.
 * Throws with the exact apt-get line when the toolchain or Duktape is missing.
 */
export async function buildSim(opts) {
  var log = (opts && opts.log) || ((s) => console.log(s));
  var missing = missingTools();
  if (missing) {
    var e = new Error("build:sim: " + missing + ". Install the toolchain with:\n" + INSTALL_LINE);
    e.installLine = INSTALL_LINE;
    throw e;
  }
  var cfg = boardConfig();
  var objDir = join(OUT, "obj");
  mkdirSync(objDir, { recursive: true });
  var dukDir = prepareDuktape();
  var defines = ["-DCELL_HEAP_SIZE=" + cfg.heapBytes + "u", "-DCELL_MAX_FRAME=" + cfg.maxFrame + "u"];
  var includes = ["-I" + FW, "-I" + dukDir];
  var units = readdirSync(FW)
    .filter((f) => f.endsWith(".c"))
    .map((f) => ({ src: join(FW, f), flags: [...CFLAGS, "-std=c99", "-Wall", "-Wextra", "-Werror", ...defines, ...includes] }));
  // Duktape is third-party code: its own warnings are not ours to fix.
  units.push({ src: join(dukDir, "duktape.c"), flags: [...CFLAGS, "-std=gnu99", "-w", ...includes] });

  var jobs = [];
  var objs = [];
  for (var u of units) {
    var obj = join(objDir, basename(u.src).replace(/\.c$/, ".o"));
    objs.push(obj);
    var key = JSON.stringify(u.flags);
    if (!stale(obj, key)) continue;
    jobs.push(((u, obj, key) => async () => {
      log("cc " + basename(u.src));
      // Built under a private name, then renamed: two builds at once (parallel test files) never see half a file.
      var tmp = obj + "." + process.pid;
      await run(CC, [...u.flags, "-MMD", "-MT", obj, "-MF", tmp + ".d", "-c", u.src, "-o", tmp]);
      renameSync(tmp + ".d", obj.replace(/\.o$/, ".d"));
      renameSync(tmp, obj);
      writeFileSync(obj.replace(/\.o$/, ".flags"), key);
    })(u, obj, key));
  }
  await inParallel(jobs, Math.max(1, cpus().length));

  var linkKey = JSON.stringify(LDFLAGS) + objs.join(",");
  var linkStamp = join(OUT, "cell-sim.flags");
  var elfTime = mtime(ELF);
  var relink = jobs.length > 0 || elfTime < 0 || mtime(join(FW, "link.ld")) > elfTime || objs.some((o) => mtime(o) > elfTime) ||
    !existsSync(linkStamp) || readFileSync(linkStamp, "utf8") !== linkKey;
  if (relink) {
    log("ld cell-sim.elf");
    await run(CC, [...LDFLAGS, ...objs, "-lm", "-o", ELF + "." + process.pid]);
    renameSync(ELF + "." + process.pid, ELF);
    writeFileSync(linkStamp, linkKey);
  }
  var sizes = elfSizes(ELF);
  return { elf: ELF, rebuilt: relink, sizes: sizes, heapBytes: cfg.heapBytes, maxFrame: cfg.maxFrame };
}

/** Berkeley sizes of the image, from arm-none-eabi-size. */
export function elfSizes(elf) {
  var r = spawnSync("arm-none-eabi-size", ["-B", elf], { encoding: "utf8" });
  if (r.status !== 0) throw new Error("build:sim: arm-none-eabi-size failed: " + r.stderr);
  var cols = r.stdout.trim().split("\n")[1].trim().split(/\s+/);
  return { text: +cols[0], data: +cols[1], bss: +cols[2] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildSim().then(
    (r) => {
      console.log(
        (r.rebuilt ? "built " : "up to date ") + r.elf.replace(ROOT + "/", "") +
          ": text " + r.sizes.text + ", data " + r.sizes.data + ", bss " + r.sizes.bss +
          " bytes (JS heap " + r.heapBytes + ", max frame " + r.maxFrame + ")"
      );
    },
    (e) => {
      console.error(e.message);
      process.exit(1);
    }
  );
}
