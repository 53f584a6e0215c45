// A project made by `cell new` names its board, simulated board and source folder in the "cell" field of
// its package.json, so `cell build` and `cell sim` run there without arguments. Only the current folder's
// package.json is read, and only what the command line leaves out is filled in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "./args";

/** The board every new project's host test and `cell sim` run on: our QEMU firmware, needing no vendored engine. */
export const SIM_BOARD_OF_PROJECTS = "qemu-mps2-an385";

export interface ProjectConfig {
  /** The board the project targets (`cell build`). */
  board?: string;
  /** The simulated board (`cell sim`). */
  sim?: string;
  /** The cell module or folder. */
  src?: string;
}

/** The "cell" field of ./package.json, or null when there is none (or it does not parse). */
export function projectConfig(dir = process.cwd()): ProjectConfig | null {
  try {
    const field = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { cell?: unknown }).cell;
    return field && typeof field === "object" ? (field as ProjectConfig) : null;
  } catch {
    return null;
  }
}

/** Whether argv names `--option` itself, and whether it has a positional argument (options' values skipped). */
function scan(command: Command, argv: string[], option: string): { hasOption: boolean; hasPositional: boolean } {
  let hasOption = false;
  let hasPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      hasPositional ||= i + 1 < argv.length;
      break;
    }
    if (!a.startsWith("--")) {
      hasPositional = true;
      continue;
    }
    const name = a.slice(2).split("=")[0];
    if (name === option) hasOption = true;
    const o = Object.prototype.hasOwnProperty.call(command.options, name) ? command.options[name] : undefined;
    if (!o || o.type === "boolean" || a.includes("=")) continue;
    if (!o.optionalValue || (i + 1 < argv.length && o.optionalValue.when.test(argv[i + 1]))) i++;
  }
  return { hasOption, hasPositional };
}

/** argv with the project's board and source folder added where `cell build` / `cell sim` lack them. */
export function withProjectDefaults(name: string, command: Command, argv: string[], config = projectConfig()): string[] {
  if (!config || (name !== "build" && name !== "sim") || argv.includes("--help") || argv.includes("-h")) return argv;
  const board = name === "build" ? config.board : config.sim;
  const { hasOption, hasPositional } = scan(command, argv, "board");
  const out = [...argv];
  if (!hasOption && typeof board === "string") out.unshift("--board", board);
  if (!hasPositional && typeof config.src === "string") out.push(config.src);
  return out;
}
