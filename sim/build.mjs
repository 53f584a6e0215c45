// Builds the simulated board's firmware (sim/firmware/*.c + Duktape) into sim/build/cell-sim.elf with the
// Debian ARM toolchain. Incremental: a file is recompiled only when it, a header it includes, or the flags
// changed (gcc -MMD dependency files). The JerryScript image of board qemu-mps2-an385-jerryscript
// (sim/firmware/jerry/ + the shared C) is built by buildSim({ board, jerryscriptArchive, limits }).
// sim/firmware-build.ts calls it with the board's limits (from loadBoard) and the vendored archive;
// `npm run build:sim` runs that file.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, copyFileSync, readdirSync, renameSync } from "node:fs";
import { cpus } from "node:os";
import { createHash } from "node:crypto";
import { dirname, join, basename, relative } from "node:path";
import { fileURLToPath } from "node:url";

export var INSTALL_LINE = "apt-get install -y qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi duktape-dev";

var SIM = dirname(fileURLToPath(import.meta.url));
var ROOT = dirname(SIM);
var FW = join(SIM, "firmware");
var OUT = join(SIM, "build");
var DUK_SRC = "/usr/share/duktape";
export var ELF = join(OUT, "cell-sim.elf");
export var DUKTAPE_BOARD = "qemu-mps2-an385";
export var JERRYSCRIPT_BOARD = "qemu-mps2-an385-jerryscript";
/** The JerryScript image: the same shared C, JerryScript 3.0.0 instead of Duktape. */
export var JERRY_ELF = join(OUT, "cell-sim-jerryscript.elf");
/** The C that talks to Duktape; the JerryScript image has its own in sim/firmware/jerry/. */
var DUKTAPE_ONLY = ["engine.c", "jsapi.c", "timers.c"];

var CC = "arm-none-eabi-gcc";
var ARCH = ["-mcpu=cortex-m3", "-mthumb", "--specs=nano.specs"];
var CFLAGS = [...ARCH, "-Os", "-g", "-ffunction-sections", "-fdata-sections"];
var LDFLAGS = [...ARCH, "-nostartfiles", "-T", join(FW, "link.ld"), "-Wl,--gc-sections", "-Wl,-Map=" + join(OUT, "cell-sim.map")];

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
  var deps = readFileSync(dep, "utf8")
    .replace(/\\\n/g, " ")
    .split(/\s+/)
    .slice(1)
    .filter((d) => d && !d.endsWith(":"));
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

/** Compiles the units whose objects are stale into objDir, in parallel; returns the objects and how many were compiled. */
async function compileUnits(units, objDir, log) {
  mkdirSync(objDir, { recursive: true });
  var jobs = [];
  var objs = [];
  for (var u of units) {
    var obj = join(objDir, (u.name || basename(u.src)).replace(/\.c$/, ".o"));
    objs.push(obj);
    var key = JSON.stringify(u.flags);
    // A `fixed` unit's sources never change (an extracted archive, keyed by its hash): no dependency scan.
    if (
      u.fixed
        ? existsSync(obj) && existsSync(obj.replace(/\.o$/, ".flags")) && readFileSync(obj.replace(/\.o$/, ".flags"), "utf8") === key
        : !stale(obj, key)
    )
      continue;
    jobs.push(
      ((u, obj, key) => async () => {
        log("cc " + (u.name || basename(u.src)));
        // Built under a private name, then renamed: two builds at once (parallel test files) never see half a file.
        var tmp = obj + "." + process.pid;
        await run(CC, [...u.flags, "-MMD", "-MT", obj, "-MF", tmp + ".d", "-c", u.src, "-o", tmp]);
        renameSync(tmp + ".d", obj.replace(/\.o$/, ".d"));
        renameSync(tmp, obj);
        writeFileSync(obj.replace(/\.o$/, ".flags"), key);
      })(u, obj, key)
    );
  }
  await inParallel(jobs, Math.max(1, cpus().length));
  return { objs, compiled: jobs.length };
}

