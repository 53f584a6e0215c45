// One endpoint per link: the link's single frame receiver. It dispatches each frame by kind to the
// cells served here, the calls in flight from here, the event listeners and the announce listeners.
import type { Transport, Peer } from "../transport";
import type { Codec } from "../codec";
import { HEADER_SIZE, Kind, CodecId, Flag, Header, newHeader, decodeHeader } from "../header";
import { DropReason, countDrop } from "../drops";
import { CellError, ErrorCode } from "../errors";
import { Outbox } from "./outbox";
import { writeErrorPayload, MAX_ERROR_MESSAGE } from "./error-payload";
import { Subscribers, peerKey } from "./subscribers";
import { CallTable } from "./calls";
import { EventListeners } from "./listeners";
import { decodeAnnounce, Announcement } from "./announce-payload";
import { readDeadline } from "./deadline";
import { EndpointOptions, Clock, clockFrom, DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_SUBSCRIBERS } from "./options";

/** What serve() registers for a cell: the endpoint hands it the requests addressed to that cell. */
export interface CellServer {
  request(codec: number, methodId: number, requestId: number, payload: Uint8Array, from: Peer | undefined): void;
  /** The link closed: drop everything (requests in flight are cancelled by the endpoint). */
  linkClosed(): void;
}

/** A request being handled: kept so that a CANCEL, a duplicate id or the link's close reaches it. */
export interface InFlightRequest {
  cancel(): void;
}

export type AnnounceListener = (a: Announcement, from: Peer | undefined, link: Transport) => void;

export class Endpoint {
  readonly link: Transport;
  readonly clock: Clock;
  readonly maxPayload: number;
  readonly maxInFlight: number;
  readonly out: Outbox;
  readonly subscribers: Subscribers;
  readonly calls: CallTable;
  readonly events: EventListeners;
  closed = false;
  readonly codecs: Codec[] = [];
  /** Requests being handled on this link now (deferred or awaiting a thenable). */
  servedCount = 0;
  private codecById: { [id: string]: Codec } = {};
  private cells: { [cellId: string]: CellServer } = {};
  private served: { [peerAndRequest: string]: InFlightRequest } = {};
  private announceListeners: AnnounceListener[] = [];
  /** Told when a peer asks who is there (an empty ANNOUNCE, rpc.md §8.1): announce() answers. */
  private queryListeners: ((from: Peer | undefined) => void)[] = [];
  private closeListeners: (() => void)[] = [];
  private hdr: Header = newHeader();

  constructor(link: Transport, opts?: EndpointOptions) {
    var o = opts || {};
    var self = this;
    this.link = link;
    this.clock = clockFrom(o);
    this.maxPayload = Math.min(o.maxPayload || DEFAULT_MAX_PAYLOAD, link.maxFrame - HEADER_SIZE);
    this.maxInFlight = o.maxInFlight || DEFAULT_MAX_IN_FLIGHT;
    this.out = new Outbox(this.maxPayload);
    this.subscribers = new Subscribers(o.maxSubscribers || DEFAULT_MAX_SUBSCRIBERS);
    this.calls = new CallTable(this);
    this.events = new EventListeners(this);
    if (o.codecs) this.addCodecs(o.codecs);
    link.onFrame(function (frame, from) {
      self.receive(frame, from);
    });
    link.onClose(function () {
      self.linkClosed();
    });
  }

  /** Adds codecs this end understands (ones it already has are kept). */
  addCodecs(list: Codec[]): void {
    for (var i = 0; i < list.length; i++) {
      var c = list[i];
      if (!this.codecById[c.id]) {
        this.codecById[c.id] = c;
        this.codecs.push(c);
      }
    }
  }

  codecFor(id: number): Codec | null {
    return this.codecById[id] || null;
  }

  /** COMPACT when this end has it, else the first codec configured; null with none. */
  defaultCodec(): Codec | null {
    return this.codecById[CodecId.Compact] || this.codecs[0] || null;
  }

  registerCell(cellId: number, server: CellServer): void {
    if (this.cells[cellId]) throw new Error("cell " + cellId + " is already served on this link");
    this.cells[cellId] = server;
  }

  unregisterCell(cellId: number): void {
    delete this.cells[cellId];
    this.subscribers.dropCell(cellId);
  }

  /** Tracks a request being handled. A second one with the same id from the same peer replaces it. */
  beginServed(requestId: number, from: Peer | undefined, req: InFlightRequest): string {
    var key = peerKey(from) + "#" + requestId;
    var old = this.served[key];
    if (old) old.cancel(); // the client gave up on the old one (ids are never reused while live)
    this.served[key] = req;
    this.servedCount++;
    return key;
  }

  endServed(key: string, req: InFlightRequest): void {
    if (this.served[key] !== req) return;
    delete this.served[key];
    this.servedCount--;
  }

