// Device bundles: one cell module in, one tree-shaken, minified ES5 bundle for one board out, plus a
// manifest (board, engine, sizes, SHA-256, the cells served and their schema hashes).
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
//
// The board-specific sources are made in entry.ts, the schema compilation in schemas.ts; this file runs
// rollup and writes bundles and manifests.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { rollup, type InputOptions, type OutputOptions, type Plugin } from "rollup";
import typescript from "@rollup/plugin-typescript";
import terser, { type Options as TerserOptions } from "@rollup/plugin-terser";

import { loadBoard, type Board, type EngineFamily } from "./board";
import { ADAPTERS, CODECS, halOf, boardModuleSource, codecList, entrySource, resolveEntry } from "./entry";
import { ROOT } from "./root";
import { CONSOLE_DECLARATION, consolePlugin, isCellSource } from "./console";
import { DeviceCodeError, dslProblem, typeProblem } from "./device-errors";
import {
  CORE_SCHEMA,
  SCHEMA_FILE,
  evaluateSchemaModule,
  featuresModuleSource,
  featuresOf,
  kindsModuleSource,
  kindsOf,
  schemaModuleSource,
  type BundleFeatures,
  type CellDef
} from "./schemas";

export interface BundleCell {
  name: string;
  id: number;
  /** FNV-1a-32 of the canonical schema, 8 hex digits. */
  schemaHash: string;
  schema: string;
}

/** One bundle's entry in <outDir>/<board>/manifest.json. */
export interface ManifestEntry {
  file: string;
  entry: string;
  codecs: string[];
  bytes: number;
  gzipBytes: number;
  sha256: string;
  maxBundleBytes: number;
  cells: BundleCell[];
  /** The type kinds (core/schema.ts T) the cells use: what the bundle's COMPACT codec carries. */
  kinds: number[];
  features: BundleFeatures;
}

/** <outDir>/<board>/manifest.json. */
export interface Manifest {
  board: string;
  engine: EngineFamily;
  bundles: Record<string, ManifestEntry>;
}

/** What buildBundle returns: the manifest entry, the bundle's name and path and the manifest's path. */
export interface BundleInfo extends ManifestEntry {
  name: string;
  path: string;
  manifest: string;
}

export interface BuildOptions {
  /** A board id (boards/<id>.json). */
  board: string;
  /** A cell module, or a folder holding <folder>.ts or index.ts. */
  entry: string;
  /** Overrides the board's codecs. */
  codecs?: string[];
  /** Default: build/ at the project root. */
  outDir?: string;
  minify?: boolean;
  /** Frames in MAVLink TUNNELs on the board's link, as this system/component (spec/mavlink.md). */
  mavlink?: { system: number; component: number };
}

/** Schema modules compiled to literals, by file (null: bundled as they are). */
type Compiled = Record<string, string | null>;

export interface FirmwareInputOptions {
  board: Board;
  entry: string;
  codecs?: string[];
  minify?: boolean;
  /** Overrides the adapter's engine (the manifest pass loads the module on Node). */
  hal?: EngineFamily;
  /** Default: the generated entry. */
  input?: string;
  /** Collects the TypeScript errors, one line each (device-errors.ts); without it they are rollup warnings. */
  typeProblems?: string[];
  /** Collects the cell modules that import the schema DSL (core/schema) as a value. */
  dslImporters?: string[];
  kinds?: number[];
  features?: BundleFeatures;
  cells?: BundleCell[];
  compiled?: Compiled;
}

const SCHEMA_PREFIX = "\0cell-schema:";
const KINDS_FILE = join(ROOT, "core/lite/kinds.ts");
const FEATURES_FILE = join(ROOT, "core/lite/features.ts");

