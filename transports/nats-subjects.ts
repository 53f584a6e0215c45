// The NATS subject scheme (spec/transports.md, "NATS"). Ids are 8 lowercase hex digits.

import { hex32 } from "../core/hex";

export const hex8 = hex32;

export class NatsSubjects {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) throw new Error(`nats: bad subject prefix "${prefix}"`);
  }
  /** REQUESTs to a cell; servers subscribe in the queue group below, so one instance takes each. */
  request(cellId: number): string {
    return `${this.prefix}.${hex8(cellId)}`;
  }
  queue(cellId: number): string {
    return `q.${hex8(cellId)}`;
  }
  /** CANCELs go to every instance (no queue group): only the one holding the request acts on it. */
  cancel(cellId: number): string {
    return `${this.prefix}.${hex8(cellId)}.cancel`;
  }
  event(cellId: number, eventId: number): string {
    return `${this.prefix}.${hex8(cellId)}.event.${hex8(eventId)}`;
  }
  announce(): string {
    return `${this.prefix}.announce`;
  }
}

/**
 * A caller's reply subject: `<inbox>.<cell>.<method>.<requestId>`. It names the request, so that a
 * "no responders" status (which carries no frame) can still be answered as that request's ERROR, and
 * a CANCEL sent with the same reply subject reaches the same served request.
 */
export function replySubject(inbox: string, cellId: number, methodId: number, requestId: number): string {
  return `${inbox}.${hex8(cellId)}.${hex8(methodId)}.${hex8(requestId)}`;
}

const REPLY_TAIL = /\.([0-9a-f]{8})\.([0-9a-f]{8})\.([0-9a-f]{8})$/;

/** The ids in a reply subject of the form above, or null. */
export function parseReply(subject: string): { inbox: string; cellId: number; methodId: number; requestId: number } | null {
  const m = REPLY_TAIL.exec(subject);
  if (!m) return null;
  return { inbox: subject.slice(0, m.index), cellId: parseInt(m[1], 16), methodId: parseInt(m[2], 16), requestId: parseInt(m[3], 16) };
}

/** Who a caller is, across its requests: its inbox when the reply subject has our form, else the whole subject. */
export function callerOf(reply: string): string {
  const r = parseReply(reply);
  return r ? r.inbox : reply;
}
