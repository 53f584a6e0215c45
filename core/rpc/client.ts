// connect(): a callback client for one cell on one link. Device-safe: no Promise anywhere.
import type { Transport, Peer } from "../transport";
import type { Codec } from "../codec";
import type { CellDef, Members, MethodNames, EventNames, ReqOf, ResOf, EventOf, MethodDef, EventDef } from "../schema";
import { MethodId } from "../header";
import { CellError, ErrorCode } from "../errors";
import { endpoint, Endpoint } from "./endpoint";
import { EndpointOptions, DEFAULT_TIMEOUT_MS } from "./options";
import { CallHandle, CallCallback } from "./calls";
import { EventListener, SubscribeDone } from "./listeners";
import { readText } from "./builtins";
import { memberNamed } from "./members";

export interface CallOptions {
  /** Fails the call with TimedOut (and sends a CANCEL) after this long; 0: never. */
  timeoutMs?: number;
  /** A codec id (CodecId) or a codec; default: the client's. */
  codec?: number | Codec;
}

export interface ConnectOptions extends EndpointOptions {
  /** Default codec of calls: COMPACT when the endpoint has it, else its first codec. */
  codec?: number | Codec;
  /** Default timeout of calls, in ms (default 5000; 0: never). */
  timeoutMs?: number;
  /** On a link with many peers: the one to call (absent: the link's default peer). */
  peer?: Peer;
  /**
   * Send each call's timeout with its request (flag RequestDeadline, spec/rpc.md §2.1), so that a bridge
   * waits as long as the caller does. Only towards a bridge or a core endpoint: a device does not read it.
   */
  sendDeadline?: boolean;
}

export type Callback<V> = (err: CellError | null, value?: V) => void;

export interface Client<M extends Members = Members> {
  readonly cell: CellDef<M>;
  readonly link: Transport;
  call<K extends MethodNames<M>>(name: K, req: ReqOf<M[K]>, cb: Callback<ResOf<M[K]>>, opts?: CallOptions): CallHandle;
  /** Listens to an event; the first listener subscribes, and `done` reports the server's answer. */
  on<E extends EventNames<M>>(name: E, listener: (value: EventOf<M[E]>, from?: Peer) => void, done?: SubscribeDone): void;
  /** Removes a listener; the last one unsubscribes. */
  off<E extends EventNames<M>>(name: E, listener: (value: EventOf<M[E]>, from?: Peer) => void): void;
  /** Asks the server for the cell's canonical schema text. */
  describe(cb: Callback<string>, opts?: { timeoutMs?: number }): CallHandle;
  /** Removes this client's listeners and fails its calls in flight with Cancelled. The link stays open. */
  close(): void;
}

class CellClient<M extends Members> {
  private closed = false;
  private listening: { name: string; listener: EventListener }[] = [];
  private timeoutMs: number;

  constructor(
    readonly cell: CellDef<M>,
    readonly link: Transport,
    readonly ep: Endpoint,
    private opts: ConnectOptions
  ) {
    this.timeoutMs = opts.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : opts.timeoutMs;
  }

  private codec(choice: number | Codec | undefined): Codec | null {
    var c = choice === undefined ? this.opts.codec : choice;
    if (c === undefined) return this.ep.defaultCodec();
    if (typeof c === "number") return this.ep.codecFor(c);
    this.ep.addCodecs([c]);
    return c;
  }

  private fail(cb: CallCallback, code: number, message: string): CallHandle {
    var ep = this.ep;
    ep.later(function () {
      ep.safely(cb, new CellError(code, message));
    });
    return { cancel: function () {} };
  }

