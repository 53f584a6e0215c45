// What the bridge can reach: the instance table fed by ANNOUNCEs heard on its links, turned into
// routes as instances come and go. An instance that falls silent for its TTL expires (health gossip);
// its requests in flight then fail fast or move to another instance.
import type { Transport, Peer } from "../core/transport";
import type { Clock } from "../core/rpc/options";
import type { Announcement, AnnouncedCell } from "../core/rpc/announce-payload";
import { CodecId, MethodId, Flag } from "../core/header";
import { DropReason, countDrop } from "../core/drops";
import { decodeAnnounce } from "../core/rpc/announce-payload";
import { instanceTable, Instance, InstanceTable } from "../core/rpc/instances";
import { utf8Decode } from "../core/utf8";
import { Bridge as BridgeCell, CellRowValue } from "./bridge-cell";
import { LinkState, Route, peerId } from "./state";
import { Router, hex } from "./router";
import type { Idempotence } from "./idempotence";
import { cellRows, routeKey } from "./status";

export interface BridgeChange {
  type: "added" | "expired" | "removed";
  name: string;
  cellId: number;
  schemaHash: number;
  instanceId: number;
  link: string;
  peer: string;
}

export class Discovery {
  readonly table: InstanceTable;
  private listeners: ((c: BridgeChange) => void)[] = [];
  /** Why forget() is removing instances, for the messages of the requests that fail with them. */
  private forgetting = "went away";

  constructor(
    private clock: Clock,
    private instanceId: number,
    private router: Router,
    private idempotence: Idempotence,
    private linkOf: (link: Transport) => LinkState | undefined,
    /** The reachable set changed (re-announce, re-serve). */
    private changed: () => void,
    private log: (line: string) => void
  ) {
    this.table = instanceTable({ now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, maxEntries: 1024 });
    this.table.onChange(({ type, instance }) => this.tableChanged(type, instance));
  }

  onChange(cb: (c: BridgeChange) => void): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** An ANNOUNCE arrived on a link that learns. */
  heard(
    ls: LinkState,
    from: Peer | undefined,
    flags: number,
    codec: number,
    cellId: number,
    methodId: number,
    requestId: number,
    payload: Uint8Array
  ): void {
    let a =
      codec === CodecId.Raw && cellId === 0 && methodId === 0 && requestId === 0
        ? decodeAnnounce(payload, (flags & Flag.AnnounceMaxFrame) !== 0)
        : null;
    if (!a) {
      countDrop(ls.link.stats, DropReason.BadAnnounce);
      return;
    }
    if (a.instanceId === this.instanceId) return; // our own, echoed back (multicast)
    if (a.maxFrame !== undefined) {
      ls.peerMaxFrame.set(peerId(from), a.maxFrame);
      if (a.maxFrame < ls.link.maxFrame) this.log(`${ls.name}${from ? " " + from.id : ""} takes frames of at most ${a.maxFrame} bytes`);
    }
    // Another bridge: routing through it could loop back here, so a bridge is one hop, never transit.
    if (a.cells.some((c) => c.cellId === BridgeCell.id)) {
      if (!ls.learnBridges) return;
      // Fed even when nothing is left: the table then forgets the cells the bridge stopped listing.
      a = { instanceId: a.instanceId, ttlMs: a.ttlMs, cells: a.cells.filter((c) => c.cellId !== BridgeCell.id) };
    }
    this.table.heard(a, from, ls.link);
  }

  /** An instance answered a request: alive, so its entries on that link start a new TTL. */
  alive(route: Route): void {
    this.table.alive(route.instanceId, route.peer, route.via.link);
  }

  /** Forgets the instances heard on a link (or from one peer of it): the link closed or went down. */
  forget(ls: LinkState, why: string, peer?: Peer): void {
    this.forgetting = why;
    // The table has no "remove": a goodbye (ttl 0) per instance heard there says the same.
    for (const i of this.table.list()) {
      if (i.link !== ls.link || (peer && peerId(i.peer) !== peer.id)) continue;
      const bye: Announcement = {
        instanceId: i.instanceId,
        ttlMs: 0,
        cells: [{ name: i.name, cellId: i.cellId, schemaHash: i.schemaHash }]
      };
      this.table.heard(bye, i.peer, ls.link);
    }
    this.forgetting = "went away";
  }

  /**
   * What the bridge offers on `ls`: itself, then each cell it reaches over another link, once (with the
   * first instance's schema). Cells reached only over `ls` itself are left out, so no request loops back.
   */
  reachable(ls: LinkState): AnnouncedCell[] {
    const out: AnnouncedCell[] = [{ name: BridgeCell.name, cellId: BridgeCell.id, schemaHash: BridgeCell.hash }];
    const seen = new Set<number>([BridgeCell.id]);
    for (const r of this.router.routes.all()) {
      if (seen.has(r.cellId) || r.via === ls) continue;
      seen.add(r.cellId);
      out.push({ name: r.name, cellId: r.cellId, schemaHash: r.schemaHash });
    }
    return out;
  }

  rows(): CellRowValue[] {
    return cellRows(
      this.table.list(),
      (i: Instance) => this.linkOf(i.link),
      (k) => this.router.routes.get(k),
      this.clock.now()
    );
  }

  private tableChanged(type: BridgeChange["type"], i: Instance): void {
    const ls = this.linkOf(i.link);
    if (!ls) return;
    const router = this.router;
    const key = routeKey(i.instanceId, i.cellId, ls, i.peer && i.peer.id);
    const where = `${i.name} ${hex(i.cellId)} (schema ${hex(i.schemaHash)}) instance ${hex(i.instanceId)} on ${ls.name}${i.peer ? " " + i.peer.id : ""}`;
    if (type === "added") {
      const route = new Route(key, i.name, i.cellId, i.schemaHash, i.instanceId, ls, i.peer);
      route.ttlMs = i.ttlMs;
      router.routes.add(route);
      router.events.routeAdded(route);
      this.describeIfWanted(route);
      this.log(`+ ${where}, ttl ${i.ttlMs} ms`);
    } else {
      const route = router.routes.remove(key);
      if (route) {
        router.events.routeGone(route);
        router.lost(route, type === "expired" ? `fell silent (no ANNOUNCE for ${i.ttlMs} ms)` : this.forgetting);
      }
      this.log(`- ${where}: ${type === "expired" ? "expired" : "gone"}`);
    }
    this.changed();
    const change: BridgeChange = {
      type,
      name: i.name,
      cellId: i.cellId,
      schemaHash: i.schemaHash,
      instanceId: i.instanceId,
      link: ls.name,
      peer: peerId(i.peer)
    };
    for (const cb of this.listeners.slice()) cb(change);
  }

  /** Names of idempotent methods become ids once an instance of their cell tells its schema. */
  private describeIfWanted(route: Route): void {
    if (!this.idempotence.wants(route.name, route.cellId, route.schemaHash)) return;
    this.router.internalCall(route, MethodId.Describe, undefined, (err, payload) => {
      if (err || !payload) return this.log(`describe ${route.name} on ${route.via.name}: ${err ? err.message : "no answer"}`);
      try {
        const missing = this.idempotence.learn(utf8Decode(payload));
        if (missing.length) this.log(`idempotent: ${route.name} has no method ${missing.join(", ")}`);
      } catch (e) {
        this.log(`describe ${route.name} on ${route.via.name}: ${(e as Error).message}`);
      }
    });
  }

  close(): void {
    this.table.close();
  }
}
