// The client side of a link: calls in flight, keyed by request id, with their timeouts.
import type { Peer } from "../transport";
import type { Codec } from "../codec";
import type { Type } from "../schema";
import type { Endpoint } from "./endpoint";
import { Kind, CodecId, Flag, writeU32 } from "../header";
import { writeDeadline } from "./deadline";
import { CellError, ErrorCode } from "../errors";
import { errorFromPayload } from "./error-payload";

export type CallCallback = (err: CellError | null, res?: unknown) => void;

/** What a call needs: a user method (codec + types) or a built-in (RAW body, `readRaw` for the answer). */
export interface CallSpec {
  cellId: number;
  methodId: number;
  /** For messages, e.g. "thermo.read". */
  what: string;
  codec: Codec | null;
  reqType?: Type;
  req?: unknown;
  resType?: Type;
  /** A built-in's u32 body (subscribe/unsubscribe: the event id). */
  rawU32?: number;
  /** Reads a built-in's RAW answer; throws CellError(BadPayload) when it is malformed. */
  readRaw?: (payload: Uint8Array) => unknown;
  timeoutMs: number;
  /** Send timeoutMs with the request (flag RequestDeadline, rpc.md §2.1): only to a bridge or a core endpoint. */
  deadline?: boolean;
  to?: Peer;
  owner?: unknown;
}

/** What `call` returns: cancelling sends a CANCEL and fails the call with Cancelled. */
export interface CallHandle {
  cancel(): void;
}

export class Call implements CallHandle {
  id = 0;
  timer: unknown = null;
  live = false;
  constructor(
    readonly table: CallTable,
    readonly spec: CallSpec,
    readonly cb: CallCallback
  ) {}
  cancel(): void {
    this.table.end(this, new CellError(ErrorCode.Cancelled, this.spec.what + " was cancelled"), true);
  }
}

export class CallTable {
  /** The next request id to try: u32, never 0, skipping ids still in flight. */
  nextId = 1;
  count = 0;
  private live: { [requestId: string]: Call } = {};
  private ep: Endpoint;

  constructor(ep: Endpoint) {
    this.ep = ep;
  }

  start(spec: CallSpec, cb: CallCallback): CallHandle {
    var ep = this.ep;
    var call = new Call(this, spec, cb);
    if (ep.closed) return this.failSoon(call, ErrorCode.LinkClosed, "the link is closed");
    if (this.count >= ep.maxInFlight)
      return this.failSoon(call, ErrorCode.Overloaded, "already " + this.count + " calls in flight on this link");
    var frame: Uint8Array;
    var codecId = spec.codec ? spec.codec.id : CodecId.Raw;
    call.id = this.allocate();
    try {
      var w = ep.out.begin();
      var flags = spec.deadline && spec.timeoutMs > 0 ? Flag.RequestDeadline : 0;
      if (flags) writeDeadline(w, Math.min(Math.ceil(spec.timeoutMs), 0xffffffff));
      if (spec.codec) spec.codec.encode(spec.reqType!, spec.req, w);
      else if (spec.rawU32 !== undefined) {
        w.ensure(4);
        writeU32(w.buf, w.pos, spec.rawU32);
        w.pos += 4;
      }
      frame = ep.out.seal(Kind.Request, codecId, spec.cellId, spec.methodId, call.id, flags);
    } catch (e) {
      var err = e as CellError;
      return this.failSoon(call, typeof err.code === "number" ? err.code : ErrorCode.BadPayload, spec.what + ": " + err.message);
    }
    // In the table before sending: a synchronous link may answer during send.
    this.live[call.id] = call;
    call.live = true;
    this.count++;
    if (spec.timeoutMs > 0) {
      var self = this;
      call.timer = ep.clock.setTimer(function () {
        self.end(call, new CellError(ErrorCode.TimedOut, spec.what + ": no answer within " + spec.timeoutMs + " ms"), true);
      }, spec.timeoutMs);
    }
    var refused = ep.sendOrError(frame, spec.to);
    if (refused && call.live) {
      this.finish(call);
      return this.failSoon(call, refused.code, spec.what + ": " + refused.message);
    }
    return call;
  }

  /** Handles a RESPONSE or ERROR; false when no call in flight matches it (the caller counts the drop). */
  answer(kind: number, codecId: number, cellId: number, methodId: number, requestId: number, payload: Uint8Array): boolean {
    var call = this.live[requestId];
    if (!call || call.spec.cellId !== cellId || call.spec.methodId !== methodId) return false;
    var spec = call.spec;
    if (kind === Kind.Error) {
      this.end(call, errorFromPayload(payload), false);
      return true;
    }
    var value: unknown;
    try {
      var expected = spec.codec ? spec.codec.id : CodecId.Raw;
      if (codecId !== expected) throw new CellError(ErrorCode.BadPayload, "answered in codec " + codecId + ", asked in " + expected);
      value = spec.codec ? spec.codec.decode(spec.resType!, payload) : spec.readRaw ? spec.readRaw(payload) : undefined;
    } catch (e) {
      this.end(call, new CellError(ErrorCode.BadPayload, spec.what + ": bad response: " + (e as Error).message), false);
      return true;
    }
    this.finish(call);
    this.ep.safely(call.cb, null, value);
    return true;
  }

  /** Ends a live call with `err`; `sendCancel` tells the server to drop its answer. */
  end(call: Call, err: CellError, sendCancel: boolean): void {
    if (!call.live) return;
    this.finish(call);
    if (sendCancel) {
      var ep = this.ep;
      var spec = call.spec;
      ep.out.begin();
      ep.trySend(ep.out.seal(Kind.Cancel, CodecId.Raw, spec.cellId, spec.methodId, call.id), spec.to);
    }
    this.ep.safely(call.cb, err);
  }

  /** Fails every call in flight (the link closed), or only those of one owner (a client closed). */
  failAll(code: number, message: string, owner?: unknown): void {
    for (var id in this.live) {
      var call = this.live[id];
      if (owner === undefined || call.spec.owner === owner)
        this.end(call, new CellError(code, call.spec.what + ": " + message), code === ErrorCode.Cancelled);
    }
  }

  private finish(call: Call): void {
    call.live = false;
    delete this.live[call.id];
    this.count--;
    if (call.timer !== null) this.ep.clock.clearTimer(call.timer);
  }

  private failSoon(call: Call, code: number, message: string): CallHandle {
    var cb = call.cb;
    var err = new CellError(code, message);
    var ep = this.ep;
    ep.later(function () {
      ep.safely(cb, err);
    });
    return call;
  }

  private allocate(): number {
    for (;;) {
      var id = this.nextId;
      this.nextId = id >= 0xffffffff ? 1 : id + 1;
      if (!this.live[id]) return id;
    }
  }
}
