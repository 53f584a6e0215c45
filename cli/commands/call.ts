import { parseArgs } from "node:util";
import type { Command } from "../command";
import type { MethodDef } from "../../core/schema";
import { connect } from "../../core/rpc/client";
import { memberNamed } from "../../core/rpc/members";
import { CodecId } from "../../core/header";
import { HOST_CODECS } from "../../core/host/defaults";
import { CliError, ExitCode } from "../exit-codes";
import { withTarget, splitTarget, TARGET_OPTIONS, TARGET_USAGE } from "../bridge/links";
import { describeCell } from "../bridge/describe";
import { valueFromJson, valueToJson } from "../bridge/values";
import { failure } from "../bridge/errors";

const CODECS: Record<string, number> = { compact: CodecId.Compact, json: CodecId.Json, msgpack: CodecId.Msgpack };

const usage = `usage: cell call <cell.method> [<request as JSON>] [--codec compact|json|msgpack] [--timeout ms]
                 [--udp host:port | --quic host:port --fingerprint hex | --nats url]

Calls one method of a cell in reach of a bridge and prints the answer as JSON. The cell is described
first, so its schema need not be at hand: the request is checked against the method's type and sent
in the codec asked for (default compact). Bytes are base64 text; an absent request means {}.
An ERROR answer is printed as one line, exit 1 (5 when it is TimedOut).

${TARGET_USAGE}
  --codec name           payload codec of the request and answer (default compact)
  --timeout ms           how long to wait for each answer (default 5000)

example: cell call thermo.read '{"unit":"C"}'`;

export const command: Command = {
  summary: "call a method of a cell in reach of a bridge, print the answer as JSON",
  usage,
  async run(args) {
    const { values: o, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...TARGET_OPTIONS, codec: { type: "string", default: "compact" }, timeout: { type: "string", default: "5000" } }
    });
    const { cell: cellName, member } = splitTarget(positionals[0], "method");
    if (positionals.length > 2) throw new CliError("give the request as one JSON argument (quote it)", ExitCode.Usage);
    const codec = CODECS[o.codec!];
    if (codec === undefined) throw new CliError(`unknown --codec ${o.codec} (compact, json or msgpack)`, ExitCode.Usage);
    const timeoutMs = Number(o.timeout);
    if (!(timeoutMs > 0)) throw new CliError("--timeout must be a number of ms above 0", ExitCode.Usage);
    return withTarget(o, async (link) => {
      const def = await describeCell(link, cellName, timeoutMs);
      const info = memberNamed(def, member, "method");
      if (!info) {
        const methods = Object.keys(def.info).filter((n) => def.info[n].def.kind === "method");
        throw new CliError(`${cellName} has no method ${member} (it has: ${methods.join(", ") || "none"})`, ExitCode.Usage);
      }
      const m = info.def as MethodDef;
      const req = valueFromJson(m.req, positionals[1] ?? "{}", `${cellName}.${member} request`);
      const client = connect(def, link, { codecs: HOST_CODECS, codec, timeoutMs, sendDeadline: true });
      let res: unknown;
      try {
        res = await new Promise((resolve, reject) => client.call(member as never, req as never, (err, v) => (err ? reject(err) : resolve(v))));
      } catch (e) {
        throw failure(`${cellName}.${member}`, e);
      }
      console.log(valueToJson(m.res, res));
      return ExitCode.Ok;
    });
  }
};
