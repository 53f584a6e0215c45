// Device bundles: one cell module in, one tree-shaken, minified ES5 bundle for one board out, plus a
// manifest (board, engine, sizes, SHA-256, the cells served and their schema hashes).
//
//   npm run build:firmware -- --board esp32 examples/echo/echo.ts     (firmware/build.ts)
//   CELL_BOARD=esp32 CELL_ENTRY=examples/echo/echo.ts npx rollup -c   (bundle only, no manifest)
//
// A cell module default-exports its cells (DeviceCell[]). It imports the HAL from the virtual module
// "cell:hal", which resolves to the board engine's adapter (firmware/adapters/*), and board constants
// from "cell:board", generated from boards/<id>.json. The generated entry opens the board's link and
// serves the cells with only the codecs selected, so an unused codec or transport costs zero bytes.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { rollup } from "rollup";
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";

const ROOT = dirname(fileURLToPath(import.meta.url));

const ADAPTERS = {
  espruino: "firmware/adapters/espruino.ts",
  jerryscript: "firmware/adapters/kaluma.ts",
  duktape: "firmware/adapters/duktape-sim.ts",
  node: "firmware/adapters/node.ts"
};

const CODECS = {
  compact: ["core/codecs/compact.ts", "compactCodec"],
  json: ["core/codecs/json.ts", "jsonCodec"],
  msgpack: ["core/codecs/msgpack.ts", "msgpackCodec"],
  raw: ["core/codecs/raw.ts", "rawCodec"]
};

/** boards/<id>.json, parsed. */
export function loadBoard(id) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(String(id))) throw new Error(`bad board id ${JSON.stringify(id)}`);
  const file = join(ROOT, "boards", `${id}.json`);
  if (!existsSync(file)) throw new Error(`no board ${id} (boards/${id}.json)`);
  return JSON.parse(readFileSync(file, "utf8"));
}

/** A cell module path from a file or a directory (dir/<dir name>.ts, else dir/index.ts). */
export function resolveEntry(path) {
  const p = resolve(path);
  if (existsSync(p) && statSync(p).isDirectory()) {
    for (const f of [join(p, `${basename(p)}.ts`), join(p, "index.ts")]) if (existsSync(f)) return f;
    throw new Error(`${path}: a directory without ${basename(p)}.ts or index.ts`);
  }
  if (!existsSync(p)) throw new Error(`${path}: no such file`);
  return p;
}

function ident(name) {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(String(name))) throw new Error(`not an engine global name: ${JSON.stringify(name)}`);
  return String(name);
}

/** The adapter's openLink() argument, as source: Espruino devices and pins are globals (Serial2, D17). */
export function linkConfigSource(board) {
  const link = board.ports.link;
  switch (board.engine) {
    case "espruino": {
      const parts = [`port: ${ident(link.device)}`];
      if (link.baud) parts.push(`baud: ${link.baud}`);
      if (link.pins) parts.push(`pins: { tx: ${ident(link.pins.tx)}, rx: ${ident(link.pins.rx)} }`);
      // The console would eat the link's input: move it when they share a device (BLE: on connect).
      if (link.device === board.ports.console.device || link.kind === "ble-uart") parts.push("takeConsole: true");
      return `{ ${parts.join(", ")} }`;
    }
    case "jerryscript":
      return JSON.stringify({ port: link.device, baud: link.baud, pins: link.pins });
    case "duktape":
      return JSON.stringify({ maxFrame: board.maxFrameBytes });
    case "node":
      return "undefined";
    default:
      throw new Error(`board ${board.id}: unknown engine ${board.engine}`);
  }
}

/** The "cell:board" module. */
export function boardModuleSource(board) {
  const s = board.sensors || {};
  return [
    `export var id = ${JSON.stringify(board.id)};`,
    `export var engine = ${JSON.stringify(board.engine)};`,
    `export var temperatureSource = ${JSON.stringify(s.temperature || "none")};`,
    `export var adcPins = ${JSON.stringify(s.adcPins || [])};`,
    `export var maxFrame = ${Number(board.maxFrameBytes)};`
  ].join("\n");
}

function codecList(board, codecs) {
  const list = codecs && codecs.length ? codecs : board.codecs;
  for (const c of list) if (!CODECS[c]) throw new Error(`unknown codec ${c} (one of ${Object.keys(CODECS).join(", ")})`);
  return list;
}

