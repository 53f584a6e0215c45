import { defineCommand, option, oneOf, ms, UsageError } from "../args";
import type { MethodDef } from "../../core/schema";
import { connect } from "../../core/rpc/client";
import { memberNamed } from "../../core/rpc/members";
import { CodecId } from "../../core/header";
import { HOST_CODECS } from "../../core/host/defaults";
import { ExitCode } from "../exit-codes";
import { withTarget, splitTarget, TARGET_OPTIONS } from "../bridge/links";
import { describeCell } from "../bridge/describe";
import { requestFromJson, valueToJson } from "../bridge/values";
import { failure } from "../bridge/errors";

const CODECS: Record<string, number> = { compact: CodecId.Compact, json: CodecId.Json, msgpack: CodecId.Msgpack };

export const command = defineCommand({
  name: "call",
  summary: "call a method of a cell in reach of a bridge, print the answer as JSON",
  args: [
    { name: "cell.method", required: true, help: "the method, e.g. thermo.read" },
    { name: "request", help: "the request as one JSON argument (quote it); absent means {} or nothing" }
  ],
  about: `The cell is described first, so its schema need not be at hand: the request is checked against the
method's type (an unknown field is refused) and sent in the codec asked for. Bytes are base64 text.
An ERROR answer is printed as one line, exit 1 (5 when it is TimedOut).`,
  options: {
    ...TARGET_OPTIONS,
    codec: option({
      value: "name",
      help: "payload codec of the request and answer: compact, json or msgpack",
      default: "compact",
      parse: oneOf(["compact", "json", "msgpack"])
    }),
    timeout: option({ value: "ms", help: "how long to wait for each answer", default: "5000", parse: ms })
  },
  footer: `example: cell call thermo.read '{"unit":"C"}'`,
  async run(o, positionals) {
    const { cell: cellName, member } = splitTarget(positionals[0], "method");
    const codec = CODECS[o.codec];
    const timeoutMs = o.timeout;
    return withTarget(o, async (link) => {
      const def = await describeCell(link, cellName, timeoutMs);
      const info = memberNamed(def, member, "method");
      if (!info) {
        const methods = Object.keys(def.info).filter((n) => def.info[n].def.kind === "method");
        throw new UsageError(`${cellName} has no method ${member} (it has: ${methods.join(", ") || "none"})`);
      }
      const m = info.def as MethodDef;
      const req = requestFromJson(m.req, positionals[1], `${cellName}.${member} request`);
      const client = connect(def, link, { codecs: HOST_CODECS, codec, timeoutMs, sendDeadline: true });
      let res: unknown;
      try {
        res = await new Promise((resolve, reject) =>
          client.call(member as never, req as never, (err, v) => (err ? reject(err) : resolve(v)))
        );
      } catch (e) {
        throw failure(`${cellName}.${member}`, e);
      }
      console.log(valueToJson(m.res, res));
      return ExitCode.Ok;
    });
  }
});
