// serve(): answers a cell's methods on a link and emits its events to subscribed peers.
import type { Transport, Peer } from "../transport";
import type { CellDef, Members, MethodNames, EventNames, ReqOf, ResOf, EventOf, MethodDef, EventDef } from "../schema";
import { Kind, RESERVED_METHOD_IDS } from "../header";
import { CellError, ErrorCode } from "../errors";
import { endpoint, Endpoint, CellServer } from "./endpoint";
import { EndpointOptions } from "./options";
import { errorToFields } from "./error-payload";
import { serveBuiltin, hex } from "./builtins";
import { memberNamed } from "./members";
import { CallContext, ServedCall } from "./context";

/**
 * One handler per method. Answer by returning the response, by returning a thenable (hosts), or by
 * calling `ctx.defer()` and later `done(err, res)` (devices). A thrown error becomes an ERROR frame:
 * HandlerFailed with its message, or its own code when it is a CellError.
 */
export type Handlers<M extends Members> = {
  [K in MethodNames<M>]: (req: ReqOf<M[K]>, ctx: CallContext<ResOf<M[K]>>) => ResOf<M[K]> | PromiseLike<ResOf<M[K]>> | void;
};

export interface Server<M extends Members = Members> {
  readonly cell: CellDef<M>;
  readonly link: Transport;
  /** Sends an event to every peer subscribed to it; returns how many it was sent to (0: none subscribed). */
  emit<E extends EventNames<M>>(name: E, value: EventOf<M[E]>): number;
  /** Stops serving: later requests get UnknownCell, requests being handled get Unreachable. */
  close(): void;
}

export type ServeOptions = EndpointOptions;

/** What was thrown or rejected, never falsy: `throw undefined` must not read as success. */
function thrown(e: unknown): unknown {
  return e ? e : new Error("handler failed with " + String(e));
}

interface Thenable {
  then(ok: (v: unknown) => void, fail: (e: unknown) => void): unknown;
}

class CellService<M extends Members> implements CellServer, Server<M> {
  private closed = false;
  private inFlight: ServedCall[] = [];
  private respondBound: (call: ServedCall, err: unknown, res: unknown, cancelled: boolean) => void;

  constructor(
    readonly cell: CellDef<M>,
    readonly handlers: { [name: string]: Function },
    readonly link: Transport,
    readonly ep: Endpoint
  ) {
    var self = this;
    this.respondBound = function (call, err, res, cancelled) {
      self.respond(call, err, res, cancelled);
    };
  }

  request(codecId: number, methodId: number, requestId: number, payload: Uint8Array, from: Peer | undefined): void {
    var ep = this.ep;
    var cell = this.cell;
    if (methodId < RESERVED_METHOD_IDS) return serveBuiltin(ep, cell, codecId, methodId, requestId, payload, from);
    var info = cell.byId[methodId];
    if (!info || info.def.kind !== "method") {
      ep.sendError(ErrorCode.UnknownMethod, cell.name + " has no method " + hex(methodId), cell.id, methodId, requestId, from);
      return;
    }
    var codec = ep.codecFor(codecId);
    if (!codec) {
      ep.sendError(ErrorCode.UnsupportedCodec, "codec " + codecId + " is not supported here", cell.id, methodId, requestId, from);
      return;
    }
    if (ep.servedCount >= ep.maxInFlight) {
      ep.sendError(ErrorCode.Overloaded, "already handling " + ep.servedCount + " requests", cell.id, methodId, requestId, from);
      return;
    }
    var req: unknown;
    try {
      req = codec.decode((info.def as MethodDef).req, payload);
    } catch (e) {
      // RAW refuses types it cannot carry with UnsupportedCodec; anything else wrong is the payload's fault.
      var code = (e as CellError).code === ErrorCode.UnsupportedCodec ? ErrorCode.UnsupportedCodec : ErrorCode.BadPayload;
      ep.sendError(code, cell.name + "." + info.name + ": " + (e as Error).message, cell.id, methodId, requestId, from);
      return;
    }
    var call = new ServedCall(ep, this.respondBound, codec, info, requestId, from, info.name);
    call.key = ep.beginServed(requestId, from, call);
    this.inFlight.push(call);
    var ret: unknown;
    try {
      ret = this.handlers[info.name].call(this.handlers, req, call);
    } catch (e) {
      call.answer(thrown(e), undefined);
      return;
    }
    if (call.deferred) return;
    if ((ret !== null && typeof ret === "object") || typeof ret === "function") {
      var then = (ret as Thenable).then;
      if (typeof then === "function") {
        try {
          then.call(
            ret,
            function (v: unknown) {
              call.answer(null, v);
            },
            function (e: unknown) {
              call.answer(thrown(e), undefined);
            }
          );
        } catch (e) {
          call.answer(thrown(e), undefined);
        }
        return;
      }
    }
    call.answer(null, ret);
  }