  call(name: string, req: unknown, cb: CallCallback, opts?: CallOptions): CallHandle {
    var what = this.cell.name + "." + name;
    var info = memberNamed(this.cell, name, "method");
    if (this.closed) return this.fail(cb, ErrorCode.Cancelled, what + ": the client is closed");
    if (!info) return this.fail(cb, ErrorCode.UnknownMethod, this.cell.name + " has no method " + name);
    var codec = this.codec(opts && opts.codec);
    if (!codec) {
      var asked = opts && opts.codec !== undefined ? opts.codec : this.opts.codec;
      var why = asked === undefined ? "this link has no codecs (pass opts.codecs)" : "codec " + asked + " is not configured on this link";
      return this.fail(cb, ErrorCode.UnsupportedCodec, what + ": " + why);
    }
    var def = info.def as MethodDef;
    var timeoutMs = opts && opts.timeoutMs !== undefined ? opts.timeoutMs : this.timeoutMs;
    var spec = {
      cellId: this.cell.id,
      methodId: info.id,
      what: what,
      codec: codec,
      reqType: def.req,
      req: req,
      resType: def.res,
      timeoutMs: timeoutMs,
      deadline: this.opts.sendDeadline,
      to: this.opts.peer,
      owner: this
    };
    return this.ep.calls.start(spec, cb);
  }

  describe(cb: CallCallback, opts?: { timeoutMs?: number }): CallHandle {
    var what = this.cell.name + ".describe";
    if (this.closed) return this.fail(cb, ErrorCode.Cancelled, what + ": the client is closed");
    var timeoutMs = opts && opts.timeoutMs !== undefined ? opts.timeoutMs : this.timeoutMs;
    var spec = {
      cellId: this.cell.id,
      methodId: MethodId.Describe,
      what: what,
      codec: null,
      readRaw: readText,
      timeoutMs: timeoutMs,
      to: this.opts.peer,
      owner: this
    };
    return this.ep.calls.start(spec, cb);
  }

  private event(name: string): { id: number; def: EventDef } {
    var info = memberNamed(this.cell, name, "event");
    if (!info) throw new Error(this.cell.name + " has no event " + name);
    return { id: info.id, def: info.def as EventDef };
  }

  on(name: string, listener: EventListener, done?: SubscribeDone): void {
    var e = this.event(name);
    if (this.closed) throw new Error(this.cell.name + ": the client is closed");
    for (var i = 0; i < this.listening.length; i++) {
      if (this.listening[i].name === name && this.listening[i].listener === listener) {
        if (!this.ep.events.has(this.opts.peer, this.cell.id, e.id, listener)) {
          this.listening.splice(i, 1); // its subscription failed: subscribe again below
          break;
        }
        // Already listening: a listener is called once per event however often it was added.
        if (done) this.ep.events.whenSubscribed(this.opts.peer, this.cell.id, e.id, done);
        return;
      }
    }
    this.listening.push({ name: name, listener: listener });
    var ref = {
      cellId: this.cell.id,
      eventId: e.id,
      type: e.def.type,
      what: this.cell.name + "." + name,
      to: this.opts.peer,
      timeoutMs: this.timeoutMs
    };
    this.ep.events.add(ref, listener, done);
  }

  off(name: string, listener: EventListener): void {
    var e = this.event(name);
    for (var i = 0; i < this.listening.length; i++) {
      if (this.listening[i].name === name && this.listening[i].listener === listener) {
        this.listening.splice(i, 1);
        this.ep.events.remove(this.opts.peer, this.cell.id, e.id, this.cell.name + "." + name, listener, this.timeoutMs);
        return;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    var list = this.listening.slice();
    for (var i = 0; i < list.length; i++) this.off(list[i].name, list[i].listener);
    this.closed = true;
    this.ep.calls.failAll(ErrorCode.Cancelled, "the client was closed", this);
  }
}

/** A client of `cell` over `link`. Values are checked and encoded with the chosen codec. */
export function connect<M extends Members>(cell: CellDef<M>, link: Transport, opts?: ConnectOptions): Client<M> {
  var o = opts || {};
  var ep = endpoint(link, o);
  return new CellClient<M>(cell, link, ep, o) as unknown as Client<M>;
}
