// Types for sim/build.mjs (plain JavaScript: the firmware build needs no TypeScript loader).
export declare var INSTALL_LINE: string;
export declare var ELF: string;
export declare var JERRY_ELF: string;
export declare var DUKTAPE_BOARD: string;
export declare var JERRYSCRIPT_BOARD: string;
export interface SimBuildResult {
  elf: string;
  rebuilt: boolean;
  sizes: { text: number; data: number; bss: number };
  heapBytes: number;
  maxFrame: number;
}
export declare function buildSim(opts: {
  /** The board's JS heap and largest frame (sim/firmware-build.ts reads them from its board file). */
  limits: { heapBytes: number; maxFrame: number };
  log?: (line: string) => void;
  board?: string;
  jerryscriptArchive?: string;
  /** monocypher-4.0.2.tar.gz (default: $CELL_VENDOR or ../shared/vendor). */
  monocypherArchive?: string | null;
}): Promise<SimBuildResult>;
export declare function monocypherArchive(): string;
/** Monocypher's src/ folder, extracted once into sim/build/monocypher/ (git-ignored). */
export declare function monocypherSources(archive?: string, log?: (line: string) => void): string;
export declare function elfSizes(elf: string): { text: number; data: number; bss: number };
