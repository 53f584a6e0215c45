import type { Command } from "../command";
import { ExitCode } from "../exit-codes";

export const command: Command = {
  summary: "build a cell into a tree-shaken, minified ES5 bundle (and manifest) for a board",
  usage: `usage: cell build --board <id>[,<id>...] [--codecs compact,json,...] [--out dir] [--no-minify] <entry.ts | folder>

Writes build/<board>/<name>.js and adds the bundle to build/<board>/manifest.json (board, engine, bytes,
gzip bytes, SHA-256, codecs, cells with their schema hashes). Boards: boards/*.json.
Exit 0 when every bundle is within its board's size budget, 1 when one is over, 2 on bad arguments.`,
  async run(args) {
    // rollup and TypeScript load only for this command.
    const { buildFirmware } = await import("../../firmware/build");
    const code = await buildFirmware(args);
    return code === 2 ? ExitCode.Usage : code === 0 ? ExitCode.Ok : ExitCode.Failed;
  }
};