/** Links `objs` into `elf` unless it is newer than all of them and was linked with the same flags. */
async function linkImage(elf, ldflags, objs, compiled, log) {
  var linkKey = JSON.stringify(ldflags) + objs.join(",");
  var linkStamp = elf.replace(/\.elf$/, ".flags");
  var elfTime = mtime(elf);
  var relink =
    compiled > 0 ||
    elfTime < 0 ||
    mtime(join(FW, "link.ld")) > elfTime ||
    objs.some((o) => mtime(o) > elfTime) ||
    !existsSync(linkStamp) ||
    readFileSync(linkStamp, "utf8") !== linkKey;
  if (relink) {
    log("ld " + basename(elf));
    await run(CC, [...ldflags, ...objs, "-lm", "-o", elf + "." + process.pid]);
    renameSync(elf + "." + process.pid, elf);
    writeFileSync(linkStamp, linkKey);
  }
  return relink;
}

function toolchainError(missing) {
  var e = new Error("build:sim: " + missing + ". Install the toolchain with:\n" + INSTALL_LINE);
  e.installLine = INSTALL_LINE;
  return e;
}

/**
 * Builds if needed. Returns { elf, rebuilt, sizes: {text, data, bss}, heapBytes, maxFrame }.
 * Throws with the exact apt-get line when the toolchain or Duktape is missing.
 * `board` picks the image (default qemu-mps2-an385, Duktape); qemu-mps2-an385-jerryscript needs
 * `jerryscriptArchive` (the vendored jerryscript-3.0.0.tar.gz: sim/firmware-build.ts finds it).
 */
export async function buildSim(opts) {
  var log = (opts && opts.log) || ((s) => console.log(s));
  var board = (opts && opts.board) || DUKTAPE_BOARD;
  var cfg = opts && opts.limits;
  if (!cfg) throw new Error("build:sim: buildSim needs the board's limits (sim/firmware-build.ts reads them from its board file)");
  if (board === JERRYSCRIPT_BOARD) return buildJerrySim(opts && opts.jerryscriptArchive, opts && opts.monocypherArchive, cfg, log);
  if (board !== DUKTAPE_BOARD) throw new Error("build:sim: no QEMU firmware for board " + board);
  var missing = missingTools();
  if (missing) throw toolchainError(missing);
  var dukDir = prepareDuktape();
  var mc = monocypher(opts && opts.monocypherArchive, log);
  var defines = ["-DCELL_HEAP_SIZE=" + cfg.heapBytes + "u", "-DCELL_MAX_FRAME=" + cfg.maxFrame + "u"];
  var includes = ["-I" + FW, "-I" + dukDir, ...mc.cflags];
  var units = readdirSync(FW)
    .filter((f) => f.endsWith(".c"))
    .map((f) => ({ src: join(FW, f), flags: [...CFLAGS, "-std=c99", "-Wall", "-Wextra", "-Werror", ...defines, ...includes] }));
  // Duktape is third-party code: its own warnings are not ours to fix.
  units.push({ src: join(dukDir, "duktape.c"), flags: [...CFLAGS, "-std=gnu99", "-w", "-I" + FW, "-I" + dukDir] });
  units.push(...mc.units);
  var { objs, compiled } = await compileUnits(units, join(OUT, "obj"), log);
  var relink = await linkImage(ELF, LDFLAGS, objs, compiled, log);
  var sizes = elfSizes(ELF);
  return { elf: ELF, rebuilt: relink, sizes: sizes, heapBytes: cfg.heapBytes, maxFrame: cfg.maxFrame };
}

// ---- Monocypher (both images): Ed25519 for signed releases (sim/firmware/release.c) ----

var MONOCYPHER_PREFIX = "monocypher-4.0.2";
/** The vendored archive ($CELL_VENDOR or ../shared/vendor, as engines/vendor.ts finds it). */
export function monocypherArchive() {
  return join(process.env.CELL_VENDOR || join(ROOT, "..", "shared", "vendor"), MONOCYPHER_PREFIX + ".tar.gz");
}

/** Monocypher's src/ folder, extracted once from the archive (default: monocypherArchive()). */
export function monocypherSources(archive, log) {
  var must = "src/optional/monocypher-ed25519.c";
  return join(extractVendored(archive || monocypherArchive(), "monocypher", MONOCYPHER_PREFIX, ["src"], must, log || (() => {})), "src");
}

