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
  typeWarnings: number;
  warnings: string[];
}
export interface BuildOptions {
  board: string;
  entry: string;
  codecs?: string[];
  outDir?: string;
  minify?: boolean;
}
export function buildBundle(options: BuildOptions): PromiseLike<BundleInfo>;
export function buildFirmware(argv: string[]): PromiseLike<number>;
export function loadBoard(id: string): any;
export function resolveEntry(path: string): string;
export function entrySource(board: any, entry: string, codecs?: string[]): string;
export function linkConfigSource(board: any): string;
export function boardModuleSource(board: any): string;
declare const config: () => unknown;
export default config;
