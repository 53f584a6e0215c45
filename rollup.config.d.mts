// Types of rollup.config.mjs's build API (used by firmware/build.ts and the CLI).
export interface BundleCell {
  name: string;
  id: number;
  /** FNV-1a-32 of the canonical schema, 8 hex digits. */
  schemaHash: string;
  schema: string;
}
export interface BundleInfo {
  name: string;
  path: string;
  manifest: string;
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
  /** What the cell code can use (core/lite/features.ts), read from its source; `info`: it reads core's member nesting, `hash`: a schema hash. */
  features: BundleFeatures;
  typeWarnings: number;
  warnings: string[];
}
export interface BundleFeatures {
  DEFER: boolean;
  CONTEXT: boolean;
  DEFS: boolean;
  CELL_ERRORS: boolean;
  EVENT_IDS_UNIQUE: boolean;
  info: boolean;
  hash: boolean;
}
export interface BuildOptions {
  board: string;
  entry: string;
  codecs?: string[];
  outDir?: string;
  minify?: boolean;
  /** Frames in MAVLink TUNNELs on the board's link, as this system/component (spec/mavlink.md). */
  mavlink?: { system: number; component: number };
}
export function buildBundle(options: BuildOptions): PromiseLike<BundleInfo>;
export function buildFirmware(argv: string[]): PromiseLike<number>;
export function loadBoard(id: string): any;
export function resolveEntry(path: string): string;
export function entrySource(board: any, entry: string, codecs?: string[], fns?: boolean): string;
export function linkConfigSource(board: any): string;
export function boardModuleSource(board: any): string;
/** Source of a compiled schema module (cells and types as literals); null when an export is neither. */
export function schemaModuleSource(exports: Record<string, unknown>, keepSig: boolean, keepInfo?: boolean, fns?: boolean, noHash?: boolean): string | null;
/** The type kinds the cells' members use (core's `info` nesting, or compiled member tables `m`). */
export function kindsOf(cells: ({ info: Record<string, { def: { req?: unknown; res?: unknown; type?: unknown } }> } | { m: Record<string, unknown[]> })[]): number[];
/** The server features cell code can use, from its source text. */
export function featuresOf(sources: string[], cells: object[]): BundleFeatures;
/** core/lite/features.ts for a build (every feature when `features` is undefined); `cells` make ANNOUNCE's cell list. */
export function featuresModuleSource(features?: Partial<BundleFeatures>, board?: any, fns?: boolean, cells?: { name: string; id: number; schemaHash: string }[]): string;
/** The options firmware/adapters/kaluma.ts uartOptions makes for a board's link, made at build time. */
export function kalumaUartOptions(link: { device: number; baud: number; pins?: { tx: number; rx: number } }): { [option: string]: number };
/** core/lite/kinds.ts for a build (all kinds when `kinds` is undefined). */
export function kindsModuleSource(kinds?: number[]): string;
/** A schema module's exports evaluated in Node, or null when it imports anything but core/schema. */
export function evaluateSchemaModule(file: string): Record<string, unknown> | null;
declare const config: () => unknown;
export default config;