/** The generated entry: open the link, serve the cells. */
export function entrySource(board, entry, codecs) {
  const list = codecList(board, codecs);
  const lines = [
    `import { start } from ${JSON.stringify(join(ROOT, "firmware/runtime.ts"))};`,
    `import { openLink } from "cell:hal";`,
    `import cells from ${JSON.stringify(entry)};`
  ];
  for (const c of list) lines.push(`import { ${CODECS[c][1]} } from ${JSON.stringify(join(ROOT, CODECS[c][0]))};`);
  lines.push(
    `start(cells, { link: openLink(${linkConfigSource(board)}), codecs: [${list.map((c) => CODECS[c][1]).join(", ")}], maxFrame: ${Number(board.maxFrameBytes)} });`
  );
  return lines.join("\n");
}

function cellPlugin(board, entry, codecs, engine) {
  return {
    name: "cell",
    resolveId(id) {
      if (id === "cell:hal") return join(ROOT, ADAPTERS[engine]);
      if (id === "cell:board") return "\0cell:board";
      if (id === "\0cell:entry") return id;
      return null;
    },
    load(id) {
      if (id === "\0cell:board") return boardModuleSource(board);
      if (id === "\0cell:entry") return entrySource(board, entry, codecs);
      return null;
    }
  };
}

/**
 * The TypeScript program for one build: the cell module, the runtime, the adapter, the codecs and the
 * ambient declarations (cell:hal, engine globals), compiled with firmware/tsconfig.build.json. Written
 * to a temporary tsconfig because the cell module may live anywhere.
 */
function buildTsconfig(board, entry, codecs, engine) {
  const dir = mkdtempSync(join(tmpdir(), "cell-tsconfig-"));
  const files = [entry, "firmware/cell-hal.d.ts", "firmware/globals.d.ts", "firmware/runtime.ts", ADAPTERS[engine]]
    .concat(codecList(board, codecs).map((c) => CODECS[c][0]))
    .map((f) => resolve(ROOT, f));
  const file = join(dir, "tsconfig.json");
  writeFileSync(file, JSON.stringify({ extends: join(ROOT, "firmware/tsconfig.build.json"), files, include: [] }));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Rollup input options for a board bundle. `hal` overrides the adapter's engine (the manifest pass
 * loads the module on Node); `input` defaults to the generated entry. Call `cleanup` after the build.
 */
export function firmwareInputOptions({ board, entry, codecs, minify = true, hal, input, warnings }) {
  const engine = hal || board.engine;
  const ts = buildTsconfig(board, entry, codecs, engine);
  const plugins = [
    cellPlugin(board, entry, codecs, engine),
    typescript({ tsconfig: ts.file, include: [join(ROOT, "**/*.ts"), entry], exclude: [join(ROOT, "node_modules/**")] })
  ];
  if (minify) {
    plugins.push(
      terser({
        ecma: 5,
        toplevel: true,
        compress: { passes: 3, pure_getters: true, unsafe_comps: false },
        mangle: { toplevel: true },
        format: { ecma: 5, comments: false }
      })
    );
  }
  return {
    input: input || "\0cell:entry",
    plugins,
    // Our modules have no import-time side effects worth keeping for their own sake: a module whose
    // exports go unused is left out whole.
    treeshake: { moduleSideEffects: (id) => id === "\0cell:entry", propertyReadSideEffects: false },
    onwarn(w, warn) {
      if (w.plugin === "typescript" && warnings) warnings.push(w.message);
      else if (w.code !== "CIRCULAR_DEPENDENCY") warn(w);
    },
    cleanup: ts.cleanup
  };
}

/** Runs one rollup build and writes it; the temporary tsconfig is removed whatever happens. */
async function runRollup(inputOptions, outputOptions) {
  const { cleanup, ...options } = inputOptions;
  try {
    const bundle = await rollup(options);
    try {
      await bundle.write(outputOptions);
    } finally {
      await bundle.close();
    }
  } finally {
    cleanup();
  }
}

export function firmwareOutputOptions(file) {
  return { file, format: "iife", strict: true, esModule: false, generatedCode: { preset: "es5" } };
}

