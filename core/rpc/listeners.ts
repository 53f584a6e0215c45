// The client side of events: listeners by event, and the subscribe/unsubscribe requests that keep
// the server sending. One subscription per (peer, cell, event) on a link, shared by every client on it.
import type { Peer } from "../transport";
import type { Type } from "../schema";
import type { Endpoint } from "./endpoint";
import { MethodId } from "../header";
import { countDrop } from "../drops";
import { CellError, ErrorCode } from "../errors";
import { peerKey } from "./subscribers";
import { readEmpty } from "./builtins";

export type EventListener = (value: any, from?: Peer) => void;
export type SubscribeDone = (err: CellError | null) => void;

/** Counted in LinkStats.drops when an EVENT cannot be decoded (unknown codec or bad payload). */
export var BAD_EVENT = "BadEvent";

interface Subscription {
  cellId: number;
  eventId: number;
  type: Type;
  what: string;
  to: Peer | undefined;
  listeners: EventListener[];
  /** Set once the server answered the subscribe request. */
  settled: boolean;
  /** Callbacks waiting for that answer. */
  waiting: SubscribeDone[];
}

export interface EventRef {
  cellId: number;
  eventId: number;
  type: Type;
  /** For messages, e.g. "thermo.alarm". */
  what: string;
  to: Peer | undefined;
  timeoutMs: number;
}

function keyOf(to: Peer | undefined, cellId: number, eventId: number): string {
  return peerKey(to) + "|" + cellId + "/" + eventId;
}

export class EventListeners {
  private subs: { [key: string]: Subscription } = {};
  private ep: Endpoint;

  constructor(ep: Endpoint) {
    this.ep = ep;
  }

  /**
   * Adds a listener (each client adds its own, so the same function from two clients is two entries);
   * the first one for an event sends the subscribe request. `done` gets the server's answer.
   */
  add(ref: EventRef, listener: EventListener, done?: SubscribeDone): void {
    var ep = this.ep;
    var key = keyOf(ref.to, ref.cellId, ref.eventId);
    var s = this.subs[key];
    if (s) {
      s.listeners.push(listener);
      if (done) this.whenSubscribed(ref.to, ref.cellId, ref.eventId, done);
      return;
    }
    var sub: Subscription = {
      cellId: ref.cellId,
      eventId: ref.eventId,
      type: ref.type,
      what: ref.what,
      to: ref.to,
      listeners: [listener],
      settled: false,
      waiting: done ? [done] : []
    };
    this.subs[key] = sub;
    var subs = this.subs;
    var spec = {
      cellId: ref.cellId,
      methodId: MethodId.Subscribe,
      what: "subscribe " + ref.what,
      codec: null,
      rawU32: ref.eventId,
      readRaw: readEmpty,
      timeoutMs: ref.timeoutMs,
      to: ref.to
    };
    ep.calls.start(spec, function (err) {
      // A failed subscription is forgotten with its listeners, so that a later `on` tries again.
      if (err && subs[key] === sub) delete subs[key];
      sub.settled = true;
      var waiting = sub.waiting;
      sub.waiting = [];
      for (var i = 0; i < waiting.length; i++) ep.safely(waiting[i], err);
    });
  }

  /** Whether `listener` is registered for an event (false after a failed subscription dropped it). */
  has(to: Peer | undefined, cellId: number, eventId: number, listener: EventListener): boolean {
    var s = this.subs[keyOf(to, cellId, eventId)];
    return !!s && s.listeners.indexOf(listener) >= 0;
  }

  /** Calls `done` once the subscription to an event is answered (at once, later, if it already is). */
  whenSubscribed(to: Peer | undefined, cellId: number, eventId: number, done: SubscribeDone): void {
    var ep = this.ep;
    var s = this.subs[keyOf(to, cellId, eventId)];
    if (s && !s.settled) s.waiting.push(done);
    else
      ep.later(function () {
        ep.safely(done, s ? null : new CellError(ErrorCode.Cancelled, "not subscribed"));
      });
  }

  /** Removes a listener; the last one for an event sends the unsubscribe request. */
  remove(to: Peer | undefined, cellId: number, eventId: number, what: string, listener: EventListener, timeoutMs: number): void {
    var key = keyOf(to, cellId, eventId);
    var s = this.subs[key];
    if (!s) return;
    var i = s.listeners.indexOf(listener);
    if (i < 0) return;
    s.listeners.splice(i, 1);
    if (s.listeners.length > 0) return;
    delete this.subs[key];
    if (this.ep.closed) return;
    var spec = {
      cellId: cellId,
      methodId: MethodId.Unsubscribe,
      what: "unsubscribe " + what,
      codec: null,
      rawU32: eventId,
      readRaw: readEmpty,
      timeoutMs: timeoutMs,
      to: to
    };
    this.ep.calls.start(spec, function () {
      // Nothing to do either way: with no listener left, stray events are ignored.
    });
  }

  /** Delivers an EVENT to the listeners of its sender's subscription and of any "all peers" one. */
  dispatch(codecId: number, cellId: number, eventId: number, payload: Uint8Array, from: Peer | undefined): void {
    this.deliver(this.subs[keyOf(from, cellId, eventId)], codecId, payload, from);
    if (from) this.deliver(this.subs[keyOf(undefined, cellId, eventId)], codecId, payload, from);
  }

  private deliver(s: Subscription | undefined, codecId: number, payload: Uint8Array, from: Peer | undefined): void {
    if (!s) return; // not (or no longer) subscribed: a normal race after unsubscribing
    var ep = this.ep;
    var codec = ep.codecFor(codecId);
    var value: unknown;
    try {
      if (!codec) throw new Error("unsupported codec");
      value = codec.decode(s.type, payload);
    } catch (e) {
      countDrop(ep.link.stats, BAD_EVENT);
      return;
    }
    var list = s.listeners.slice();
    for (var i = 0; i < list.length; i++) ep.safely(list[i], value, from);
  }
}