/**
 * Monocypher's include folders and the two units the firmware links. `archive` null: Monocypher is not
 * there (an SDK installed from npm has no vendored sources), so the image is built with CELL_NO_ED25519:
 * it runs unsigned bundles as before and refuses every signed release, saying why.
 */
function monocypher(archive, log) {
  if (archive === null) return { cflags: ["-DCELL_NO_ED25519=1"], units: [] };
  var src = monocypherSources(archive, log);
  var includes = ["-I" + src, "-I" + join(src, "optional")];
  // Third-party code: its own warnings are not ours to fix. Sources never change (keyed by the archive's hash).
  var flags = [...CFLAGS, "-std=c99", "-w", ...includes];
  return {
    cflags: includes,
    units: [
      { src: join(src, "monocypher.c"), name: "mc-monocypher.c", flags, fixed: true },
      { src: join(src, "optional", "monocypher-ed25519.c"), name: "mc-monocypher-ed25519.c", flags, fixed: true }
    ]
  };
}

// ---- The JerryScript image ----

var JERRY_FW = join(FW, "jerry");
var JERRY_OUT = join(OUT, "jerryscript");
var JERRY_PREFIX = "jerryscript-3.0.0";
/** jerry-core's private include folders (its CMakeLists.txt INCLUDE_CORE_PRIVATE). */
var JERRY_INCLUDES = [
  "",
  "api",
  "debugger",
  "ecma/base",
  "ecma/builtin-objects",
  "ecma/builtin-objects/typedarray",
  "ecma/operations",
  "jcontext",
  "jmem",
  "jrt",
  "lit",
  "parser/js",
  "parser/regexp",
  "vm",
  "include"
];

/**
 * JerryScript's configuration (jerry-core/config.h names): the es.next profile as Kaluma builds it, the board's
 * heap, heap statistics for sim.heap() and status, the VM halt hook for the 5 s limit, a native stack limit
 * below the firmware's 128 KiB stack, error messages for lastError; no debugger, snapshots or logging.
 */
function jerryDefines(cfg) {
  return [
    "-DJERRY_NDEBUG",
    "-DJERRY_GLOBAL_HEAP_SIZE=" + cfg.heapBytes / 1024,
    "-DJERRY_CPOINTER_32_BIT=" + (cfg.heapBytes > 512 * 1024 ? 1 : 0),
    "-DJERRY_MEM_STATS=1",
    "-DJERRY_VM_HALT=1",
    "-DJERRY_STACK_LIMIT=96",
    "-DJERRY_ERROR_MESSAGES=1",
    "-DJERRY_LINE_INFO=0",
    "-DJERRY_LOGGING=0",
    "-DJERRY_DEBUGGER=0",
    "-DJERRY_SNAPSHOT_EXEC=0",
    "-DJERRY_SNAPSHOT_SAVE=0",
    "-DJERRY_PARSER_DUMP_BYTE_CODE=0",
    "-DJERRY_REGEXP_DUMP_BYTE_CODE=0"
  ];
}

function listC(dir) {
  var out = [];
  for (var e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...listC(join(dir, e.name)));
    else if (e.name.endsWith(".c")) out.push(join(dir, e.name));
  }
  return out.sort();
}

/**
 * A vendored archive's `members` extracted once into OUT/<name>/src-<hash of the archive>/ (git-ignored):
 * a changed archive gets a fresh folder, an unchanged one is never extracted again. Returns the prefix folder.
 */
