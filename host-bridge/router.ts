// The frame-level heart of the bridge: every frame from every link comes through `receive`. Requests go
// to the least loaded instance of their cell with a request id of the bridge's choosing on that link;
// answers go back to the client that asked, with the client's own id. Payloads are never decoded.
import { hexId } from "../core/hex";
import type { Peer } from "../core/transport";
import type { Clock } from "../core/rpc/options";
import { HEADER_SIZE, Kind, CodecId, MethodId, Flag, newHeader, decodeHeader, readU32, writeU32 } from "../core/header";
import { DropReason, countDrop } from "../core/drops";
import { CellError, ErrorCode, errorCodeName } from "../core/errors";
import { errorFromPayload } from "../core/rpc/error-payload";
import { readDeadline } from "../core/rpc/deadline";
import { Bridge } from "./bridge-cell";
import { FrameBuffers } from "./frames";
import { PendingTable } from "./pending";
import { RouteTable } from "./routes";
import { EventRelay, EventHost } from "./events";
import { Idempotence } from "./idempotence";
import { LinkState, Route, Pending, InternalDone, peerId } from "./state";

/** Errors after which an instance has not run the request (or is gone): an idempotent one is retried once elsewhere. */
const RETRY_ON: Record<number, true> = { [ErrorCode.UnknownCell]: true, [ErrorCode.Overloaded]: true, [ErrorCode.Unreachable]: true };

/** A copy of a REQUEST without its deadline (`n` bytes) and without the flag that announced it. */
function withoutDeadline(frame: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(frame.length - n);
  out.set(frame.subarray(0, HEADER_SIZE));
  out.set(frame.subarray(HEADER_SIZE + n), HEADER_SIZE);
  out[2] &= 15;
  writeU32(out, 16, out.length - HEADER_SIZE);
  return out;
}

export const hex = hexId;

function instanceText(r: Route): string {
  return `${r.name} instance ${hex(r.instanceId)} on ${r.via.name}${r.peer ? " (" + r.peer.id + ")" : ""}`;
}

export class Router implements EventHost {
  readonly routes = new RouteTable();
  readonly pending: PendingTable;
  readonly events: EventRelay;
  /** Set while the bridge stops: new requests are refused with Unreachable. */
  stopping = false;
  /** An instance answered: it is alive whether or not its ANNOUNCE came in time (set by the bridge). */
  onAlive: (route: Route) => void = () => {};
  private bufs = new FrameBuffers();
  private h = newHeader();

  constructor(
    private clock: Clock,
    timeoutMs: number,
    maxSubscribers: number,
    readonly idempotence: Idempotence,
    readonly log: (line: string) => void,
    /** An ANNOUNCE arrived on a link that learns: the bridge feeds its instance table. */
    private announced: (
      ls: LinkState,
      from: Peer | undefined,
      flags: number,
      codec: number,
      cellId: number,
      methodId: number,
      requestId: number,
      payload: Uint8Array
    ) => void
  ) {
    const self = this;
    this.pending = new PendingTable(clock, timeoutMs, function (p) {
      self.timedOut(p);
    });
    this.events = new EventRelay(this, maxSubscribers);
  }

  receive(ls: LinkState, frame: Uint8Array, from: Peer | undefined): void {
    const h = this.h;
    const why = decodeHeader(frame, 0, frame.length, h);
    if (why !== null) {
      countDrop(ls.link.stats, why);
      return;
    }
    if (ls.closed) return;
    // Copied out: handling one frame may make another arrive (a synchronous link) and reuse `h`.
    const kind = h.kind;
    const codec = h.codec;
    const cellId = h.cellId;
    const methodId = h.methodId;
    const requestId = h.requestId;
    if (kind === Kind.Request) {
      if (cellId === Bridge.id) ls.tap!.deliver(frame, from);
      else this.request(ls, from, h.flags, codec, cellId, methodId, requestId, frame);
    } else if (kind === Kind.Response || kind === Kind.Error) this.answer(ls, from, kind, cellId, methodId, requestId, frame);
    else if (kind === Kind.Cancel) {
      if (cellId === Bridge.id) ls.tap!.deliver(frame, from);
      else this.cancel(ls, from, cellId, methodId, requestId);
    } else if (kind === Kind.Event) this.events.relay(ls, from, cellId, methodId, frame);
    else if (frame.length === HEADER_SIZE && codec === CodecId.Raw && (cellId | methodId | requestId) === 0) this.asked(ls, from);
    else if (ls.learn) this.announced(ls, from, h.flags, codec, cellId, methodId, requestId, frame.subarray(HEADER_SIZE));
  }

