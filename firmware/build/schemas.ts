// Build-time schema compilation: schema modules evaluated in Node and replaced by literals, and the
// type kinds and features the cells use, so the device code for the rest folds away.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import ts from "typescript";
import type { Board } from "./board";
import { ROOT } from "./root";
import { advertises, halOf } from "./entry";

/** A type descriptor as core/schema.ts makes it (k: core's T kind). */
export interface TypeDesc {
  k: number;
  sig: string;
  of?: TypeDesc;
  fields?: { name: string; type: TypeDesc }[];
  values?: string[];
}
interface MemberDef {
  kind: string;
  req?: TypeDesc;
  res?: TypeDesc;
  type?: TypeDesc;
}
/** A cell as core/schema.ts makes it. */
export interface CellDef {
  name: string;
  id: number;
  schema: string;
  hash: number;
  info: Record<string, { id: number; def: MemberDef }>;
}
/** A cell as a compiled schema module holds it (core/lite/cells.ts CompiledCell): a member table. */
export interface CompiledCellDef {
  m: Record<string, unknown[]>;
}
/** What the cell code can use (core/lite/features.ts), read from its source; `info`: it reads core's member nesting, `hash`: a schema hash. */
export interface BundleFeatures {
  DEFER: boolean;
  CONTEXT: boolean;
  DEFS: boolean;
  CELL_ERRORS: boolean;
  EVENT_IDS_UNIQUE: boolean;
  info: boolean;
  hash: boolean;
}
type Module = { exports: Record<string, unknown> };

export const SCHEMA_FILE = /(^|[/.-])schema\.ts$/;
export const CORE_SCHEMA = join(ROOT, "core/schema.ts");

/** Runs a TypeScript module of core (and what it imports inside core/) in Node, as CommonJS. */
function loadCoreModule(file: string, cache: Record<string, Module>): Record<string, unknown> {
  if (cache[file]) return cache[file].exports;
  const out = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const mod: Module = (cache[file] = { exports: {} });
  const require = (spec: string) => {
    const dep = resolve(dirname(file), spec.endsWith(".ts") ? spec : `${spec}.ts`);
    if (!spec.startsWith(".") || !dep.startsWith(join(ROOT, "core") + "/")) throw new Error(`${relative(ROOT, file)}: imports ${spec}, outside core/`);
    return loadCoreModule(dep, cache);
  };
  new Function("exports", "require", "module", out.outputText)(mod.exports, require, mod);
  return mod.exports;
}

/**
 * Whether `spec`, imported by `file`, is core/schema: a relative or absolute path to it, or, in a project
 * that installed the SDK, the package path "cell/core/schema" (another package's name is not).
 */
function importsCoreSchema(file: string, spec: string): boolean {
  const path = spec.replace(/\.ts$/, "");
  if (path === "cell/core/schema") return true;
  return (spec.startsWith(".") || isAbsolute(spec)) && resolve(dirname(file), path + ".ts") === CORE_SCHEMA;
}

/**
 * The exports of a schema module, evaluated in Node; null when the module does not follow the
 * convention (an import of anything but core/schema), and is then bundled as it is.
 */
export function evaluateSchemaModule(file: string): Record<string, unknown> | null {
  const text = readFileSync(file, "utf8");
  const imports = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  if (imports.length === 0 || imports.some((spec) => !importsCoreSchema(file, spec))) return null;
  const cache: Record<string, Module> = {};
  const out = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const mod: Module = { exports: {} };
  new Function("exports", "require", "module", out.outputText)(mod.exports, () => loadCoreModule(CORE_SCHEMA, cache), mod);
  return mod.exports;
}

const isType = (v: any): v is TypeDesc => v !== null && typeof v === "object" && typeof v.k === "number" && typeof v.sig === "string";
const isCell = (v: any): v is CellDef => v !== null && typeof v === "object" && typeof v.name === "string" && typeof v.schema === "string" && typeof v.hash === "number" && v.info && typeof v.info === "object";

