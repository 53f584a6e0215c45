// createBridge(): holds links to devices and networks, learns which instances serve which cells from
// their ANNOUNCEs, routes every request to one of them, and serves its own `bridge` cell on every link.
import { randomInt } from "node:crypto";
import type { Transport, Peer } from "../core/transport";
import { HEADER_SIZE } from "../core/header";
import { ErrorCode } from "../core/errors";
import { clockFrom } from "../core/rpc/options";
import { serve } from "../core/host/serve";
import { Bridge as BridgeCell, DEFAULT_PAGE, CellRowValue, LinkRowValue } from "./bridge-cell";
import * as D from "./options";
import { LinkState } from "./state";
import { Router } from "./router";
import { Idempotence } from "./idempotence";
import { BridgeAnnouncer } from "./announcer";
import { Discovery, BridgeChange } from "./discovery";
import { tap } from "./tap";
import { ServedCells, servesCells } from "./serving";
import { linkRow } from "./status";

export type { BridgeChange } from "./discovery";

export interface Bridge {
  readonly instanceId: number;
  /** Takes a link (the bridge owns it from now on and closes it on close()); returns its name. */
  addLink(link: Transport, opts?: D.LinkOptions): string;
  cells(): CellRowValue[];
  links(): LinkRowValue[];
  /** Event subscriptions held for clients (cell, event, clients, instances subscribed). */
  subscriptions(): { cellId: number; eventId: number; clients: number; upstream: number }[];
  /** Requests in flight through the bridge. */
  readonly inFlight: number;
  onChange(cb: (change: BridgeChange) => void): () => void;
  /** Says goodbye on the network sides, fails requests in flight with Unreachable, closes every link. */
  close(): void;
  /**
   * A gentle stop: says goodbye and stops taking requests (NATS sends them to the other bridges), lets
   * the requests in flight finish for up to `waitMs` (default: the request timeout), then closes.
   */
  drain(waitMs?: number): Promise<void>;
}

/** Optional abilities of some transports, found by duck typing so that the bridge needs none of them. */
interface LinkExtras {
  /** QUIC: a client's connection ended. */
  onPeerClose?: (listener: (peer: Peer) => void) => unknown;
  /** Serial: the port went away (false) or came back (true). */
  onStatus?: (listener: (up: boolean) => void) => unknown;
  /** NATS: resolves once what was sent is out. */
  flush?: () => Promise<void>;
}