  private request(
    ls: LinkState,
    from: Peer | undefined,
    flags: number,
    codec: number,
    cellId: number,
    methodId: number,
    requestId: number,
    frame: Uint8Array
  ): void {
    // The caller's deadline (rpc.md §2.1) replaces the bridge's timeout; the instance gets the request without it.
    let timeoutMs = 0;
    if (flags & Flag.RequestDeadline) {
      const d = readDeadline(frame.subarray(HEADER_SIZE));
      if (!d) {
        this.refuse(ls, from, ErrorCode.BadPayload, "malformed deadline", cellId, methodId, requestId);
        return;
      }
      timeoutMs = d[0];
      frame = withoutDeadline(frame, d[1]);
    }
    const size = frame.length - HEADER_SIZE;
    if (size > ls.maxPayload) {
      this.refuse(
        ls,
        from,
        ErrorCode.TooLarge,
        `request of ${size} bytes exceeds this link's ${ls.maxPayload}`,
        cellId,
        methodId,
        requestId
      );
      return;
    }
    // A client reuses an id only once it gave up on the request that had it.
    const old = this.pending.fromClient(ls, peerId(from), requestId);
    if (old) this.cancelUpstream(old);
    const builtinU32 = codec === CodecId.Raw && size === 4 ? readU32(frame, HEADER_SIZE) : -1;
    if (methodId === MethodId.Unsubscribe && builtinU32 >= 0 && this.events.unsubscribe(ls, from, cellId, builtinU32)) {
      const w = this.bufs.acquire();
      ls.trySend(this.bufs.raw(w, Kind.Response, cellId, methodId, requestId), from);
      this.bufs.release();
      return;
    }
    if (this.stopping) {
      this.refuse(ls, from, ErrorCode.Unreachable, "the bridge is stopping", cellId, methodId, requestId);
      return;
    }
    if (ls.clientInFlight >= ls.maxInFlight) {
      this.refuse(
        ls,
        from,
        ErrorCode.Overloaded,
        `already ${ls.clientInFlight} requests in flight from this link`,
        cellId,
        methodId,
        requestId
      );
      return;
    }
    const route = this.routes.pick(cellId);
    if (!route) {
      const known = this.routes.of(cellId);
      if (known) this.refuse(ls, from, ErrorCode.Overloaded, `every instance of ${known[0].name} is busy`, cellId, methodId, requestId);
      else
        this.refuse(
          ls,
          from,
          ErrorCode.UnknownCell,
          `no instance of cell ${hex(cellId)} in reach of this bridge`,
          cellId,
          methodId,
          requestId
        );
      return;
    }
    const p = new Pending();
    p.client = ls;
    p.peer = from;
    p.clientId = requestId;
    p.cellId = cellId;
    p.methodId = methodId;
    if (methodId === MethodId.Subscribe) p.subscribeEvent = builtinU32;
    // The copy costs an allocation, so only requests that may really be retried get one.
    if (this.idempotence.has(cellId, methodId) && this.routes.of(cellId)!.length > 1) p.retryFrame = frame.slice();
    this.pending.track(p, timeoutMs);
    this.dispatch(p, route, frame);
  }