  onAnnounce(listener: AnnounceListener): () => void {
    var list = this.announceListeners;
    list.push(listener);
    return function () {
      var i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Calls `listener` when a peer sends a query (an ANNOUNCE with an empty payload); returns a function that stops it. */
  onAnnounceQuery(listener: (from: Peer | undefined) => void): () => void {
    var list = this.queryListeners;
    list.push(listener);
    return function () {
      var i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Called once when the link closes (the link's own onClose belongs to the endpoint). */
  onClose(listener: () => void): void {
    if (this.closed) this.later(listener);
    else this.closeListeners.push(listener);
  }

  /** Runs `fn` on a later turn: callbacks are never called from inside the call that caused them. */
  later(fn: () => void): void {
    this.clock.setTimer(fn, 0);
  }

  /** Calls user code; an exception it throws is re-thrown on a later turn so the endpoint's state stays whole. */
  safely(fn: Function, a?: unknown, b?: unknown): void {
    try {
      fn(a, b);
    } catch (e) {
      this.clock.setTimer(function () {
        throw e;
      }, 0);
    }
  }

  /** Sends a frame; false when the link refused it (closed), which only the caller can judge. */
  trySend(frame: Uint8Array, to: Peer | undefined): boolean {
    return this.sendOrError(frame, to) === null;
  }

  /** Sends a frame; returns why the link refused it, or null when it took it. */
  sendOrError(frame: Uint8Array, to: Peer | undefined): CellError | null {
    if (this.closed) return new CellError(ErrorCode.LinkClosed, "the link is closed");
    try {
      this.link.send(frame, to);
      return null;
    } catch (e) {
      var x = e as CellError;
      return x && x.name === "CellError" ? x : new CellError(ErrorCode.LinkClosed, "the link refused the frame: " + (x && x.message), e);
    }
  }

  sendError(code: number, message: string, cellId: number, methodId: number, requestId: number, to: Peer | undefined): void {
    if (this.closed) return;
    var w = this.out.begin();
    writeErrorPayload(w, code, message, Math.min(MAX_ERROR_MESSAGE, this.maxPayload - 1));
    this.trySend(this.out.seal(Kind.Error, CodecId.Raw, cellId, methodId, requestId), to);
  }

  receive(frame: Uint8Array, from: Peer | undefined): void {
    var h = this.hdr;
    var why = decodeHeader(frame, 0, frame.length, h);
    if (why !== null) {
      countDrop(this.link.stats, why);
      return;
    }
    // Copied out first: handlers may cause frames to arrive (and this header to be reused) re-entrantly.
    var kind = h.kind;
    var codec = h.codec;
    var cellId = h.cellId;
    var methodId = h.methodId;
    var requestId = h.requestId;
    var payload = frame.subarray(HEADER_SIZE);
    if (this.closed) return;
    if (kind === Kind.Request) {
      var server = this.cells[cellId];
      if (h.flags & Flag.RequestDeadline) {
        // A caller's deadline (rpc.md §2.1): this endpoint answers as soon as it can, so it only skips it.
        var d = readDeadline(payload);
        if (!d) return this.sendError(ErrorCode.BadPayload, "malformed deadline", cellId, methodId, requestId, from);
        payload = payload.subarray(d[1]);
      }
      if (!server) this.sendError(ErrorCode.UnknownCell, "no cell with id " + cellId + " here", cellId, methodId, requestId, from);
      else if (payload.length > this.maxPayload)
        this.sendError(ErrorCode.TooLarge, "request larger than " + this.maxPayload + " bytes", cellId, methodId, requestId, from);
      else server.request(codec, methodId, requestId, payload, from);
    } else if (kind === Kind.Cancel) {
      var req = this.served[peerKey(from) + "#" + requestId];
      if (req) req.cancel();
      else countDrop(this.link.stats, DropReason.UnknownRequest);
    } else if (kind === Kind.Response || kind === Kind.Error) {
      if (!this.calls.answer(kind, codec, cellId, methodId, requestId, payload)) countDrop(this.link.stats, DropReason.UnknownRequest);
    } else if (kind === Kind.Event) {
      this.events.dispatch(codec, cellId, methodId, payload, from);
    } else if (kind === Kind.Announce) {
      this.announced(h.flags, codec, cellId, methodId, requestId, payload, from);
    }
  }

  private announced(
    flags: number,
    codec: number,
    cellId: number,
    methodId: number,
    requestId: number,
    payload: Uint8Array,
    from: Peer | undefined
  ): void {
    var plain = codec === CodecId.Raw && cellId === 0 && methodId === 0 && requestId === 0;
    if (plain && payload.length === 0) {
      var asked = this.queryListeners.slice();
      for (var j = 0; j < asked.length; j++) this.safely(asked[j], from);
      return;
    }
    var a = plain ? decodeAnnounce(payload, (flags & Flag.AnnounceMaxFrame) !== 0) : null;
    if (!a) {
      countDrop(this.link.stats, DropReason.BadAnnounce);
      return;
    }
    var list = this.announceListeners.slice();
    for (var i = 0; i < list.length; i++) this.safelyAnnounce(list[i], a, from);
  }

  private safelyAnnounce(listener: AnnounceListener, a: Announcement, from: Peer | undefined): void {
    var link = this.link;
    this.safely(function () {
      listener(a, from, link);
    });
  }

  private linkClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (var key in this.served) this.served[key].cancel();
    for (var id in this.cells) this.cells[id].linkClosed();
    this.calls.failAll(ErrorCode.LinkClosed, "the link closed");
    var list = this.closeListeners;
    this.closeListeners = [];
    for (var i = 0; i < list.length; i++) this.safely(list[i]);
  }
}

/** The endpoint of `link`, created on first use. Options other than `codecs` apply only at creation. */
export function endpoint(link: Transport, opts?: EndpointOptions): Endpoint {
  var holder = link as unknown as { _cellEndpoint?: Endpoint };
  var ep = holder._cellEndpoint;
  if (ep) {
    if (opts && opts.codecs) ep.addCodecs(opts.codecs);
    return ep;
  }
  ep = new Endpoint(link, opts);
  try {
    // Not enumerable: the link object stays clean when printed or compared.
    Object.defineProperty(link, "_cellEndpoint", { value: ep, enumerable: false, configurable: true, writable: true });
  } catch (e) {
    holder._cellEndpoint = ep;
  }
  return ep;
}
