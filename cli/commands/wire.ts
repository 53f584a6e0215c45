import type { Command } from "../command";
import { CliError, ExitCode } from "../exit-codes";
import { decodeCommand, decodeUsage } from "../wire/decode";
import { encodeCommand, encodeUsage } from "../wire/encode";

export const command: Command = {
  summary: "decode or build frames of the wire contract (for captured traffic and debugging)",
  usage: decodeUsage + "\n\n" + encodeUsage,
  run(args) {
    const [sub, ...rest] = args;
    if (sub === "decode") return decodeCommand(rest);
    if (sub === "encode") return encodeCommand(rest);
    throw new CliError(`wire: expected "decode" or "encode", got ${sub ? JSON.stringify(sub) : "nothing"}`, ExitCode.Usage);
  }
};
