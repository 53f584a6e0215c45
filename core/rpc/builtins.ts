// The protocol's own methods (ids below 16), all codec RAW:
//   0 describe:     empty request; the answer is the canonical schema text (UTF-8)
//   1 subscribe:    u32 LE event id; empty answer
//   2 unsubscribe:  u32 LE event id; empty answer
import type { Peer } from "../transport";
import type { CellDef } from "../schema";
import type { Endpoint } from "./endpoint";
import { Kind, CodecId, MethodId, readU32 } from "../header";
import { CellError, ErrorCode } from "../errors";
import { utf8Length, utf8Write, utf8Decode } from "../utf8";

export function readEmpty(payload: Uint8Array): undefined {
  if (payload.length !== 0) throw new CellError(ErrorCode.BadPayload, "expected an empty answer, got " + payload.length + " bytes");
  return undefined;
}

export function readText(payload: Uint8Array): string {
  return utf8Decode(payload);
}

export function hex(id: number): string {
  return "0x" + (id >>> 0).toString(16);
}

/** Answers a built-in method (methodId < 16) for a served cell. */
export function serveBuiltin(
  ep: Endpoint,
  cell: CellDef,
  codec: number,
  methodId: number,
  requestId: number,
  payload: Uint8Array,
  from: Peer | undefined
): void {
  var cellId = cell.id;
  if (methodId > MethodId.Unsubscribe) {
    ep.sendError(ErrorCode.UnknownMethod, cell.name + " has no method " + hex(methodId), cellId, methodId, requestId, from);
    return;
  }
  if (codec !== CodecId.Raw) {
    ep.sendError(ErrorCode.BadPayload, "built-in method " + methodId + " takes codec RAW", cellId, methodId, requestId, from);
    return;
  }
  var w = ep.out.begin();
  if (methodId === MethodId.Describe) {
    if (payload.length !== 0) {
      ep.sendError(ErrorCode.BadPayload, "describe takes an empty payload", cellId, methodId, requestId, from);
      return;
    }
    var n = utf8Length(cell.schema);
    if (n > ep.maxPayload) {
      ep.sendError(ErrorCode.TooLarge, "the schema text (" + n + " bytes) does not fit in a frame", cellId, methodId, requestId, from);
      return;
    }
    w.ensure(n);
    w.pos = utf8Write(cell.schema, w.buf, w.pos);
  } else {
    if (payload.length !== 4) {
      ep.sendError(ErrorCode.BadPayload, "subscribe/unsubscribe take a u32 event id", cellId, methodId, requestId, from);
      return;
    }
    var eventId = readU32(payload, 0);
    var info = cell.byId[eventId];
    if (!info || info.def.kind !== "event") {
      ep.sendError(ErrorCode.UnknownMethod, cell.name + " has no event " + hex(eventId), cellId, methodId, requestId, from);
      return;
    }
    if (methodId === MethodId.Unsubscribe) ep.subscribers.remove(cellId, eventId, from);
    else if (!ep.subscribers.add(cellId, eventId, from)) {
      ep.sendError(ErrorCode.Overloaded, cell.name + "." + info.name + " has too many subscribers", cellId, methodId, requestId, from);
      return;
    }
  }
  ep.trySend(ep.out.seal(Kind.Response, CodecId.Raw, cellId, methodId, requestId), from);
}