  /** Sends a tracked request to `route`; a link that refuses it means it never arrived, so another instance may take it. */
  private dispatch(p: Pending, route: Route, frame: Uint8Array): void {
    for (;;) {
      const max = route.via.maxFrameTo(route.peer);
      if (frame.length > max) {
        this.fail(
          p,
          ErrorCode.TooLarge,
          `request of ${frame.length - HEADER_SIZE} bytes does not fit the ${max}-byte frames of the link to ${instanceText(route)}`
        );
        return;
      }
      this.pending.attach(p, route);
      const w = this.bufs.acquire();
      let err: unknown = null;
      try {
        route.via.link.send(this.bufs.withId(w, frame, p.outId), route.peer);
      } catch (e) {
        err = e;
      }
      this.bufs.release();
      if (err === null) return;
      this.pending.detach(p);
      route.via.sendFailures++;
      const next = p.retried ? null : this.routes.pick(p.cellId, route);
      if (!next) {
        this.fail(p, ErrorCode.Unreachable, `${instanceText(route)} cannot be reached: ${(err as Error).message}`);
        return;
      }
      p.retried = true;
      route = next;
    }
  }

  private answer(
    ls: LinkState,
    from: Peer | undefined,
    kind: number,
    cellId: number,
    methodId: number,
    requestId: number,
    frame: Uint8Array
  ): void {
    const p = ls.out.get(requestId);
    if (!p || p.cellId !== cellId || p.methodId !== methodId || peerId(p.route.peer) !== peerId(from)) {
      countDrop(ls.link.stats, DropReason.UnknownRequest);
      return;
    }
    this.alive(p.route);
    if (kind === Kind.Error && p.retryFrame && !p.retried && frame.length > HEADER_SIZE && RETRY_ON[frame[HEADER_SIZE]] && this.retry(p))
      return;
    this.pending.untrack(p);
    if (p.internal) {
      const payload = frame.subarray(HEADER_SIZE);
      p.internal(kind === Kind.Error ? errorFromPayload(payload) : null, payload);
      return;
    }
    if (kind === Kind.Response && p.subscribeEvent >= 0 && !this.events.accepted(p)) {
      this.refuse(
        p.client!,
        p.peer,
        ErrorCode.Overloaded,
        `the bridge has ${this.events.maxSubscribers} event subscribers already`,
        cellId,
        methodId,
        p.clientId
      );
      return;
    }
    const client = p.client!;
    if (frame.length > client.link.maxFrame) {
      this.refuse(
        client,
        p.peer,
        ErrorCode.TooLarge,
        `answer of ${frame.length - HEADER_SIZE} bytes does not fit this link's ${client.link.maxFrame}-byte frames`,
        cellId,
        methodId,
        p.clientId
      );
      return;
    }
    const w = this.bufs.acquire();
    client.trySend(this.bufs.withId(w, frame, p.clientId), p.peer);
    this.bufs.release();
  }

  /** A peer asks who is there (an empty ANNOUNCE, rpc.md §8.1): the bridge answers where it announces. */
  onQuery: (ls: LinkState, from: Peer | undefined) => void = () => {};

  private asked(ls: LinkState, from: Peer | undefined): void {
    this.onQuery(ls, from);
  }

  /** Tells the instance table at most every 1/8 of the route's TTL: answers may come by the thousand a second. */
  private alive(route: Route): void {
    const now = this.clock.now();
    if (now - route.aliveAt < route.ttlMs / 8) return;
    route.aliveAt = now;
    this.onAlive(route);
  }

  /** Sends an idempotent request that failed on its instance to another one; false when there is none. */
  private retry(p: Pending): boolean {
    const next = this.routes.pick(p.cellId, p.route);
    if (!next) return false;
    this.pending.detach(p);
    p.retried = true;
    this.dispatch(p, next, p.retryFrame!);
    return true;
  }

  private cancel(ls: LinkState, from: Peer | undefined, cellId: number, methodId: number, requestId: number): void {
    const p = this.pending.fromClient(ls, peerId(from), requestId);
    if (!p || p.cellId !== cellId || p.methodId !== methodId) {
      countDrop(ls.link.stats, DropReason.UnknownRequest);
      return;
    }
    this.cancelUpstream(p);
  }

  /** Forgets a request without answering its client, and tells its instance to drop it. */
  private cancelUpstream(p: Pending): void {
    const route = p.route;
    const outId = p.outId;
    this.pending.untrack(p);
    if (outId !== 0) this.sendCancel(route, p.cellId, p.methodId, outId);
  }

