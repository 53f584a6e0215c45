// The one way the CLI loads a schema module named on the command line (--schema): through tsx's
// import, which compiles TypeScript as ESM or CommonJS by the nearest package.json. A plain dynamic
// import() of a .ts file outside an ESM package fails with "Cannot require() ES Module in a cycle".
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { CellDef } from "../core/schema";
import { CliError, ExitCode } from "./exit-codes";
import { checkReadable } from "./files";

/** Every CellDef a TypeScript/JavaScript module exports, so ids can be named and COMPACT payloads read. */
export async function loadCells(path: string | undefined): Promise<CellDef[]> {
  if (!path) return [];
  checkReadable(path, "schema module");
  const { tsImport } = await import("tsx/esm/api");
  let mod: Record<string, unknown>;
  try {
    mod = await tsImport(pathToFileURL(resolve(path)).href, import.meta.url);
  } catch (e) {
    const first = String((e as Error).message ?? e).split("\n")[0];
    throw new CliError(`schema module ${path} does not load: ${first}`, ExitCode.BadInput, { cause: e });
  }
  // A CommonJS module also shows its exports as `default`.
  const exported = [...Object.values(mod), ...Object.values(isObject(mod.default) ? mod.default : {})];
  const cells = exported.filter(isCellDef).filter((c, i, all) => all.indexOf(c) === i);
  if (cells.length === 0)
    throw new CliError(`schema module ${path} exports no cell (make one with cell(name, {...}) and export it)`, ExitCode.BadInput);
  return cells;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object";

function isCellDef(v: unknown): v is CellDef {
  const c = v as CellDef;
  return !!c && typeof c === "object" && typeof c.name === "string" && typeof c.id === "number" && typeof c.schema === "string" && !!c.byId;
}
