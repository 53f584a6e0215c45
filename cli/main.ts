import { readFileSync } from "node:fs";
import type { Command } from "./args";
import { CliError, ExitCode } from "./exit-codes";
import { withProjectDefaults } from "./project";

/**
 * Commands load lazily, so `cell wire` never loads serialport, QUIC or rollup; a command module itself
 * imports its heavy parts inside run(), so `cell --help` can read every command's summary cheaply.
 */
export const commands: Record<string, () => Promise<{ command: Command }>> = {
  new: () => import("./commands/new"),
  build: () => import("./commands/build"),
  sim: () => import("./commands/sim"),
  flash: () => import("./commands/flash"),
  bridge: () => import("./commands/bridge"),
  ls: () => import("./commands/ls"),
  call: () => import("./commands/call"),
  watch: () => import("./commands/watch"),
  monitor: () => import("./commands/monitor"),
  wire: () => import("./commands/wire"),
  boards: () => import("./commands/boards"),
  ports: () => import("./commands/ports"),
  keygen: () => import("./commands/keygen"),
  trust: () => import("./commands/trust"),
  pull: () => import("./commands/pull")
};

/** The SDK's version, from its package.json. */
export function version(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

const USAGE = "cell <command> [options]";

async function help(): Promise<string> {
  const loaded = await Promise.all(Object.entries(commands).map(async ([name, load]) => [name, (await load()).command.summary]));
  const width = Math.max(...loaded.map(([name]) => name.length));
  const rows = loaded.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    `usage: ${USAGE}`,
    "",
    "commands:",
    ...rows,
    "",
    "cell <command> --help for details; cell --version; exit codes: see README (Exit codes)"
  ].join("\n");
}

const debugging = () => process.env.CELL_DEBUG === "1";

/** The first line of a message: the CLI never prints more than one line per failure. */
function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? "failed"
  );
}

/** Prints a failure as one line (a stack too with CELL_DEBUG=1) and returns its exit code. */
export function report(e: unknown, name?: string): number {
  const where = e instanceof CliError && e.command ? e.command : name ? `cell ${name}` : "cell";
  const message = e instanceof Error ? e.message : String(e);
  const usage = e instanceof CliError && e.usage ? ` (usage: ${e.usage})` : "";
  console.error(`${where}: ${firstLine(message)}${usage}`);
  if (debugging()) {
    for (let x: unknown = e; x; x = (x as Error).cause) console.error(x instanceof Error ? x.stack : String(x));
  }
  return e instanceof CliError ? e.exitCode : ExitCode.Failed;
}

let stdoutGuarded = false;

/**
 * A reader that stops early (`cell boards --json | head -1`) closes the pipe: the next write fails with
 * EPIPE. That is the reader's choice, not a failure: leave at once and quietly.
 */
function leaveQuietlyOnClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(ExitCode.Ok);
  });
}

export async function main(argv: string[]): Promise<number> {
  leaveQuietlyOnClosedStdout();
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(await help());
    return name ? ExitCode.Ok : ExitCode.Usage;
  }
  if (name === "--version" || name === "-v") {
    console.log(`cell ${version()}`);
    return ExitCode.Ok;
  }
  const load = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!load) {
    console.error(`cell: unknown command ${JSON.stringify(name)} (usage: ${USAGE}; commands: ${Object.keys(commands).join(", ")})`);
    return ExitCode.Usage;
  }
  try {
    const { command } = await load();
    return await command.run(withProjectDefaults(name, command, rest));
  } catch (e) {
    return report(e, name);
  }
}
