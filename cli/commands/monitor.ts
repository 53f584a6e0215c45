import { StringDecoder } from "node:string_decoder";
import { defineCommand, option, wholeNumber, nonEmpty, UsageError } from "../args";
import { CliError, ExitCode } from "../exit-codes";
import type { CellDef } from "../../core/schema";
import type { Medium } from "../../transports/medium";

/** How long bytes held as a possible frame start wait for the rest before they are printed as text. */
const IDLE_FLUSH_MS = 100;

export const command = defineCommand({
  name: "monitor",
  summary: "print a board's console, with the cell frames on the same port decoded inline",
  about: `Reads the port until Ctrl-C (or SIGTERM): console text passes through as it is; cell stream frames
(COBS, ending in 00, CRC checked) are printed on a line of their own, e.g. ⟨frame thermo.read req #3 "C"⟩,
named and decoded with --schema, the payload in hex without it.`,
  options: {
    port: option({
      value: "path|tcp://host:port",
      help: "the serial port, or a serial port over TCP (cell sim, ser2net)",
      required: true,
      parse: nonEmpty
    }),
    schema: option({ value: "file", help: "a module exporting cells (e.g. src/schema.ts): names ids, decodes payloads" }),
    cell: option({ value: "name", help: "decode only this cell of --schema", parse: nonEmpty }),
    baud: option({ value: "n", help: "baud rate of a serial port", default: "115200", parse: wholeNumber(50, 4000000) })
  },
  footer:
    "Exit 0 when stopped by Ctrl-C; 2 on bad arguments; 3 when --schema does not load; 4 when the port cannot be opened or goes away.",
  async run(o) {
    if (o.cell && !o.schema) throw new UsageError("--cell needs --schema");
    const { loadCells } = await import("../schema-loader");
    const { parseTcpTarget } = await import("../../transports/serial");
    const { consoleSplitter } = await import("../monitor/console-splitter");
    const { frameText } = await import("../monitor/frame-text");
    let cells: CellDef[] = await loadCells(o.schema);
    if (o.cell) {
      cells = cells.filter((c) => c.name === o.cell);
      if (cells.length === 0) throw new CliError(`${o.schema} exports no cell named ${JSON.stringify(o.cell)}`, ExitCode.BadInput);
    }
    let tcp;
    try {
      tcp = parseTcpTarget(o.port);
    } catch (e) {
      throw new UsageError(`--port ${(e as Error).message.replace(/^serial: /, "")}`);
    }
    const open = tcp
      ? (await import("../../transports/tcp-medium")).tcpMedium(tcp.host, tcp.port, 5000)
      : (await import("../../transports/serialport-medium")).serialPortMedium(o.port, o.baud);

    const splitter = consoleSplitter();
    const text = new StringDecoder("utf8");
    let atLineStart = true;
    const write = (s: string) => {
      if (s) process.stdout.write(s);
      if (s) atLineStart = s.endsWith("\n");
    };
    const print = (pieces: ReturnType<typeof splitter.feed>) => {
      for (const p of pieces) {
        if ("text" in p) write(text.write(Buffer.from(p.text)));
        else write(`${atLineStart ? "" : "\n"}${frameText(p.frame, cells)}\n`);
      }
    };
    let idle: NodeJS.Timeout | undefined;
    let finish: (code: number) => void = () => {};
    const finished = new Promise<number>((resolve) => (finish = resolve));
    let medium: Medium | undefined;
    let lostWhy: string | null = null;
    try {
      medium = await open({
        data(bytes) {
          clearTimeout(idle);
          print(splitter.feed(bytes));
          if (splitter.holding()) idle = setTimeout(() => print(splitter.flush()), IDLE_FLUSH_MS);
        },
        lost(err) {
          lostWhy = err ? err.message : "the other end closed it";
          finish(ExitCode.Unavailable);
        }
      });
    } catch (e) {
      throw new CliError((e as Error).message, ExitCode.Unavailable, { cause: e });
    }
    const onSignal = () => finish(ExitCode.Ok);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    console.error(`monitoring ${o.port}${cells.length ? ` (cells ${cells.map((c) => c.name).join(", ")})` : ""}; Ctrl-C leaves`);
    const code = await finished;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    clearTimeout(idle);
    medium.close();
    print(splitter.flush());
    write(text.end());
    if (!atLineStart) write("\n");
    if (code !== ExitCode.Ok) throw new CliError(`port ${o.port} went away: ${lostWhy}`, code);
    return code;
  }
});
