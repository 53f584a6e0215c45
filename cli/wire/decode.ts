import { defineCommand, flag, option, UsageError, type Values } from "../args";
import { CliError, ExitCode } from "../exit-codes";
import { hexId, hexByte, bytesToHex } from "../../core/hex";
import { parseHex } from "./hex";
import { guessFraming, splitStream, type RawFrame } from "./split";
import { inspect, type FrameReport } from "./inspect";
import { loadCells } from "../schema-loader";

const decodeOptions = {
  stream: flag("the bytes are stream frames (default: guessed)"),
  bare: flag("the bytes are one bare frame (default: guessed)"),
  json: flag("one JSON object per frame"),
  schema: option({ value: "cells.ts", help: "a module exporting cells: names ids and decodes COMPACT payloads" })
};

export const decode = defineCommand({
  name: "wire decode",
  summary: "print the fields and payload of frames given as hex",
  args: [{ name: "hex", required: true, rest: true, help: 'the bytes as hex, or "-" to read hex from standard input (e.g. a serial log)' }],
  about: `Stream frames (COBS, each ending in 00) are split, unstuffed and CRC-checked; a bare frame is
header ‖ payload as on UDP or NATS. Exit 0 when every frame is well-formed, 3 otherwise.`,
  options: decodeOptions,
  run: decodeCommand
});

async function decodeCommand(values: Values<typeof decodeOptions>, positionals: string[]): Promise<number> {
  if (values.stream && values.bare) throw new UsageError("give --stream or --bare, not both");
  const text = positionals[0] === "-" ? await readStdin() : positionals.join("");
  const bytes = parseHex(text);
  const cells = await loadCells(values.schema);
  const framing = values.stream ? "stream" : values.bare ? "bare" : guessFraming(bytes);
  const raws: RawFrame[] = framing === "stream" ? splitStream(bytes) : [{ bytes, framing: "bare", crcOk: null }];
  if (raws.length === 0) throw new CliError("no frame in the input (only 00 delimiters)", ExitCode.BadInput);
  const reports = raws.map((r) => inspect(r, cells));
  for (const [i, r] of reports.entries()) console.log(values.json ? JSON.stringify(jsonShape(r)) : human(r, i, reports.length, framing));
  const bad = reports.filter((r) => r.problem);
  for (const r of bad) console.error(`cell wire decode: frame ${reports.indexOf(r) + 1}: ${r.problem}`);
  return bad.length ? ExitCode.BadInput : ExitCode.Ok;
}

function jsonShape(r: FrameReport) {
  const { magic, version, kind, flags, codec, cellId, methodId, requestId, length, crcOk, payload } = r;
  return { magic, version, kind, flags, codec, cellId, methodId, requestId, length, crcOk, payload };
}

function human(r: FrameReport, i: number, n: number, framing: string): string {
  const n_ = r.names ?? {};
  const crc = r.crcOk === null ? "no CRC (bare frame)" : r.crcOk ? "CRC ok" : "CRC FAILED";
  const title = `frame ${i + 1}/${n}: ${framing}, ${crc}${r.problem ? ` -- ${r.problem}` : ""}`;
  if (!r.names) return `${title}\n  bytes     ${r.payload}`;
  const lines = [
    title,
    `  magic     ${hexByte(r.magic)}   version ${r.version}   flags ${r.flags}`,
    `  kind      ${n_.kind ?? "?"} (${r.kind})`,
    `  codec     ${n_.codec ?? "?"} (${r.codec})`,
    `  cell      ${hexId(r.cellId)}${n_.cell ? `  ${n_.cell}` : ""}`,
    `  method    ${hexId(r.methodId)}${n_.method ? `  ${n_.method}` : ""}`,
    `  request   ${r.requestId}`,
    `  length    ${r.length}`,
    `  payload   ${r.payload || "(empty)"}`
  ];
  if (r.value !== undefined) lines.push(`  value     ${JSON.stringify(r.value, (_k, v) => (v instanceof Uint8Array ? bytesToHex(v) : v))}`);
  return lines.join("\n");
}

async function readStdin(): Promise<string> {
  let s = "";
  for await (const chunk of process.stdin) s += chunk;
  return s;
}
