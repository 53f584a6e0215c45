// Stream frames as a board sends them, for the monitor's tests: a header, a payload in the codec the
// schema gives the member, COBS + CRC-32 from core's StreamEncoder.
import { encodeHeader, HEADER_SIZE, Kind, CodecId } from "../../core/header";
import { StreamEncoder } from "../../core/stream";
import { Writer } from "../../core/codec";
import { compactCodec } from "../../core/codecs";
import type { CellDef } from "../../core/schema";

export function streamFrame(cell: CellDef, member: string, kind: number, requestId: number, value: unknown): Uint8Array {
  const m = cell.info[member];
  const def = m.def as { kind: string; req?: unknown; res?: unknown; type?: unknown };
  const type = (def.kind === "event" ? def.type : kind === Kind.Request ? def.req : def.res) as Parameters<typeof compactCodec.encode>[0];
  const w = new Writer();
  compactCodec.encode(type, value, w);
  const payload = w.view().slice();
  const frame = new Uint8Array(HEADER_SIZE + payload.length);
  encodeHeader({ kind, flags: 0, codec: CodecId.Compact, cellId: cell.id, methodId: m.id, requestId, length: payload.length }, frame, 0);
  frame.set(payload, HEADER_SIZE);
  return new StreamEncoder().encode(frame).slice();
}
