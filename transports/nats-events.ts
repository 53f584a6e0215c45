// Server side of events on NATS. An EVENT is published once on its event subject, whoever listens, so
// the endpoint must see one subscriber per event, not one per caller: subscribe/unsubscribe REQUESTs
// from callers reach it as from one shared peer, and the callers are counted here. The endpoint hears
// the first subscribe and the last unsubscribe of an event; the others are answered here.
import type { Peer } from "../core/transport";

export const EVENTS_PEER: Peer = { id: "nats:events" };

/** What to do with a subscribe/unsubscribe REQUEST. */
export type ControlAction = "forward" | "answer" | "overloaded";

interface Pending {
  reply: string;
  caller: string;
  key: string;
  subscribe: boolean;
}

export class NatsEventSubscriptions {
  private callers = new Map<string, Set<string>>(); // "cell/event" → callers
  private pending = new Map<string, Pending[]>(); // "cell/method/request" → requests forwarded, oldest first

  constructor(private readonly limit: number) {}

  /** Decides about a subscribe (or unsubscribe) REQUEST from `caller`, answered at `reply`. */
  request(
    subscribe: boolean,
    cellId: number,
    methodId: number,
    requestId: number,
    eventId: number,
    caller: string,
    reply: string
  ): ControlAction {
    const key = cellId + "/" + eventId;
    const set = this.callers.get(key);
    if (subscribe) {
      if (set && set.size > 0) {
        if (set.has(caller)) return "answer";
        if (set.size >= this.limit) return "overloaded";
        set.add(caller);
        return "answer";
      }
    } else if (set && set.size > 0) {
      set.delete(caller);
      if (set.size > 0) return "answer";
      this.callers.delete(key); // the last one: the endpoint stops sending it
    }
    const id = cellId + "/" + methodId + "/" + requestId;
    const list = this.pending.get(id);
    const entry = { reply, caller, key, subscribe };
    if (list) list.push(entry);
    else this.pending.set(id, [entry]);
    return "forward";
  }

  /** The endpoint answered a forwarded request: returns where to publish the answer (null: none waits). */
  answered(cellId: number, methodId: number, requestId: number, ok: boolean): string | null {
    const id = cellId + "/" + methodId + "/" + requestId;
    const list = this.pending.get(id);
    if (!list) return null;
    const entry = list.shift()!;
    if (list.length === 0) this.pending.delete(id);
    if (ok && entry.subscribe) {
      const set = this.callers.get(entry.key);
      if (set) set.add(entry.caller);
      else this.callers.set(entry.key, new Set([entry.caller]));
    }
    return entry.reply;
  }

  /** Forgets a cell's subscriptions (it is no longer served here). */
  dropCell(cellId: number): void {
    const prefix = cellId + "/";
    for (const key of this.callers.keys()) if (key.startsWith(prefix)) this.callers.delete(key);
    for (const key of this.pending.keys()) if (key.startsWith(prefix)) this.pending.delete(key);
  }
}