/** `compiled` collects, by file, the schema modules compiled to literals (null: bundled as they are). */
function cellPlugin(
  board: Board,
  entry: string,
  codecs: string[] | undefined,
  engine: EngineFamily,
  kinds: number[] | undefined,
  features: BundleFeatures | undefined,
  compiled: Compiled,
  cells: BundleCell[] | undefined,
  dslImporters: string[] | undefined
): Plugin {
  const keepSig = codecList(board, codecs).some((c) => c !== "compact");
  // COMPACT only, every cell compiled, and no code reading `info`: the member tables carry per-type
  // COMPACT functions (core/lite/compact-fns.ts) instead of descriptors and the generic codec.
  const fns = !!features && !keepSig && !features.DEFS && !features.info;
  return {
    name: "cell",
    async resolveId(id, importer) {
      if (id === "cell:hal") return join(ROOT, ADAPTERS[engine]);
      if (id === "cell:board") return "\0cell:board";
      if (id === "\0cell:entry") return id;
      if (!importer || id.startsWith("\0")) return null;
      const r = await this.resolve(id, importer, { skipSelf: true });
      if (!r || r.external) return r;
      if (r.id === CORE_SCHEMA && dslImporters && isCellSource(importer)) dslImporters.push(importer);
      if (r.id === KINDS_FILE) return "\0cell:kinds";
      if (r.id === FEATURES_FILE) return "\0cell:features";
      if (!SCHEMA_FILE.test(r.id) || r.id === CORE_SCHEMA) return r;
      if (!(r.id in compiled)) {
        const exports = evaluateSchemaModule(r.id);
        compiled[r.id] = exports && schemaModuleSource(exports, keepSig, features && features.info, fns, !!cells && !features!.hash);
      }
      return compiled[r.id] ? SCHEMA_PREFIX + r.id : r;
    },
    load(id) {
      if (id === "\0cell:board") return boardModuleSource(board);
      if (id === "\0cell:entry") return entrySource(board, entry, codecs, fns, cells);
      if (id === "\0cell:kinds") return kindsModuleSource(kinds);
      if (id === "\0cell:features") return featuresModuleSource(features, board, fns, cells);
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
function buildTsconfig(board: Board, entry: string, codecs: string[] | undefined, engine: EngineFamily): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "cell-tsconfig-"));
  const files = [entry, "firmware/cell-hal.d.ts", "firmware/globals.d.ts", "firmware/runtime.ts", "core/lite/writer-full.ts", "core/lite/crc.ts", "core/lite/stream.ts", "core/lite/compact-fns.ts", ADAPTERS[engine]]
    .concat(codecList(board, codecs).map((c) => CODECS[c][0]))
    .concat(board.ports.link.mavlink ? ["core/lite/mavlink.ts"] : [])
    .map((f) => resolve(ROOT, f));
  // ES5's library has no console; the build gives cell code one (console.ts), declared here only, as
  // Node's types declare another for the project's own type-check.
  writeFileSync(join(dir, "console.d.ts"), CONSOLE_DECLARATION);
  files.push(join(dir, "console.d.ts"));
  const file = join(dir, "tsconfig.json");
  writeFileSync(file, JSON.stringify({ extends: join(ROOT, "firmware/tsconfig.build.json"), files, include: [] }));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Other packages' sources, which the TypeScript plugin leaves alone. When the SDK itself is a package (an
 * installed SDK: ROOT inside a node_modules folder), its own sources are not among them.
 */
function packageFolders(entry: string): string[] {
  if (!ROOT.includes(`${sep}node_modules${sep}`)) return [join(ROOT, "node_modules/**"), "**/node_modules/**"];
  const cellModules = join(dirname(resolve(entry)), "node_modules");
  return [join(ROOT, "node_modules/**")].concat(ROOT.startsWith(cellModules + sep) ? [] : [join(cellModules, "**")]);
}

/**
 * ES5 out, every variable mangled, three compress passes. Property names are mangled only from a fixed
 * list that no engine object has and no code reaches by a computed name: codec methods, the serve
 * options the generated entry passes, a cell's `def`, `handlers` and `schema`, the lite links'
 * `maxFrame`, `onData` and `drops`. The whole program is one bundle, so the cell code's own uses are
 * renamed with them. Not `onFrame` (the sim firmware's sim.onFrame) nor names user code may meet on an
 * engine object (`start`, `emit`, `send`, `write`). An engine method of the same name is reached quoted
 * (`keep_quoted`): Kaluma's TextEncoder `["encode"]` and TextDecoder `["decode"]` (core/lite/utf8.ts).
 * `unsafe` folds constant object and array reads (board constants, the adapter's options literal) and
 * `new Error(x)` to `Error(x)`, which holds for this code; unsafe_comps stays off, as core/lite relies
 * on comparisons with undefined and NaN being false.
 */