/** The cells a module default-exports, read by building it for Node (node adapter) and importing it. */
async function readCells(board, entry) {
  const dir = mkdtempSync(join(tmpdir(), "cell-manifest-"));
  try {
    const file = join(dir, "cells.mjs");
    await runRollup(firmwareInputOptions({ board, entry, minify: false, hal: "node", input: entry }), { file, format: "es" });
    const mod = await import(pathToFileURL(file).href);
    const cells = Array.isArray(mod.default) ? mod.default : [mod.default];
    return cells.map((c) => ({
      name: c.def.name,
      id: c.def.id,
      schemaHash: (c.def.hash >>> 0).toString(16).padStart(8, "0"),
      schema: c.def.schema
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Builds `entry` for `boardId` into `<outDir>/<board>/<name>.js` and records it in
 * `<outDir>/<board>/manifest.json` (one entry per bundle name). Returns the bundle's manifest entry.
 */
export async function buildBundle({ board: boardId, entry: entryPath, codecs, outDir = join(ROOT, "build"), minify = true }) {
  const board = loadBoard(boardId);
  const entry = resolveEntry(entryPath);
  const name = basename(entry).replace(/\.ts$/, "") === "index" ? basename(dirname(entry)) : basename(entry).replace(/\.ts$/, "");
  const dir = join(outDir, board.id);
  const file = join(dir, `${name}.js`);
  mkdirSync(dir, { recursive: true });
  const warnings = [];
  await runRollup(firmwareInputOptions({ board, entry, codecs, minify, warnings }), firmwareOutputOptions(file));
  const code = readFileSync(file);
  const entryInfo = {
    file: relative(dir, file),
    entry: relative(ROOT, entry),
    codecs: codecList(board, codecs),
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sha256: createHash("sha256").update(code).digest("hex"),
    maxBundleBytes: board.budget.maxBundleBytes,
    cells: await readCells(board, entry),
    typeWarnings: warnings.length
  };
  const manifestFile = join(dir, "manifest.json");
  const manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, "utf8")) : { board: board.id, engine: board.engine, bundles: {} };
  manifest.board = board.id;
  manifest.engine = board.engine;
  manifest.bundles[name] = entryInfo;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  return { ...entryInfo, name, path: file, manifest: manifestFile, warnings };
}

const USAGE = "usage: build:firmware --board <id>[,<id>...] [--codecs compact,json] [--out build] [--no-minify] <cell module or directory>";

/** The command line: builds, prints sizes, returns the exit code (1 when a bundle is over its board's budget). */
export async function buildFirmware(argv) {
  const boards = [];
  let codecs;
  let outDir;
  let minify = true;
  let entry;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--board" && argv[i + 1]) boards.push(...argv[++i].split(","));
    else if (a === "--codecs" && argv[i + 1]) codecs = argv[++i].split(",");
    else if (a === "--out" && argv[i + 1]) outDir = resolve(argv[++i]);
    else if (a === "--no-minify") minify = false;
    else if (!a.startsWith("-") && !entry) entry = a;
    else {
      console.error(USAGE);
      return 2;
    }
  }
  if (!entry || boards.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let code = 0;
  for (const board of boards) {
    const r = await buildBundle({ board, entry, codecs, outDir, minify });
    const over = r.bytes > r.maxBundleBytes;
    console.log(`${board}: ${relative(process.cwd(), r.path)} ${r.bytes} bytes (${r.gzipBytes} gzip), budget ${r.maxBundleBytes}${over ? " -- OVER BUDGET" : ""}; cells ${r.cells.map((c) => `${c.name}#${c.schemaHash}`).join(", ")}`);
    for (const w of r.warnings) console.error(`  type warning: ${w}`);
    if (over) code = 1;
  }
  return code;
}

// `rollup -c`: CELL_BOARD and CELL_ENTRY pick what to build (no manifest).
export default function () {
  const board = loadBoard(process.env.CELL_BOARD || "host");
  const entry = resolveEntry(process.env.CELL_ENTRY || "examples/echo");
  const name = basename(entry).replace(/\.ts$/, "");
  // rollup -c keeps the temporary tsconfig (in the OS temp folder) until the process ends.
  const { cleanup: _keep, ...input } = firmwareInputOptions({ board, entry });
  return { ...input, output: firmwareOutputOptions(join(ROOT, "build", board.id, `${name}.js`)) };
}