  private respond(call: ServedCall, err: unknown, res: unknown, cancelled: boolean): void {
    var i = this.inFlight.indexOf(call);
    if (i >= 0) this.inFlight.splice(i, 1);
    var ep = this.ep;
    var info = call.info;
    if (cancelled || ep.closed) return;
    if (err) {
      var f = errorToFields(err);
      ep.sendError(f.code, f.message, this.cell.id, info.id, call.requestId, call.peer);
      return;
    }
    var frame: Uint8Array;
    try {
      call.codec.encode((info.def as MethodDef).res, res, ep.out.begin());
      frame = ep.out.seal(Kind.Response, call.codec.id, this.cell.id, info.id, call.requestId);
    } catch (e) {
      var tooLarge = (e as CellError).code === ErrorCode.TooLarge;
      var message = tooLarge ? "response larger than " + ep.maxPayload + " bytes" : "bad response from handler: " + (e as Error).message;
      ep.sendError(
        tooLarge ? ErrorCode.TooLarge : ErrorCode.HandlerFailed,
        this.cell.name + "." + info.name + ": " + message,
        this.cell.id,
        info.id,
        call.requestId,
        call.peer
      );
      return;
    }
    ep.trySend(frame, call.peer);
  }

  emit(name: string, value: unknown): number {
    var ep = this.ep;
    var info = memberNamed(this.cell, name, "event");
    if (!info) throw new Error(this.cell.name + " has no event " + name);
    if (this.closed || ep.closed) return 0;
    var subs = ep.subscribers.of(this.cell.id, info.id);
    if (!subs) return 0;
    var codec = ep.defaultCodec()!;
    codec.encode((info.def as EventDef).type, value, ep.out.begin());
    var frame = ep.out.seal(Kind.Event, codec.id, this.cell.id, info.id, 0);
    // With several peers, a synchronous link could re-use the out buffer between sends: send a copy.
    if (subs.count > 1) frame = new Uint8Array(frame);
    var sent = 0;
    for (var key in subs.peers) if (ep.trySend(frame, subs.peers[key] || undefined)) sent++;
    return sent;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ep.unregisterCell(this.cell.id);
    var list = this.inFlight;
    this.inFlight = [];
    for (var i = 0; i < list.length; i++) {
      var call = list[i];
      call.cancel();
      this.ep.sendError(
        ErrorCode.Unreachable,
        this.cell.name + " stopped being served",
        this.cell.id,
        call.info.id,
        call.requestId,
        call.peer
      );
    }
  }

  linkClosed(): void {
    this.closed = true;
    this.inFlight = [];
  }
}

/** Serves `cell` on `link` with `handlers`. The link's endpoint needs at least one codec (opts.codecs). */
export function serve<M extends Members>(cell: CellDef<M>, handlers: Handlers<M>, link: Transport, opts?: ServeOptions): Server<M> {
  var byName = handlers as unknown as { [name: string]: Function };
  var inherited = Object.prototype as unknown as { [name: string]: unknown };
  for (var name in cell.info) {
    // Handlers may live on a class's prototype, but not on Object's (a method named toString needs its own).
    var h = byName[name];
    if (cell.info[name].def.kind === "method" && (typeof h !== "function" || h === inherited[name]))
      throw new Error("serve " + cell.name + ": no handler for method " + name);
  }
  for (var key in byName) {
    // An own function that is not a method is most likely a misspelt handler.
    var own = Object.prototype.hasOwnProperty;
    if (own.call(byName, key) && typeof byName[key] === "function" && !(own.call(cell.info, key) && cell.info[key].def.kind === "method")) {
      throw new Error("serve " + cell.name + ": " + key + " is not a method of the cell");
    }
  }
  var ep = endpoint(link, opts);
  if (ep.codecs.length === 0) throw new Error("serve " + cell.name + ": the link's endpoint has no codecs (pass opts.codecs)");
  var service = new CellService<M>(cell, byName, link, ep);
  ep.registerCell(cell.id, service);
  return service as unknown as Server<M>;
}