/** The types a value holds (a cell's member types, or a type and its parts), each visit counted. */
function visitTypes(v: unknown, seen: Record<string, number>): void {
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
 * walks nothing (core/lite/cells.ts CompiledCell: { name, id, hash, schema, m: { memberId: [name, req,
 * res] | [name, type] }, e: { event: id } }), plus core's `info` nesting when `keepInfo` (the cell code
 * reads it); type descriptors without their signatures (kept when `keepSig`: core's codecs name types
 * in their messages). A type used more than once is one shared object. Null when an export is neither
 * a cell nor a type. With `fns` (COMPACT-only bundles), a member table holds core/lite/compact-fns.ts
 * functions instead of descriptors: the request's decoder and the response's encoder, an event's encoder.
 * `noHash`: the cells go without their schema hash (ANNOUNCE's bytes were made at build time, and the
 * cell code does not read it).
 */
export function schemaModuleSource(exports: Record<string, unknown>, keepSig: boolean, keepInfo?: boolean, fns?: boolean, noHash?: boolean): string | null {
  const names = Object.keys(exports);
  if (names.length === 0 || names.some((n) => n === "default" || !(isType(exports[n]) || isCell(exports[n])))) return null;
  const uses: Record<string, number> = {};
  for (const n of names) visitTypes(exports[n], uses);
  const shared: Record<string, string> = {};
  const decls: string[] = [];
  const literal = (t: TypeDesc): string => {
    if (shared[t.sig]) return shared[t.sig];
    const parts = [`k: ${t.k}`];
    if (keepSig) parts.push(`sig: ${JSON.stringify(t.sig)}`);
    if (t.of) parts.push(`of: ${literal(t.of)}`);
    if (t.fields) parts.push(`fields: [${t.fields!.map((f) => `{ name: ${JSON.stringify(f.name)}, type: ${literal(f.type)} }`).join(", ")}]`);
    if (t.values) parts.push(`values: ${JSON.stringify(t.values)}`);
    const code = `{ ${parts.join(", ")} }`;
    if (uses[t.sig] < 2) return code;
    shared[t.sig] = `type${decls.length}`;
    decls.push(`var ${shared[t.sig]} = ${code};`);
    return shared[t.sig];
  };
  const used = new Set<string>();
  const sharedFns: Record<string, string> = {};
  const fn = (dir: string, t: TypeDesc): string => {
    const key = dir + t.sig;
    if (sharedFns[key]) return sharedFns[key];
    const part = (name: string) => (used.add(dir + name), dir + name);
    let code;
    if (t.k === 11) code = `${part("Array")}(${fn(dir, t.of!)}${dir === "d" ? `, ${minSize(t.of!)}` : ""})`;
    else if (t.k === 12) code = `${part("Optional")}(${fn(dir, t.of!)})`;
    else if (t.k === 13) code = `${part("Struct")}([${t.fields!.map((f) => `[${JSON.stringify(f.name)}, ${fn(dir, f.type)}]`).join(", ")}])`;
    else if (t.k === 14) code = `${part("Enum")}(${JSON.stringify(t.values)})`;
    else return part(KIND_NAMES[t.k]);
    if (uses[t.sig] < 2) return code;
    sharedFns[key] = `${dir}type${decls.length}`;
    decls.push(`var ${sharedFns[key]} = ${code};`);
    return sharedFns[key];
  };
  const cellLiteral = (c: CellDef) => {
    const members = Object.keys(c.info);
    const table = members.map((m) => {
      const d = c.info[m].def;
      // An event's entry is its encoder alone with `fns` (core/lite/cells.ts CompiledCell).
      if (fns && d.kind !== "method") return `${c.info[m].id}: ${fn("e", d.type!)}`;
      const types = fns ? [fn("d", d.req!), fn("e", d.res!)] : d.kind === "method" ? [literal(d.req!), literal(d.res!)] : [literal(d.type!)];
      return `${c.info[m].id}: [${[JSON.stringify(m), ...types].join(", ")}]`;
    });
    const events = members.filter((m) => c.info[m].def.kind !== "method").map((m) => `${JSON.stringify(m)}: ${c.info[m].id}`);
    let code = `{ name: ${JSON.stringify(c.name)}, id: ${c.id}, ${noHash ? "" : `hash: ${c.hash}, `}schema: ${JSON.stringify(c.schema)}, m: { ${table.join(", ")} }, e: { ${events.join(", ")} }`;
    if (keepInfo) {
      const info = members.map((m) => {
        const d = c.info[m].def;
        const def = d.kind === "method" ? `req: ${literal(d.req!)}, res: ${literal(d.res!)}` : `type: ${literal(d.type!)}`;
        return `${JSON.stringify(m)}: { id: ${c.info[m].id}, def: { ${def} } }`;
      });
      code += `, info: { ${info.join(", ")} }`;
    }
    return code + " }";
  };
  const body = names.map((n) => `export var ${n} = ${isCell(exports[n]) ? cellLiteral(exports[n] as CellDef) : literal(exports[n] as TypeDesc)};`);
  const imports = used.size ? [`import { ${[...used].sort().join(", ")} } from ${JSON.stringify(join(ROOT, "core/lite/compact-fns.ts"))};`] : [];
  return imports.concat(decls, body).join("\n") + "\n";
}