  private sendCancel(route: Route, cellId: number, methodId: number, outId: number): void {
    const w = this.bufs.acquire();
    route.via.trySend(this.bufs.raw(w, Kind.Cancel, cellId, methodId, outId), route.peer);
    this.bufs.release();
  }

  /** Ends a request with an ERROR of the bridge's own (or the internal caller's error). */
  private fail(p: Pending, code: number, message: string): void {
    this.pending.untrack(p);
    if (p.internal) p.internal(new CellError(code, message), null);
    else this.refuse(p.client!, p.peer, code, message, p.cellId, p.methodId, p.clientId);
  }

  private timedOut(p: Pending): void {
    const route = p.route;
    this.cancelUpstream(p);
    const message = `no answer from ${instanceText(route)} within ${p.timeoutMs} ms`;
    if (p.internal) p.internal(new CellError(ErrorCode.TimedOut, message), null);
    else this.refuse(p.client!, p.peer, ErrorCode.TimedOut, message, p.cellId, p.methodId, p.clientId);
  }

  /** An instance left the table: its requests in flight go to another instance (idempotent ones) or fail now. */
  lost(route: Route, why: string): void {
    const mine: Pending[] = [];
    for (const p of route.via.out.values()) if (p.route === route) mine.push(p);
    for (const p of mine) {
      if (p.deadline === 0 || p.route !== route) continue; // ended or moved by an earlier one's consequences
      // The instance may only be silent, not gone: tell it to drop the request either way.
      this.sendCancel(route, p.cellId, p.methodId, p.outId);
      if (p.retryFrame && !p.retried && this.retry(p)) continue;
      this.pending.untrack(p);
      const message = `${instanceText(route)} ${why} with the request in flight`;
      if (p.internal) p.internal(new CellError(ErrorCode.Unreachable, message), null);
      else this.refuse(p.client!, p.peer, ErrorCode.Unreachable, message, p.cellId, p.methodId, p.clientId);
    }
  }

  /** A client link closed: its requests are cancelled upstream (nobody is left to answer). */
  clientLinkClosed(ls: LinkState): void {
    const all: Pending[] = [];
    for (const ids of ls.byClient.values()) for (const p of ids.values()) all.push(p);
    for (const p of all) this.cancelUpstream(p);
  }

  /** A client's connection ended (QUIC): its requests are cancelled upstream and its subscriptions end. */
  peerGone(ls: LinkState, peer: Peer): void {
    const ids = ls.byClient.get(peer.id);
    if (ids) for (const p of Array.from(ids.values())) this.cancelUpstream(p);
    this.events.peerGone(ls, peer);
  }

  /** Fails every request in flight (the bridge is stopping). */
  failAll(code: number, message: string): void {
    const all: Pending[] = [];
    for (const r of this.routes.all()) for (const p of r.via.out.values()) if (p.route === r) all.push(p);
    for (const p of all) {
      if (p.deadline === 0) continue;
      this.cancelUpstream(p);
      if (p.internal) p.internal(new CellError(code, message), null);
      else this.refuse(p.client!, p.peer, code, message, p.cellId, p.methodId, p.clientId);
    }
  }

  /** The bridge's own request to one instance (subscribe, unsubscribe, describe); never retried elsewhere. */
  internalCall(route: Route, methodId: number, u32: number | undefined, done: InternalDone): void {
    const p = new Pending();
    p.internal = done;
    p.cellId = route.cellId;
    p.methodId = methodId;
    p.retried = true;
    this.pending.track(p);
    const w = this.bufs.acquire();
    const frame = this.bufs.raw(w, Kind.Request, route.cellId, methodId, 0, u32);
    this.dispatch(p, route, frame);
    this.bufs.release();
  }

  routesOf(cellId: number): Route[] | undefined {
    return this.routes.of(cellId);
  }

  private refuse(
    ls: LinkState,
    to: Peer | undefined,
    code: number,
    message: string,
    cellId: number,
    methodId: number,
    requestId: number
  ): void {
    ls.refuse(errorCodeName(code));
    const w = this.bufs.acquire();
    ls.trySend(this.bufs.error(w, code, message, cellId, methodId, requestId, ls.link.maxFrame - HEADER_SIZE), to);
    this.bufs.release();
  }
}