const TERSER: TerserOptions = {
  ecma: 5,
  toplevel: true,
  compress: { passes: 3, pure_getters: true, unsafe: true, unsafe_comps: false, keep_fargs: false },
  mangle: { toplevel: true, properties: { regex: /^(encode|decode|codecs|announceTtlMs|instanceId|def|handlers|schema|maxFrame|onData|drops)$/, builtins: true, keep_quoted: "strict" } },
  // ASCII only: Espruino builds without Unicode read a source file byte by byte, so a literal's non-ASCII
  // character would reach the engine as its UTF-8 bytes, one character each.
  format: { ecma: 5, comments: false, ascii_only: true }
};

/**
 * Rollup input options for a board bundle. `hal` overrides the adapter's engine (the manifest pass
 * loads the module on Node); `input` defaults to the generated entry. Call `cleanup` after the build.
 */
export function firmwareInputOptions({ board, entry, codecs, minify = true, hal, input, typeProblems, dslImporters, kinds, features, cells, compiled = {} }: FirmwareInputOptions): InputOptions & { cleanup: () => void } {
  const engine = hal || halOf(board);
  const tsconfig = buildTsconfig(board, entry, codecs, engine);
  const plugins = [
    cellPlugin(board, entry, codecs, engine, kinds, features, compiled, cells, dslImporters),
    // The cell's own folder too (its schema and helper modules), and the build's console declaration.
    typescript({ tsconfig: tsconfig.file, include: [join(ROOT, "**/*.ts"), entry, join(dirname(entry), "**/*.ts"), join(dirname(tsconfig.file), "*.d.ts")], exclude: packageFolders(entry) }),
    consolePlugin()
  ];
  if (minify) plugins.push(terser(TERSER));
  return {
    input: input || "\0cell:entry",
    plugins,
    // Our modules have no import-time side effects worth keeping for their own sake: a module whose
    // exports go unused is left out whole.
    treeshake: { moduleSideEffects: (id) => id === "\0cell:entry", propertyReadSideEffects: false },
    onwarn(w, warn) {
      // TS5097 (an import ending in .ts) is about emitting modules as they are; rollup resolves them.
      if (w.plugin === "typescript" && w.pluginCode === "TS5097") return;
      if (w.plugin === "typescript" && typeProblems) typeProblems.push(typeProblem(w));
      else if (w.code !== "CIRCULAR_DEPENDENCY") warn(w);
    },
    cleanup: tsconfig.cleanup
  };
}

/**
 * Runs one rollup build and writes it; the temporary tsconfig is removed whatever happens. Returns the
 * files the build read.
 */