function extractVendored(archive, name, prefix, members, mustHave, log) {
  if (!archive || !existsSync(archive)) throw new Error("build:sim: the " + prefix + " archive is missing (" + archive + ")");
  var key = createHash("sha256").update(readFileSync(archive)).digest("hex").slice(0, 12);
  var dir = join(OUT, name, "src-" + key);
  var done = join(dir, ".extracted");
  if (existsSync(done)) return join(dir, prefix);
  log("extract " + basename(archive));
  var tmp = dir + "." + process.pid;
  mkdirSync(tmp, { recursive: true });
  var r = spawnSync("tar", ["xzf", archive, "-C", tmp, ...members.map((m) => prefix + "/" + m)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error("build:sim: could not extract " + archive + ": " + (r.stderr || r.error));
  if (!existsSync(join(tmp, prefix, mustHave))) throw new Error("build:sim: " + archive + " does not hold " + prefix + "/" + mustHave);
  writeFileSync(join(tmp, ".extracted"), archive + "\n");
  try {
    renameSync(tmp, dir);
  } catch (e) {
    if (!existsSync(done)) throw e; // another build extracted it at the same time: use theirs
    spawnSync("rm", ["-rf", tmp]);
  }
  return join(dir, prefix);
}

function extractJerry(archive, log) {
  return extractVendored(archive, "jerryscript", JERRY_PREFIX, ["jerry-core"], "jerry-core/api/jerryscript.c", log);
}

async function buildJerrySim(archive, monocypherArch, cfg, log) {
  var cc = spawnSync(CC, ["--version"], { stdio: "ignore" });
  if (cc.error || cc.status !== 0) throw toolchainError(CC + " not found");
  if (cfg.heapBytes % 1024 !== 0)
    throw new Error("build:sim: JerryScript's heap is set in KiB; ramBytes " + cfg.heapBytes + " is not a multiple of 1024");
  var src = extractJerry(archive, log);
  var mc = monocypher(monocypherArch, log);
  var core = join(src, "jerry-core");
  var jdefs = jerryDefines(cfg);
  var jincludes = JERRY_INCLUDES.map((d) => "-I" + join(core, d));
  var defines = [
    "-DCELL_HEAP_SIZE=" + cfg.heapBytes + "u",
    "-DCELL_MAX_FRAME=" + cfg.maxFrame + "u",
    "-DCELL_ENGINE_JERRYSCRIPT",
    '-DCELL_BOARD_NAME="' + JERRYSCRIPT_BOARD + '"'
  ];
  var ours = [
    ...CFLAGS,
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    ...defines,
    ...jdefs,
    "-I" + FW,
    "-I" + join(core, "include"),
    ...mc.cflags
  ];
  var units = readdirSync(FW)
    .filter((f) => f.endsWith(".c") && DUKTAPE_ONLY.indexOf(f) < 0)
    .map((f) => ({ src: join(FW, f), flags: ours }));
  for (var f of readdirSync(JERRY_FW).filter((f) => f.endsWith(".c")))
    units.push({ src: join(JERRY_FW, f), name: "jerry-" + f, flags: ours });
  // JerryScript is third-party code: its own warnings are not ours to fix.
  var theirs = [...CFLAGS, "-std=gnu99", "-w", ...jdefs, ...jincludes];
  units.push(...mc.units);
  for (var c of listC(core)) units.push({ src: c, name: "jc-" + relative(core, c).replace(/\//g, "-"), flags: theirs, fixed: true });
  var { objs, compiled } = await compileUnits(units, join(JERRY_OUT, "obj"), log);
  var ldflags = [
    ...ARCH,
    "-nostartfiles",
    "-T",
    join(FW, "link.ld"),
    "-Wl,--gc-sections",
    "-Wl,-Map=" + join(OUT, "cell-sim-jerryscript.map")
  ];
  var relink = await linkImage(JERRY_ELF, ldflags, objs, compiled, log);
  return { elf: JERRY_ELF, rebuilt: relink, sizes: elfSizes(JERRY_ELF), heapBytes: cfg.heapBytes, maxFrame: cfg.maxFrame };
}

/** Berkeley sizes of the image, from arm-none-eabi-size. */
export function elfSizes(elf) {
  var r = spawnSync("arm-none-eabi-size", ["-B", elf], { encoding: "utf8" });
  if (r.status !== 0) throw new Error("build:sim: arm-none-eabi-size failed: " + r.stderr);
  var cols = r.stdout.trim().split("\n")[1].trim().split(/\s+/);
  return { text: +cols[0], data: +cols[1], bss: +cols[2] };
}
