import { decode as msgpackDecode } from "@msgpack/msgpack";
import { HEADER_SIZE, Kind, CodecId, MethodId, decodeHeader, newHeader, readU32, type Header } from "../../core/header";
import { readErrorPayload } from "../../core/rpc/error-payload";
import { decodeAnnounce } from "../../core/rpc/announce-payload";
import { compactCodec } from "../../core/codecs";
import { errorCodeName } from "../../core/errors";
import { utf8Decode } from "../../core/utf8";
import type { CellDef, Type } from "../../core/schema";
import type { RawFrame } from "./split";
import { toHex } from "./hex";
import { errorProblem, announceProblem } from "./payload-problems";
import { shortFloats } from "../bridge/values";
import { hexByte } from "../../core/hex";

/** What `cell wire decode --json` prints for one frame (ids as numbers). */
export interface FrameReport extends Header {
  magic: number;
  version: number;
  crcOk: boolean | null;
  payload: string;
  problem?: string;
  names?: { kind?: string; codec?: string; cell?: string; method?: string };
  value?: unknown;
}

const nameOf = (table: Record<string, number>, v: number) => Object.keys(table).find((k) => table[k] === v);

/** Reads the header fields even of a broken frame, so a person can see what went wrong. */
export function inspect(raw: RawFrame, cells: CellDef[]): FrameReport {
  const b = raw.bytes;
  if (b.length < HEADER_SIZE) {
    return {
      magic: b[0] ?? 0,
      version: b[1] ?? 0,
      kind: 0,
      flags: 0,
      codec: 0,
      cellId: 0,
      methodId: 0,
      requestId: 0,
      length: 0,
      crcOk: raw.crcOk,
      payload: toHex(b),
      problem: raw.problem ?? `only ${b.length} bytes: a header needs ${HEADER_SIZE}`
    };
  }
  const report: FrameReport = {
    magic: b[0],
    version: b[1],
    kind: b[2] & 15,
    flags: b[2] >> 4,
    codec: b[3],
    cellId: readU32(b, 4),
    methodId: readU32(b, 8),
    requestId: readU32(b, 12),
    length: readU32(b, 16),
    crcOk: raw.crcOk,
    payload: toHex(b.subarray(HEADER_SIZE))
  };
  const reason = decodeHeader(b, 0, b.length, newHeader());
  const problem = raw.problem ?? (reason && headerProblem(reason, report, b.length));
  if (problem) report.problem = problem;
  const cell = cells.find((c) => c.id === report.cellId);
  const member = cell?.byId[report.methodId];
  report.names = {
    kind: nameOf(Kind, report.kind),
    codec: nameOf(CodecId, report.codec),
    cell: cell?.name,
    method: report.methodId < 16 && report.kind <= Kind.Cancel ? nameOf(MethodId, report.methodId) : member?.name
  };
  if (!reason) {
    try {
      report.value = payloadValue(report, b.subarray(HEADER_SIZE), cell, member?.def);
    } catch (e) {
      report.problem = report.problem ?? `payload does not decode: ${(e as Error).message}`;
    }
  }
  return report;
}

function headerProblem(reason: string, r: FrameReport, size: number): string {
  switch (reason) {
    case "BadMagic":
      return `bad magic ${hexByte(r.magic)} (want 0xce)`;
    case "BadVersion":
      return `unknown version ${r.version} (this tool speaks 1)`;
    case "BadKind":
      return `reserved kind ${r.kind}`;
    case "BadLength":
      return `length field says ${r.length} payload bytes, ${size - HEADER_SIZE} arrived`;
    default:
      return reason;
  }
}

/** The payload as a value where it can be read without guessing; undefined where it cannot. */
function payloadValue(r: FrameReport, p: Uint8Array, cell: CellDef | undefined, def: CellDef["info"][string]["def"] | undefined): unknown {
  if (r.kind === Kind.Error) {
    const e = readErrorPayload(p);
    if (!e) throw new Error(errorProblem(p));
    return { code: e.code, codeName: errorCodeName(e.code), message: e.message };
  }
  if (r.kind === Kind.Announce) {
    const a = decodeAnnounce(p);
    if (!a) throw new Error(announceProblem(p));
    return a;
  }
  if (r.kind === Kind.Cancel) return undefined;
  if (r.methodId === MethodId.Describe && r.kind === Kind.Response) return utf8Decode(p);
  if ((r.methodId === MethodId.Subscribe || r.methodId === MethodId.Unsubscribe) && r.kind === Kind.Request && p.length === 4) {
    return { eventId: readU32(p, 0), event: cell && cell.byId[readU32(p, 0)]?.name };
  }
  if (r.codec === CodecId.Json) return JSON.parse(utf8Decode(p));
  if (r.codec === CodecId.Msgpack) return msgpackDecode(p);
  if (r.codec === CodecId.Compact && def) {
    const type: Type = def.kind === "event" ? def.type : r.kind === Kind.Request ? def.req : def.res;
    return shortFloats(type, compactCodec.decode(type, p));
  }
  return undefined;
}
