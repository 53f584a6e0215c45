import { defineCommand, option, wholeNumber, ms } from "../args";
import { ExitCode } from "../exit-codes";
import { withTarget, splitTarget, TARGET_OPTIONS } from "../bridge/links";
import { watchEvent } from "../bridge/watch";

export const command = defineCommand({
  name: "watch",
  summary: "print a cell's events as JSON lines until Ctrl-C",
  args: [{ name: "cell.event", required: true, help: "the event, e.g. thermo.alarm" }],
  about: "The cell is described first, so its schema need not be at hand. Stops after --count events.",
  options: {
    ...TARGET_OPTIONS,
    count: option({ value: "n", help: "stop after n events", parse: wholeNumber(1, Number.MAX_SAFE_INTEGER) }),
    timeout: option({ value: "ms", help: "how long to wait for describe and subscribe", default: "5000", parse: ms })
  },
  footer: "example: cell watch thermo.alarm",
  async run(o, positionals) {
    const { cell, member } = splitTarget(positionals[0], "event");
    const count = o.count ?? Infinity;
    const timeoutMs = o.timeout;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await withTarget(o, (link) =>
        watchEvent(link, cell, member, {
          timeoutMs,
          count,
          signal: stop.signal,
          print: (line) => console.log(line),
          warn: (line) => console.error(line)
        })
      );
      return ExitCode.Ok;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
});
