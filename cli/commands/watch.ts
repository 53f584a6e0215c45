import { parseArgs } from "node:util";
import type { Command } from "../command";
import { CliError, ExitCode } from "../exit-codes";
import { withTarget, splitTarget, TARGET_OPTIONS, TARGET_USAGE } from "../bridge/links";
import { watchEvent } from "../bridge/watch";

const usage = `usage: cell watch <cell.event> [--count n] [--timeout ms]
                  [--udp host:port | --quic host:port --fingerprint hex | --nats url]

Subscribes to an event of a cell in reach of a bridge and prints each one as a line of JSON until
Ctrl-C (or --count events). The cell is described first, so its schema need not be at hand.

${TARGET_USAGE}
  --count n              stop after n events
  --timeout ms           how long to wait for describe and subscribe (default 5000)

example: cell watch thermo.alarm`;

export const command: Command = {
  summary: "print a cell's events as JSON lines until Ctrl-C",
  usage,
  async run(args) {
    const { values: o, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...TARGET_OPTIONS, count: { type: "string" }, timeout: { type: "string", default: "5000" } }
    });
    const { cell, member } = splitTarget(positionals[0], "event");
    const count = o.count === undefined ? Infinity : Number(o.count);
    if (!(count > 0)) throw new CliError("--count must be a number above 0", ExitCode.Usage);
    const timeoutMs = Number(o.timeout);
    if (!(timeoutMs > 0)) throw new CliError("--timeout must be a number of ms above 0", ExitCode.Usage);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await withTarget(o, (link) => watchEvent(link, cell, member, { timeoutMs, count, signal: stop.signal, print: (line) => console.log(line), warn: (line) => console.error(line) }));
      return ExitCode.Ok;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
};
