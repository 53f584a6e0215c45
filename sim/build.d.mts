// Types for sim/build.mjs (a plain Node script, so `npm run build:sim` needs no TypeScript loader).
export declare var INSTALL_LINE: string;
export declare var ELF: string;
export interface SimBuildResult {
  elf: string;
  rebuilt: boolean;
  sizes: { text: number; data: number; bss: number };
  heapBytes: number;
  maxFrame: number;
}
export declare function boardConfig(): { heapBytes: number; maxFrame: number };
export declare function buildSim(opts?: { log?: (line: string) => void }): Promise<SimBuildResult>;
export declare function elfSizes(elf: string): { text: number; data: number; bss: number };