export function createBridge(opts: D.BridgeOptions = {}): Bridge {
  const clock = clockFrom(opts);
  const clockOpts = { now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer };
  const instanceId = opts.instanceId ?? randomInt(1, 0xffffffff);
  const ttlMs = opts.ttlMs ?? D.DEFAULT_TTL_MS;
  const timeoutMs = opts.timeoutMs ?? D.DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !(ttlMs > 0)) throw new RangeError("bridge: timeoutMs and ttlMs must be above 0");
  const log = opts.log ?? (() => {});
  const links: LinkState[] = [];
  const byTransport = new Map<Transport, LinkState>();
  const serving = new Map<LinkState, ServedCells>();
  const idempotence = new Idempotence(opts.idempotent);
  const router = new Router(clock, timeoutMs, opts.maxSubscribers ?? D.DEFAULT_MAX_SUBSCRIBERS, idempotence, log, (...a) =>
    discovery.heard(...a)
  );
  const discovery = new Discovery(clock, instanceId, router, idempotence, (t) => byTransport.get(t), changed, log);
  router.onAlive = (route) => discovery.alive(route);
  router.onQuery = (ls, from) => announcer.answer(ls, from);
  const announcer = new BridgeAnnouncer(instanceId, ttlMs, clock, (ls) => discovery.reachable(ls), log);
  let closed = false;
  let drained: Promise<void> | null = null;
  let updateTimer: unknown = null;

  /** The reachable set changed: re-announce and re-serve on a later turn (changes that come together count once). */
  function changed(): void {
    if (updateTimer !== null || drained) return;
    updateTimer = clock.setTimer(() => {
      updateTimer = null;
      if (drained) return;
      announcer.changed();
      for (const [ls, served] of serving) void served.update(discovery.reachable(ls).map((c) => c.cellId));
    }, 0);
  }

  function linkClosed(ls: LinkState): void {
    if (ls.closed) return;
    announcer.remove(ls);
    serving.delete(ls);
    discovery.forget(ls, "went away (its link closed)");
    router.clientLinkClosed(ls);
    router.events.linkClosed(ls);
    ls.closed = true;
    ls.tap!.close();
    if (!closed) log(`link ${ls.name} closed`);
  }

  /** Hooks into what some transports can tell: a client connection ending, a serial port going away. */
  function watchExtras(ls: LinkState, link: Transport & LinkExtras): void {
    if (typeof link.onPeerClose === "function") {
      // A client connection ended (QUIC): its requests, subscriptions and announced instances go with it.
      link.onPeerClose((peer) => {
        discovery.forget(ls, "went away (its connection ended)", peer);
        router.peerGone(ls, peer);
      });
    }
    if (typeof link.onStatus === "function") {
      // A serial port that went away (and is being reopened): what was behind it is gone until it announces again.
      link.onStatus((up) => {
        log(`link ${ls.name} ${up ? "is back" : "is down"}`);
        if (!up) discovery.forget(ls, "went away (its link is down)");
        else if (ls.learn) ask(ls);
      });
    }
  }

  const handlers = {
    cells(req: { skip?: number; limit?: number }) {
      const rows = discovery.rows();
      const skip = req.skip ?? 0;
      return { total: rows.length, instanceId, cells: rows.slice(skip, skip + (req.limit || DEFAULT_PAGE)) };
    },
    links() {
      return links.map(linkRow);
    }
  };

  /** Asks who is on a link (an empty ANNOUNCE, rpc.md §8.1): its instances answer at once, not at their next ANNOUNCE. */
  function ask(ls: LinkState): void {
    ls.peerMaxFrame.clear(); // what answers may be another board
    ls.trySend(QUERY, undefined);
  }

  function addLink(link: Transport, o: D.LinkOptions = {}): string {
    if (closed) throw new Error("bridge: closed");
    if (byTransport.has(link)) throw new Error("bridge: this link is already added");
    const role = o.role ?? "network";
    const name = o.name ?? `${role}${links.length}`;
    const room = link.maxFrame - HEADER_SIZE;
    const maxInFlight = o.maxInFlight ?? (role === "device" ? D.DEVICE_MAX_IN_FLIGHT : D.NETWORK_MAX_IN_FLIGHT);
    const ls = new LinkState(
      links.length,
      name,
      role,
      link,
      o.learn ?? true,
      Math.min(o.maxPayload ?? room, room),
      maxInFlight,
      o.maxOutInFlight ?? D.DEFAULT_MAX_OUT_IN_FLIGHT
    );
    ls.learnBridges = o.learnBridges ?? false;
    links.push(ls);
    byTransport.set(link, ls);
    ls.tap = tap(link);
    serve(BridgeCell, handlers, ls.tap, clockOpts);
    link.onFrame((frame, from) => router.receive(ls, frame, from));
    link.onError((err) => log(`link ${name}: ${err.message}`));
    link.onClose(() => linkClosed(ls));
    watchExtras(ls, link);
    if (servesCells(link)) {
      const served = new ServedCells(link, name, log);
      serving.set(ls, served);
      void served.update(discovery.reachable(ls).map((c) => c.cellId));
    }
    if (o.announce ?? role === "network") announcer.add(ls, o.announceTo);
    if (ls.learn && role === "device") ask(ls);
    return name;
  }

  /**
   * Goodbye on the network sides and no more REQUESTs from NATS: the first half of a stop. New requests
   * are refused once NATS subscriptions are drained, so those NATS had already routed here are served.
   */
  function stopTakingRequests(): Promise<void> {
    if (drained) return drained;
    if (updateTimer !== null) clock.clearTimer(updateTimer);
    announcer.stop();
    drained = Promise.all([...serving.values()].map((s) => s.stop())).then(() => {
      router.stopping = true;
    });
    return drained;
  }

  function close(): void {
    if (closed) return;
    void stopTakingRequests();
    router.stopping = true;
    closed = true;
    router.failAll(ErrorCode.Unreachable, "the bridge is stopping");
    router.pending.close();
    discovery.close();
    for (const ls of links) closeAfterFlush(ls.link);
  }

  return {
    instanceId,
    addLink,
    cells: () => discovery.rows(),
    links: () => links.map(linkRow),
    subscriptions: () => router.events.list(),
    get inFlight() {
      return router.pending.count;
    },
    onChange: (cb) => discovery.onChange(cb),
    close,
    async drain(waitMs = timeoutMs) {
      if (closed) return;
      const end = Date.now() + waitMs;
      // The timer is cleared once the race is won: left running, it kept the process alive for waitMs.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([stopTakingRequests(), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
      while (router.pending.count > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      close();
    }
  };
}

/** The query: an ANNOUNCE frame with an empty payload (codec RAW, ids 0). */
const QUERY = new Uint8Array([0xce, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/**
 * Closes a link once what was sent on it is out. A NATS client queues publishes and writes them on a
 * later turn, so closing at once would lose the ERRORs just sent to the callers of requests in flight.
 */
function closeAfterFlush(link: Transport & LinkExtras): void {
  if (typeof link.flush !== "function") return link.close();
  const timer = setTimeout(() => link.close(), 1000);
  link.flush().then(
    () => (clearTimeout(timer), link.close()),
    () => (clearTimeout(timer), link.close())
  );
}