const KIND_NAMES = ["U8", "U16", "U32", "I8", "I16", "I32", "F32", "F64", "Bool", "String", "Bytes"];

/** The fewest bytes a value of `t` takes in COMPACT (core/lite/compact.ts minSize). */
function minSize(t: TypeDesc): number {
  let n = t.k === 6 ? 4 : t.k === 7 ? 8 : t.k === 13 ? 0 : 1;
  for (const f of t.fields || []) n += minSize(f.type);
  return n;
}

/** A compiled cell's member table; undefined for core's cells. */
const tableOf = (c: CellDef | CompiledCellDef) => (c as Partial<CompiledCellDef>).m;

/** The types of a cell's members: core's `info` nesting, or a compiled member table's entries. */
function memberTypes(c: CellDef | CompiledCellDef): TypeDesc[] {
  const m = tableOf(c);
  if (m) return Object.values(m).flatMap((entry) => entry.slice(1) as TypeDesc[]);
  const info = (c as CellDef).info;
  return Object.keys(info).flatMap((n) => [info[n].def.req, info[n].def.res, info[n].def.type].filter((t): t is TypeDesc => !!t));
}

/** The type kinds (0..14) the cells use: what the lite COMPACT codec must carry. */
export function kindsOf(cellDefs: (CellDef | CompiledCellDef)[]): number[] {
  const kinds = new Set<number>();
  const walk = (t: TypeDesc) => {
    kinds.add(t.k);
    if (t.of) walk(t.of);
    for (const f of t.fields || []) walk(f.type);
  };
  for (const c of cellDefs) for (const t of memberTypes(c)) walk(t);
  return [...kinds].sort((a, b) => a - b);
}

/** No two events of `cellDefs` share an id (ids are per cell on the wire). */
function eventIdsUnique(cellDefs: (CellDef | CompiledCellDef)[]): boolean {
  const ids = cellDefs.flatMap((c) => {
    const m = tableOf(c);
    if (m) return Object.keys(m).filter((id) => !Array.isArray(m[id]) || m[id].length < 3);
    const info = (c as CellDef).info;
    return Object.keys(info).filter((n) => info[n].def.kind !== "method").map((n) => String(info[n].id));
  });
  return new Set(ids).size === ids.length;
}

/**
 * The server features (core/lite/features.ts) the cell code can use, read from its source (the cell
 * modules, not the schema modules compiled to literals). Conservative: any mention of a name keeps
 * what it needs, even in a comment or a string. `info`: the code reads core's member nesting; `hash`: a
 * cell's schema hash; CELL_ERRORS: it may throw a CellError (core/errors.ts), or make one by its name.
 */
