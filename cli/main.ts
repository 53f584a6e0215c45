import type { Command } from "./command";
import { CliError, ExitCode } from "./exit-codes";

/** Commands load lazily, so `cell wire` never loads serialport, QUIC or rollup. */
const commands: Record<string, () => Promise<{ command: Command }>> = {
  wire: () => import("./commands/wire"),
  build: () => import("./commands/build"),
  sim: () => import("./commands/sim"),
  flash: () => import("./commands/flash"),
  bridge: () => import("./commands/bridge"),
  ls: () => import("./commands/ls"),
  call: () => import("./commands/call"),
  watch: () => import("./commands/watch")
};

function help(): string {
  return ["usage: cell <command> [options]", "", "commands:", ...Object.keys(commands).map((c) => "  " + c), "", "cell <command> --help for details"].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(help());
    return name ? ExitCode.Ok : ExitCode.Usage;
  }
  const load = commands[name];
  if (!load) {
    console.error(`cell: unknown command "${name}"\n\n${help()}`);
    return ExitCode.Usage;
  }
  const { command } = await load();
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
