// Types of entry.mjs for TypeScript callers that need a board without loading rollup (cli/sim-support.ts).
export function loadBoard(id: string): any;
export function resolveEntry(path: string): string;