async function runRollup(inputOptions: InputOptions & { cleanup: () => void }, outputOptions: OutputOptions): Promise<string[]> {
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

export function firmwareOutputOptions(file: string): OutputOptions {
  // Not strict: the code does not need it, and a small engine gives each strict function two more properties.
  return { file, format: "iife", strict: false, esModule: false, generatedCode: { preset: "es5" } };
}

/** Where the cell code is: the files a build read, but core's, the firmware's and compiled schema modules. */
function cellSources(files: string[], compiled: Compiled): string[] {
  const own = [join(ROOT, "core") + "/", join(ROOT, "firmware") + "/", join(ROOT, "node_modules") + "/"];
  return files.filter((f) => !f.startsWith("\0") && !own.some((d) => f.startsWith(d)) && !compiled[f] && existsSync(f) && statSync(f).isFile()).map((f) => readFileSync(f, "utf8"));
}

/** Device code with type errors, or that carries the DSL, does not build (DeviceCodeError, one line per problem). */
function refuse(typeProblems: string[], dslImporters: string[]): void {
  const problems = typeProblems.concat(dslImporters.filter((f, i) => dslImporters.indexOf(f) === i).map(dslProblem));
  if (problems.length === 0) return;
  const what = [typeProblems.length && `${typeProblems.length} type error${typeProblems.length === 1 ? "" : "s"}`, dslImporters.length && "the schema DSL in the bundle"].filter(Boolean).join(" and ");
  throw new DeviceCodeError(`device code does not build for an ES5 engine: ${what}`, problems);
}

/**
 * The cells a module default-exports, read by building it for Node (node adapter) and importing it:
 * their manifest entries, the type kinds they use, and the server features their code can use.
 */
async function readCells(board: Board, entry: string, codecs: string[] | undefined): Promise<{ kinds: number[]; features: BundleFeatures; cells: BundleCell[] }> {
  const dir = mkdtempSync(join(tmpdir(), "cell-manifest-"));
  try {
    const file = join(dir, "cells.mjs");
    const compiled: Compiled = {};
    const typeProblems: string[] = [];
    const dslImporters: string[] = [];
    const files = await runRollup(firmwareInputOptions({ board, entry, codecs, minify: false, hal: "node", input: entry, compiled, typeProblems, dslImporters }), { file, format: "es" });
    refuse(typeProblems, dslImporters);
    const mod = await import(pathToFileURL(file).href);
    const cells: { def: CellDef }[] = Array.isArray(mod.default) ? mod.default : [mod.default];
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
export async function buildBundle({ board: boardId, entry: entryPath, codecs, outDir = join(ROOT, "build"), minify = true, mavlink }: BuildOptions): Promise<BundleInfo> {
  const board = loadBoard(boardId);
  // Frames in MAVLink TUNNELs on the board's link, as system/component (spec/mavlink.md).
  if (mavlink) board.ports.link = { ...board.ports.link, mavlink };
  const entry = resolveEntry(entryPath);
  const name = basename(entry).replace(/\.ts$/, "") === "index" ? basename(dirname(entry)) : basename(entry).replace(/\.ts$/, "");
  const dir = join(outDir, board.id);
  const file = join(dir, `${name}.js`);
  mkdirSync(dir, { recursive: true });
  const read = await readCells(board, entry, codecs);
  const typeProblems: string[] = [];
  await runRollup(firmwareInputOptions({ board, entry, codecs, minify, typeProblems, kinds: read.kinds, features: read.features, cells: read.cells }), firmwareOutputOptions(file));
  refuse(typeProblems, []);
  const code = readFileSync(file);
  const entryInfo: ManifestEntry = {
    file: relative(dir, file),
    entry: relative(ROOT, entry),
    codecs: codecList(board, codecs),
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sha256: createHash("sha256").update(code).digest("hex"),
    maxBundleBytes: board.budget.maxBundleBytes,
    cells: read.cells,
    kinds: read.kinds,
    features: read.features
  };
  const manifestFile = join(dir, "manifest.json");
  const manifest: Manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, "utf8")) : { board: board.id, engine: board.engine, bundles: {} };
  manifest.board = board.id;
  manifest.engine = board.engine;
  manifest.bundles[name] = entryInfo;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  return { ...entryInfo, name, path: file, manifest: manifestFile };
}

/**
 * What `rollup -c` builds (rollup.config.mjs): the cell module `entry` for `boardId` into
 * build/<board>/<name>.js, without a manifest. The temporary tsconfig is removed when the process ends.
 */
export function rollupConfig(boardId: string, entryPath: string): InputOptions & { output: OutputOptions } {
  const board = loadBoard(boardId);
  const entry = resolveEntry(entryPath);
  const name = basename(entry).replace(/\.ts$/, "");
  const { cleanup, ...input } = firmwareInputOptions({ board, entry });
  process.once("exit", cleanup);
  return { ...input, output: firmwareOutputOptions(join(ROOT, "build", board.id, `${name}.js`)) };
}
