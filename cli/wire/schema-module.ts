import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { CellDef } from "../../core/schema";
import { CliError, ExitCode } from "../exit-codes";

/** Every CellDef a TypeScript/JavaScript module exports, so ids can be named and COMPACT payloads read. */
export async function loadCells(path: string | undefined): Promise<CellDef[]> {
  if (!path) return [];
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(resolve(path)).href);
  } catch (e) {
    throw new CliError(`cannot load schema module ${path}: ${(e as Error).message}`, ExitCode.BadInput);
  }
  const cells = Object.values(mod).filter(isCellDef);
  if (cells.length === 0) throw new CliError(`${path} exports no cell (make one with cell(name, {...}))`, ExitCode.BadInput);
  return cells;
}

function isCellDef(v: unknown): v is CellDef {
  const c = v as CellDef;
  return !!c && typeof c === "object" && typeof c.name === "string" && typeof c.id === "number" && typeof c.schema === "string" && !!c.byId;
}
