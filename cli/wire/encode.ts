import { encode as msgpackEncode } from "@msgpack/msgpack";
import { HEADER_SIZE, Kind, CodecId, MethodId, encodeHeader } from "../../core/header";
import { fnv1a32String } from "../../core/fnv";
import { StreamEncoder } from "../../core/stream";
import { Writer } from "../../core/codec";
import { codecById } from "../../core/codecs";
import { ErrorCode } from "../../core/errors";
import { writeErrorPayload } from "../../core/rpc/error-payload";
import { utf8Encode } from "../../core/utf8";
import type { CellDef, Type } from "../../core/schema";
import { CliError, ExitCode } from "../exit-codes";
import { parseHex, toHex } from "./hex";
import { loadCells } from "../schema-loader";
import { unknownField } from "../bridge/values";
import { defineCommand, option, flag, oneOf, wholeNumber, nonEmpty, UsageError, type Values } from "../args";

const KINDS: Record<string, number> = {
  request: Kind.Request,
  response: Kind.Response,
  error: Kind.Error,
  event: Kind.Event,
  cancel: Kind.Cancel
};
const CODECS: Record<string, number> = { raw: CodecId.Raw, msgpack: CodecId.Msgpack, compact: CodecId.Compact, json: CodecId.Json };

const encodeOptions = {
  kind: option({ value: "kind", help: "request, response, error, event or cancel", default: "request", parse: oneOf(Object.keys(KINDS)) }),
  cell: option({ value: "name|id", help: "the cell", required: true, parse: nonEmpty }),
  method: option({ value: "name|signature|id|describe", help: "the method or event (default describe)" }),
  "request-id": option({ value: "n", help: "the request id (a u32; 0 for events)", default: "1", parse: wholeNumber(0, 0xffffffff) }),
  codec: option({
    value: "codec",
    help: "raw, msgpack, compact or json (default json with --value, else raw)",
    parse: oneOf(Object.keys(CODECS))
  }),
  value: option({ value: "json", help: "the payload as a value, encoded with --codec", parse: jsonValue }),
  payload: option({ value: "hex", help: "the payload as bytes", parse: hexBytes }),
  error: option({ value: "code:message", help: "an ERROR payload: a code number 1..255 or name, and a message", parse: errorSpec }),
  schema: option({ value: "cells.ts", help: "a module exporting cells: names resolve to ids, --value checked against the type" }),
  bare: flag("a bare frame (header ‖ payload) instead of a stream frame")
};

export const encode = defineCommand({
  name: "wire encode",
  summary: "build one frame and print it as hex",
  about: `A stream frame (COBS(frame ‖ CRC-32) ‖ 00, as on a UART) unless --bare (header ‖ payload, as on
UDP). --value is encoded with --codec: json and msgpack need no schema; compact needs --schema and a
method name. The cell may be a name (hashed with FNV-1a-32) or a number.`,
  options: encodeOptions,
  run: encodeCommand
});

async function encodeCommand(o: Values<typeof encodeOptions>): Promise<number> {
  const kind = KINDS[o.kind];
  if ([o.value, o.payload, o.error].filter((x) => x !== undefined).length > 1)
    throw new UsageError("give one of --value, --payload or --error");
  const cells = await loadCells(o.schema);
  const cellId = idOf(o.cell, (name) => cells.find((c) => c.name === name)?.id ?? fnv1a32String(name));
  const cell = cells.find((c) => c.id === cellId);
  const methodId =
    o.method === undefined || o.method === "describe" ? MethodId.Describe : idOf(o.method, (m) => cell?.info[m]?.id ?? fnv1a32String(m));
  const requestId = kind === Kind.Event ? 0 : o["request-id"];
  const codec = o.error !== undefined ? CodecId.Raw : CODECS[o.codec ?? (o.value !== undefined ? "json" : "raw")];

  const w = new Writer(256, 1 << 24);
  w.reset(HEADER_SIZE);
  if (o.error !== undefined) writeErrorPayload(w, o.error.code, o.error.message);
  else if (o.payload !== undefined) w.bytes(o.payload);
  else if (o.value !== undefined) writeValue(w, codec, o.value.json, typeFor(cell, methodId, kind));
  encodeHeader({ kind, flags: 0, codec, cellId, methodId, requestId, length: w.pos - HEADER_SIZE }, w.buf, 0);
  const frame = w.view();
  console.log(toHex(o.bare ? frame : new StreamEncoder().encode(frame)));
  return ExitCode.Ok;
}

function idOf(text: string, byName: (name: string) => number): number {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) {
    const n = Number(text);
    if (n > 0xffffffff) throw new UsageError(`${text} does not fit in a u32 id`);
    return n;
  }
  return byName(text);
}

/** --value: JSON text, kept as { json } so that a JSON null is still a value given. */
function jsonValue(text: string): { json: unknown } {
  try {
    return { json: JSON.parse(text) };
  } catch (e) {
    throw new Error(`takes JSON, got ${JSON.stringify(text)} (${(e as Error).message})`);
  }
}

/** --payload: hex as people paste it. */
function hexBytes(text: string): Uint8Array {
  try {
    return parseHex(text);
  } catch (e) {
    throw new Error(`takes hex bytes, got ${JSON.stringify(text)} (${(e as Error).message})`);
  }
}

/** --error: <code>:<message>, the code a number 1..255 or an ErrorCode name. */
function errorSpec(spec: string): { code: number; message: string } {
  const at = spec.indexOf(":");
  const head = at < 0 ? spec : spec.slice(0, at);
  const code = /^\d+$/.test(head)
    ? Number(head)
    : Object.prototype.hasOwnProperty.call(ErrorCode, head)
      ? (ErrorCode as Record<string, number>)[head]
      : 0;
  if (!code || code > 255)
    throw new Error(
      `takes <code>:<message>, the code a number 1..255 or a name (${Object.keys(ErrorCode).join(", ")}), got ${JSON.stringify(spec)}`
    );
  return { code, message: at < 0 ? "" : spec.slice(at + 1) };
}

/** The schema type of the payload, when a --schema module names the method. */
function typeFor(cell: CellDef | undefined, methodId: number, kind: number): Type | undefined {
  const def = cell?.byId[methodId]?.def;
  if (!def) return undefined;
  return def.kind === "event" ? def.type : kind === Kind.Request ? def.req : def.res;
}

function writeValue(w: Writer, codec: number, value: unknown, type: Type | undefined): void {
  if (type) {
    const extra = unknownField(type, value, "");
    if (extra)
      throw new CliError(
        `--value does not fit the schema: unknown field ${JSON.stringify(extra.name)} at ${extra.path}`,
        ExitCode.BadInput
      );
    const c = codecById(codec);
    if (!c) throw new UsageError(`codec ${codec} cannot encode a value`);
    try {
      c.encode(type, value, w);
    } catch (e) {
      throw new CliError(`--value does not fit the schema: ${(e as Error).message}`, ExitCode.BadInput);
    }
    return;
  }
  if (codec === CodecId.Json) w.bytes(utf8Encode(JSON.stringify(value)));
  else if (codec === CodecId.Msgpack) w.bytes(msgpackEncode(value));
  else throw new UsageError("without --schema and a method name, --value can only be encoded as json or msgpack");
}
