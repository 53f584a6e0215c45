import type { Command } from "./command";
import { CliError, ExitCode } from "./exit-codes";

type Entry = { summary: string; load: () => Promise<{ command: Command }> };

/** Commands load lazily, so `cell wire` never loads serialport, QUIC or rollup. */
const commands: Record<string, Entry> = {
  build: { summary: "build a cell into a small ES5 bundle for a board", load: () => import("./commands/build") },
  sim: { summary: "boot simulated boards (QEMU + Duktape) and flash a cell onto them", load: () => import("./commands/sim") },
  flash: { summary: "flash a bundle onto a running board through its boot loader", load: () => import("./commands/flash") },
  bridge: { summary: "re-expose the cells of boards on UDP, QUIC and NATS", load: () => import("./commands/bridge") },
  ls: { summary: "list the cells in reach of a bridge", load: () => import("./commands/ls") },
  call: { summary: "call a method: cell call thermo.read '\"C\"'", load: () => import("./commands/call") },
  watch: { summary: "print a cell's events as JSON lines", load: () => import("./commands/watch") },
  wire: { summary: "decode or build frames of the wire contract (captures, debugging)", load: () => import("./commands/wire") }
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ["usage: cell <command> [options]", "", "commands:", ...rows, "", "cell <command> --help for details"].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(help());
    return name ? ExitCode.Ok : ExitCode.Usage;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`cell: unknown command "${name}"\n\n${help()}`);
    return ExitCode.Usage;
  }
  const { command } = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return ExitCode.Ok;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`cell ${name}: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
}
