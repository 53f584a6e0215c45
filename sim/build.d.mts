// Types for sim/build.mjs (a plain Node script, so `npm run build:sim` needs no TypeScript loader).
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
export declare function boardConfig(boardId?: string): { heapBytes: number; maxFrame: number };
export declare function buildSim(opts?: {
  log?: (line: string) => void;
  board?: string;
  jerryscriptArchive?: string;
}): Promise<SimBuildResult>;
export declare function elfSizes(elf: string): { text: number; data: number; bss: number };
