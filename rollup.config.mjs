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
//
// Device bundles use the size-first path of core/lite (firmware/runtime.ts). Two build-time steps keep
// them small: schema modules (`schema.ts`, `*.schema.ts`, `*-schema.ts` that import only core/schema)
// are evaluated here in Node and replaced by literals (ids, hashes, schema text, type descriptors), so
// the DSL and FNV never reach the device; and core/lite/kinds.ts is replaced by the type kinds the
// cells use, so the COMPACT code for the others is folded away.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import ts from "typescript";
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
  compact: ["core/lite/compact.ts", "compactCodec"],
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

/**
 * The byte port of a stream-framed board, as source. Espruino and Kaluma adapters take the link config
 * as arguments too (linkPort), so constants reach the minifier and the unused branches fold away.
 */
function portSource(board) {
  const link = board.ports.link;
  if (board.engine === "espruino") {
    const takeConsole = link.device === board.ports.console.device || link.kind === "ble-uart";
    const pins = link.pins ? `{ tx: ${ident(link.pins.tx)}, rx: ${ident(link.pins.rx)} }` : "undefined";
    return `linkPort(${ident(link.device)}, ${takeConsole}, ${link.baud ? Number(link.baud) : "undefined"}, ${pins})`;
  }
  if (board.engine === "jerryscript") return `linkPort(${JSON.stringify(link.device)}, ${Number(link.baud)}, ${link.pins ? JSON.stringify(link.pins) : "undefined"})`;
  return `openLink(${linkConfigSource(board)}).bytes`;
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

/** The selected codecs, COMPACT first when present: a device sends its events in the first. */
function codecList(board, codecs) {
  const list = codecs && codecs.length ? codecs : board.codecs;
  for (const c of list) if (!CODECS[c]) throw new Error(`unknown codec ${c} (one of ${Object.keys(CODECS).join(", ")})`);
  return list.includes("compact") ? ["compact", ...list.filter((c) => c !== "compact")] : list;
}

const lib = (file) => JSON.stringify(join(ROOT, file));

/**
 * The generated entry: open the link and frame it for the board (the lite stream link over a byte port;
 * the sim firmware frames in C and hands over whole frames), serve the cells with the selected codecs.
 * Core's codecs encode into a Writer, so they are wrapped to write into the frame being built.
 * Espruino's E.CRC32 is the standard CRC-32 (test/lite-build.test.ts checks the Espruino personality's),
 * so those bundles carry no CRC code; the other byte links the bitwise one.
 */
export function entrySource(board, entry, codecs) {
  const list = codecList(board, codecs);
  const maxFrame = Number(board.maxFrameBytes);
  const port = ["espruino", "jerryscript"].includes(board.engine) ? "linkPort" : "openLink";
  const lines = [`import { start } from ${lib("firmware/runtime.ts")};`, `import { ${port} } from "cell:hal";`, `import cells from ${JSON.stringify(entry)};`];
  for (const c of list) lines.push(`import { ${CODECS[c][1]} } from ${lib(CODECS[c][0])};`);
  if (list.some((c) => c !== "compact")) lines.push(`import { liteCodec } from ${lib("core/lite/writer-full.ts")};`);
  let link = `openLink(${linkConfigSource(board)}).frames`;
  if (board.engine !== "duktape") {
    lines.push(`import { streamLink } from ${lib("core/lite/stream.ts")};`);
    if (board.engine !== "espruino") lines.push(`import { crc32 } from ${lib("core/lite/crc.ts")};`);
    const crc = board.engine === "espruino" ? "function (b) { return E.CRC32(b) >>> 0; }" : "crc32";
    link = `streamLink(${portSource(board)}, ${maxFrame}, ${crc})`;
  }
  const codecArgs = list.map((c) => (c === "compact" ? CODECS[c][1] : `liteCodec(${CODECS[c][1]})`)).join(", ");
  lines.push(`start(cells, { link: ${link}, codecs: [${codecArgs}] });`);
  return lines.join("\n");
}

// ---- Schema modules compiled at build time ----

const SCHEMA_FILE = /(^|[\/.-])schema\.ts$/;
const CORE_SCHEMA = join(ROOT, "core/schema.ts");

/** Runs a TypeScript module of core (and what it imports inside core/) in Node, as CommonJS. */
function loadCoreModule(file, cache) {
  if (cache[file]) return cache[file].exports;
  const out = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const mod = (cache[file] = { exports: {} });
  const require = (spec) => {
    const dep = resolve(dirname(file), spec.endsWith(".ts") ? spec : `${spec}.ts`);
    if (!spec.startsWith(".") || !dep.startsWith(join(ROOT, "core") + "/")) throw new Error(`${relative(ROOT, file)}: imports ${spec}, outside core/`);
    return loadCoreModule(dep, cache);
  };
  new Function("exports", "require", "module", out.outputText)(mod.exports, require, mod);
  return mod.exports;
}

/**
 * The exports of a schema module, evaluated in Node; null when the module does not follow the
 * convention (an import of anything but core/schema), and is then bundled as it is.
 */
export function evaluateSchemaModule(file) {
  const text = readFileSync(file, "utf8");
  const imports = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  if (imports.length === 0 || imports.some((spec) => !spec.startsWith(".") || resolve(dirname(file), spec.replace(/\.ts$/, "") + ".ts") !== CORE_SCHEMA)) return null;
  const cache = {};
  const out = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const mod = { exports: {} };
  new Function("exports", "require", "module", out.outputText)(mod.exports, () => loadCoreModule(CORE_SCHEMA, cache), mod);
  return mod.exports;
}

const isType = (v) => v !== null && typeof v === "object" && typeof v.k === "number" && typeof v.sig === "string";
const isCell = (v) => v !== null && typeof v === "object" && typeof v.name === "string" && typeof v.schema === "string" && typeof v.hash === "number" && v.info && typeof v.info === "object";

/** The types a value holds (a cell's member types, or a type and its parts), each visit counted. */
function visitTypes(v, seen) {
  if (isType(v)) {
    seen[v.sig] = (seen[v.sig] || 0) + 1;
    if (v.of) visitTypes(v.of, seen);
    for (const f of v.fields || []) visitTypes(f.type, seen);
  } else if (isCell(v)) {
    for (const name of Object.keys(v.info)) {
      const d = v.info[name].def;
      for (const t of [d.req, d.res, d.type]) if (t) visitTypes(t, seen);
    }
  }
}

/**
 * JavaScript source for a schema module's exports: cells as member tables resolved here, so the device
 * walks nothing (core/lite/serve.ts CompiledCell: { name, id, hash, schema, m: { memberId: [name, req,
 * res] | [name, type] }, e: { event: id } }), plus core's `info` nesting when `keepInfo` (the cell code
 * reads it); type descriptors without their signatures (kept when `keepSig`: core's codecs name types
 * in their messages). A type used more than once is one shared object. Null when an export is neither
 * a cell nor a type.
 */
export function schemaModuleSource(exports, keepSig, keepInfo) {
  const names = Object.keys(exports);
  if (names.length === 0 || names.some((n) => n === "default" || !(isType(exports[n]) || isCell(exports[n])))) return null;
  const uses = {};
  for (const n of names) visitTypes(exports[n], uses);
  const shared = {};
  const decls = [];
  const literal = (t) => {
    if (shared[t.sig]) return shared[t.sig];
    const parts = [`k: ${t.k}`];
    if (keepSig) parts.push(`sig: ${JSON.stringify(t.sig)}`);
    if (t.of) parts.push(`of: ${literal(t.of)}`);
    if (t.fields) parts.push(`fields: [${t.fields.map((f) => `{ name: ${JSON.stringify(f.name)}, type: ${literal(f.type)} }`).join(", ")}]`);
    if (t.values) parts.push(`values: ${JSON.stringify(t.values)}`);
    const code = `{ ${parts.join(", ")} }`;
    if (uses[t.sig] < 2) return code;
    shared[t.sig] = `type${decls.length}`;
    decls.push(`var ${shared[t.sig]} = ${code};`);
    return shared[t.sig];
  };
  const cellLiteral = (c) => {
    const members = Object.keys(c.info);
    const table = members.map((m) => {
      const d = c.info[m].def;
      const types = d.kind === "method" ? [literal(d.req), literal(d.res)] : [literal(d.type)];
      return `${c.info[m].id}: [${[JSON.stringify(m), ...types].join(", ")}]`;
    });
    const events = members.filter((m) => c.info[m].def.kind !== "method").map((m) => `${JSON.stringify(m)}: ${c.info[m].id}`);
    let code = `{ name: ${JSON.stringify(c.name)}, id: ${c.id}, hash: ${c.hash}, schema: ${JSON.stringify(c.schema)}, m: { ${table.join(", ")} }, e: { ${events.join(", ")} }`;
    if (keepInfo) {
      const info = members.map((m) => {
        const d = c.info[m].def;
        const def = d.kind === "method" ? `req: ${literal(d.req)}, res: ${literal(d.res)}` : `type: ${literal(d.type)}`;
        return `${JSON.stringify(m)}: { id: ${c.info[m].id}, def: { ${def} } }`;
      });
      code += `, info: { ${info.join(", ")} }`;
    }
    return code + " }";
  };
  const body = names.map((n) => `export var ${n} = ${isCell(exports[n]) ? cellLiteral(exports[n]) : literal(exports[n])};`);
  return decls.concat(body).join("\n") + "\n";
}

/** The types of a cell's members: core's `info` nesting, or a compiled member table's entries. */
function memberTypes(c) {
  if (c.m) return Object.values(c.m).flatMap((entry) => entry.slice(1));
  return Object.keys(c.info).flatMap((m) => [c.info[m].def.req, c.info[m].def.res, c.info[m].def.type].filter(Boolean));
}

/** The type kinds (0..14) the cells use: what the lite COMPACT codec must carry. */
export function kindsOf(cellDefs) {
  const kinds = new Set();
  const walk = (t) => {
    kinds.add(t.k);
    if (t.of) walk(t.of);
    for (const f of t.fields || []) walk(f.type);
  };
  for (const c of cellDefs) for (const t of memberTypes(c)) walk(t);
  return [...kinds].sort((a, b) => a - b);
}

/**
 * The server features (core/lite/features.ts) the cell code can use, read from its source (the cell
 * modules, not the schema modules compiled to literals). Conservative: any mention of a name keeps
 * what it needs, even in a comment or a string. `info`: the code reads core's member nesting.
 */
export function featuresOf(sources, cellDefs) {
  const text = sources.join("\n");
  return {
    DEFER: /defer/.test(text),
    CONTEXT: /\b(peer|requestId|method|cancelled|onCancel|defer|arguments)\b/.test(text),
    DEFS: cellDefs.some((c) => !c.m),
    info: /\binfo\b/.test(text)
  };
}

/** core/lite/features.ts for a build (all true when unknown). */
export function featuresModuleSource(features) {
  return ["DEFER", "CONTEXT", "DEFS"].map((f) => `export var ${f} = ${!features || features[f]};`).join("\n");
}

const KIND_FLAGS = ["U8", "U16", "U32", "I8", "I16", "I32", "F32", "F64", "BOOL", "STRING", "BYTES", "ARRAY", "OPTIONAL", "STRUCT", "ENUM"];

/** core/lite/kinds.ts for a build: true for the kinds used, false for the rest (all true when unknown). */
export function kindsModuleSource(kinds) {
  return KIND_FLAGS.map((flag, k) => `export var ${flag} = ${!kinds || kinds.includes(k)};`).join("\n");
}

const SCHEMA_PREFIX = "\0cell-schema:";
const KINDS_FILE = join(ROOT, "core/lite/kinds.ts");
const FEATURES_FILE = join(ROOT, "core/lite/features.ts");

/** `compiled` collects, by file, the schema modules compiled to literals (null: bundled as they are). */
function cellPlugin(board, entry, codecs, engine, kinds, features, compiled) {
  const keepSig = codecList(board, codecs).some((c) => c !== "compact");
  return {
    name: "cell",
    async resolveId(id, importer) {
      if (id === "cell:hal") return join(ROOT, ADAPTERS[engine]);
      if (id === "cell:board") return "\0cell:board";
      if (id === "\0cell:entry") return id;
      if (!importer || id.startsWith("\0")) return null;
      const r = await this.resolve(id, importer, { skipSelf: true });
      if (!r || r.external) return r;
      if (r.id === KINDS_FILE) return "\0cell:kinds";
      if (r.id === FEATURES_FILE) return "\0cell:features";
      if (!SCHEMA_FILE.test(r.id) || r.id === CORE_SCHEMA) return r;
      if (!(r.id in compiled)) {
        const exports = evaluateSchemaModule(r.id);
        compiled[r.id] = exports && schemaModuleSource(exports, keepSig, features && features.info);
      }
      return compiled[r.id] ? SCHEMA_PREFIX + r.id : r;
    },
    load(id) {
      if (id === "\0cell:board") return boardModuleSource(board);
      if (id === "\0cell:entry") return entrySource(board, entry, codecs);
      if (id === "\0cell:kinds") return kindsModuleSource(kinds);
      if (id === "\0cell:features") return featuresModuleSource(features);
      if (id.startsWith(SCHEMA_PREFIX)) return compiled[id.slice(SCHEMA_PREFIX.length)];
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
  const files = [entry, "firmware/cell-hal.d.ts", "firmware/globals.d.ts", "firmware/runtime.ts", "core/lite/writer-full.ts", "core/lite/crc.ts", "core/lite/stream.ts", ADAPTERS[engine]]
    .concat(codecList(board, codecs).map((c) => CODECS[c][0]))
    .map((f) => resolve(ROOT, f));
  const file = join(dir, "tsconfig.json");
  writeFileSync(file, JSON.stringify({ extends: join(ROOT, "firmware/tsconfig.build.json"), files, include: [] }));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * ES5 out, every variable mangled, three compress passes. Property names are never mangled: wire and
 * user-visible names live in them, and core/lite keeps its private state in closures, not in fields.
 * `unsafe` folds constant object and array reads (board constants, the adapter's options literal) and
 * `new Error(x)` to `Error(x)`, which holds for this code; unsafe_comps stays off, as core/lite relies
 * on comparisons with undefined and NaN being false (utf8.ts's optional `max`).
 */
const TERSER = {
  ecma: 5,
  toplevel: true,
  compress: { passes: 3, pure_getters: true, unsafe: true, unsafe_comps: false },
  mangle: { toplevel: true },
  format: { ecma: 5, comments: false }
};

/**
 * Rollup input options for a board bundle. `hal` overrides the adapter's engine (the manifest pass
 * loads the module on Node); `input` defaults to the generated entry. Call `cleanup` after the build.
 */
export function firmwareInputOptions({ board, entry, codecs, minify = true, hal, input, warnings, kinds, features, compiled = {} }) {
  const engine = hal || board.engine;
  const tsconfig = buildTsconfig(board, entry, codecs, engine);
  const plugins = [
    cellPlugin(board, entry, codecs, engine, kinds, features, compiled),
    typescript({ tsconfig: tsconfig.file, include: [join(ROOT, "**/*.ts"), entry], exclude: [join(ROOT, "node_modules/**")] })
  ];
  if (minify) plugins.push(terser(TERSER));
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
    cleanup: tsconfig.cleanup
  };
}

/**
 * Runs one rollup build and writes it; the temporary tsconfig is removed whatever happens. Returns the
 * files the build read.
 */
async function runRollup(inputOptions, outputOptions) {
  const { cleanup, ...options } = inputOptions;
  try {
    const bundle = await rollup(options);
    try {
      await bundle.write(outputOptions);
      return bundle.watchFiles;
    } finally {
      await bundle.close();
    }
  } finally {
    cleanup();
  }
}

export function firmwareOutputOptions(file) {
  // Not strict: the code does not need it, and a small engine gives each strict function two more properties.
  return { file, format: "iife", strict: false, esModule: false, generatedCode: { preset: "es5" } };
}

/** Where the cell code is: the files a build read, but core's, the firmware's and compiled schema modules. */
function cellSources(files, compiled) {
  const own = [join(ROOT, "core") + "/", join(ROOT, "firmware") + "/", join(ROOT, "node_modules") + "/"];
  return files.filter((f) => !f.startsWith("\0") && !own.some((d) => f.startsWith(d)) && !compiled[f] && existsSync(f) && statSync(f).isFile()).map((f) => readFileSync(f, "utf8"));
}

/**
 * The cells a module default-exports, read by building it for Node (node adapter) and importing it:
 * their manifest entries, the type kinds they use, and the server features their code can use.
 */
async function readCells(board, entry, codecs) {
  const dir = mkdtempSync(join(tmpdir(), "cell-manifest-"));
  try {
    const file = join(dir, "cells.mjs");
    const compiled = {};
    const files = await runRollup(firmwareInputOptions({ board, entry, codecs, minify: false, hal: "node", input: entry, compiled }), { file, format: "es" });
    const mod = await import(pathToFileURL(file).href);
    const cells = Array.isArray(mod.default) ? mod.default : [mod.default];
    return {
      kinds: kindsOf(cells.map((c) => c.def)),
      features: featuresOf(cellSources(files, compiled), cells.map((c) => c.def)),
      cells: cells.map((c) => ({
        name: c.def.name,
        id: c.def.id,
        schemaHash: (c.def.hash >>> 0).toString(16).padStart(8, "0"),
        schema: c.def.schema
      }))
    };
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
  const read = await readCells(board, entry, codecs);
  await runRollup(firmwareInputOptions({ board, entry, codecs, minify, warnings, kinds: read.kinds, features: read.features }), firmwareOutputOptions(file));
  const code = readFileSync(file);
  const entryInfo = {
    file: relative(dir, file),
    entry: relative(ROOT, entry),
    codecs: codecList(board, codecs),
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sha256: createHash("sha256").update(code).digest("hex"),
    maxBundleBytes: board.budget.maxBundleBytes,
    cells: read.cells,
    kinds: read.kinds,
    features: read.features,
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