export function featuresOf(sources: string[], cellDefs: (CellDef | CompiledCellDef)[]): BundleFeatures {
  const text = sources.join("\n");
  return {
    DEFER: /defer/.test(text),
    CONTEXT: /\b(peer|requestId|method|cancelled|onCancel|defer|arguments)\b/.test(text),
    DEFS: cellDefs.some((c) => !tableOf(c)),
    info: /\binfo\b/.test(text),
    hash: /\bhash\b/.test(text),
    CELL_ERRORS: /CellError/.test(text),
    EVENT_IDS_UNIQUE: eventIdsUnique(cellDefs)
  };
}

/** A cell as ANNOUNCE lists it. */
export interface AnnouncedCell {
  name: string;
  id: number;
  schemaHash: string;
}

/** ANNOUNCE's bytes after instanceId and ttl (spec/rpc.md), as a string of byte-valued characters. */
function announceCells(cells: AnnouncedCell[]): string {
  const u32 = (v: number) => [0, 8, 16, 24].map((s) => (v >>> s) & 255);
  const bytes = [cells.length];
  for (const c of cells) {
    if (!/^[\x20-\x7e]{1,255}$/.test(c.name)) throw new Error(`cell name ${JSON.stringify(c.name)}: not 1-255 printable ASCII characters`);
    bytes.push(...u32(c.id), ...u32(parseInt(c.schemaHash, 16)), c.name.length, ...[...c.name].map((ch) => ch.charCodeAt(0)));
  }
  return String.fromCharCode(...bytes);
}

/**
 * core/lite/features.ts for a build (all true when unknown). The generated entry sets no announce
 * options, so a board build folds their defaults (OPTIONS false; a board that advertises its cells
 * passes only the instance id it advertises: INSTANCE_ID) and the board's frame size (MAX_FRAME);
 * `fns`: the member tables hold COMPACT functions, the only codec (FNS); with `cells` (the manifest's),
 * the cells' part of ANNOUNCE is made here.
 */
export function featuresModuleSource(features?: Partial<BundleFeatures>, board?: Board, fns?: boolean, cells?: AnnouncedCell[]): string {
  const announce = cells && board ? announceCells(cells) : "";
  // Header, instanceId and ttl, then the cells: a board whose frames cannot carry it would fail at boot.
  if (board && cells && announce && 28 + announce.length > Number(board.maxFrameBytes)) {
    throw new Error(`board ${board.id}: announcing ${cells.length} cells takes ${28 + announce.length} bytes, more than its ${board.maxFrameBytes}-byte frames`);
  }
  const flags = (["DEFER", "CONTEXT", "CELL_ERRORS", "DEFS"] as const).map((f) => `export var ${f} = ${!features || features[f] !== false};`);
  flags.push(`export var EVENT_IDS_UNIQUE = ${!!features && features.EVENT_IDS_UNIQUE === true};`);
  return flags
    .concat([`export var OPTIONS = ${!board};`, `export var INSTANCE_ID = ${!!board && !!cells && advertises(board)};`, `export var MAX_FRAME = ${board && board.engine !== "node" ? Number(board.maxFrameBytes) || 0 : 0};`, `export var FNS = ${!!fns};`, `export var ANNOUNCE = ${JSON.stringify(announce)};`, `export var CHUNKS = ${!board ? 3 : board.engine === "espruino" ? 2 : 1};`, `export var WHOLE_BUFFER_WRITES = ${!!board && board.engine === "jerryscript"};`, `export var BYTE_STRINGS = ${!!board && board.engine === "espruino"};`, `export var TEXT_CODER = ${!!board && halOf(board) === "jerryscript"};`, `export var NATIVE_TEXT = ${!board || halOf(board) === "duktape"};`])
    .join("\n");
}

const KIND_FLAGS = ["U8", "U16", "U32", "I8", "I16", "I32", "F32", "F64", "BOOL", "STRING", "BYTES", "ARRAY", "OPTIONAL", "STRUCT", "ENUM"];

/** core/lite/kinds.ts for a build: true for the kinds used, false for the rest (all true when unknown). */
export function kindsModuleSource(kinds?: number[]): string {
  return KIND_FLAGS.map((flag, k) => `export var ${flag} = ${!kinds || kinds.includes(k)};`).join("\n");
}
