// The instance table: which running instances serve which cell, learned from ANNOUNCE frames and
// forgotten when their TTL runs out. Plain objects only; the host bridge routes with it.
import type { Transport, Peer } from "../transport";
import { endpoint } from "./endpoint";
import { Clock, clockFrom } from "./options";
import { Announcement } from "./announce-payload";
import { peerKey } from "./subscribers";

export interface Instance {
  name: string;
  cellId: number;
  schemaHash: number;
  instanceId: number;
  /** Where it was heard: the link, and the peer on links with many. */
  link: Transport;
  peer: Peer | undefined;
  lastHeard: number;
  ttlMs: number;
  expiresAt: number;
}

export interface InstanceChange {
  /** added: newly heard; expired: its TTL ran out; removed: it said goodbye, or stopped listing the cell. */
  type: "added" | "expired" | "removed";
  instance: Instance;
}

export interface InstanceTableOptions {
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Most entries kept (bounded memory whatever is announced); later ones are counted in `dropped`. Default 256. */
  maxEntries?: number;
}

export interface InstanceTable {
  /** Learns from every ANNOUNCE arriving on `link`; returns a function that stops listening. */
  attach(link: Transport): () => void;
  /** Feeds one announcement (what `attach` does for each ANNOUNCE). */
  heard(a: Announcement, from: Peer | undefined, link: Transport): void;
  /**
   * The instance answered a request on `link` (from `from`): it is alive, so its entries there start a
   * new TTL as if it had announced. A busy device may send its ANNOUNCE late; one that answers is not dead.
   */
  alive(instanceId: number, from: Peer | undefined, link: Transport): void;
  /** Live instances serving the cell with this id (copies). */
  instancesOf(cellId: number): Instance[];
  /** Every live entry (copies). */
  list(): Instance[];
  /** Calls `cb` on each change; returns a function that removes it. */
  onChange(cb: (change: InstanceChange) => void): () => void;
  /** Entries refused because the table was full. */
  readonly dropped: number;
  /** Stops the expiry timer and forgets everything. */
  close(): void;
}

function copy(e: Instance): Instance {
  return {
    name: e.name,
    cellId: e.cellId,
    schemaHash: e.schemaHash,
    instanceId: e.instanceId,
    link: e.link,
    peer: e.peer,
    lastHeard: e.lastHeard,
    ttlMs: e.ttlMs,
    expiresAt: e.expiresAt
  };
}

export function instanceTable(opts?: InstanceTableOptions): InstanceTable {
  var o = opts || {};
  var clock: Clock = clockFrom(o);
  var maxEntries = o.maxEntries || 256;
  var entries: { [key: string]: Instance } = {};
  var count = 0;
  var links: { link: Transport; tag: number }[] = [];
  var nextTag = 1;
  var listeners: ((c: InstanceChange) => void)[] = [];
  var timer: unknown = null;
  var timerAt = 0;
  var table = { dropped: 0 } as InstanceTable & { dropped: number };

  function tagOf(link: Transport): number {
    for (var i = 0; i < links.length; i++) if (links[i].link === link) return links[i].tag;
    links.push({ link: link, tag: nextTag });
    return nextTag++;
  }

  function tell(type: InstanceChange["type"], e: Instance): void {
    var list = listeners.slice();
    var change = { type: type, instance: copy(e) };
    for (var i = 0; i < list.length; i++) {
      try {
        list[i](change);
      } catch (err) {
        clock.setTimer(function () {
          throw err;
        }, 0);
      }
    }
  }

  function remove(key: string, type: InstanceChange["type"]): void {
    var e = entries[key];
    delete entries[key];
    count--;
    tell(type, e);
  }

  function prune(): void {
    var now = clock.now();
    for (var key in entries) if (entries[key].expiresAt <= now) remove(key, "expired");
  }

  // One timer, for the earliest expiry; re-armed after every change.
  function arm(): void {
    var first = -1;
    for (var key in entries) if (first < 0 || entries[key].expiresAt < first) first = entries[key].expiresAt;
    if (timer !== null && (first < 0 || first !== timerAt)) {
      clock.clearTimer(timer);
      timer = null;
    }
    if (first < 0 || timer !== null) return;
    timerAt = first;
    timer = clock.setTimer(
      function () {
        timer = null;
        prune();
        arm();
      },
      Math.max(0, first - clock.now())
    );
    var t = timer as { unref?: () => void } | null;
    if (t && typeof t.unref === "function") t.unref(); // bookkeeping must not keep a Node process alive
  }

  table.heard = function (a, from, link) {
    var now = clock.now();
    var route = "/" + tagOf(link) + "/" + peerKey(from);
    var listed: { [key: string]: boolean } = {};
    for (var i = 0; i < a.cells.length; i++) {
      var c = a.cells[i];
      var key = a.instanceId + "/" + c.cellId + route;
      listed[key] = true;
      var e: Instance | undefined = entries[key];
      if (e && (e.schemaHash !== c.schemaHash || a.ttlMs === 0)) {
        remove(key, "removed"); // a changed schema is a different service: the old one is gone
        e = undefined;
      }
      if (a.ttlMs === 0) continue;
      if (e) {
        e.lastHeard = now;
        e.ttlMs = a.ttlMs;
        e.expiresAt = now + a.ttlMs;
        continue;
      }
      if (count >= maxEntries) {
        table.dropped++;
        continue;
      }
      e = {
        name: c.name,
        cellId: c.cellId,
        schemaHash: c.schemaHash,
        instanceId: a.instanceId,
        link: link,
        peer: from,
        lastHeard: now,
        ttlMs: a.ttlMs,
        expiresAt: now + a.ttlMs
      };
      entries[key] = e;
      count++;
      tell("added", e);
    }
    // An announcement lists everything the instance serves on that route: the rest is gone.
    var prefix = a.instanceId + "/";
    for (var k in entries) {
      if (!listed[k] && k.indexOf(prefix) === 0 && k.substring(k.indexOf("/", prefix.length)) === route) remove(k, "removed");
    }
    arm();
  };

  table.alive = function (instanceId, from, link) {
    var now = clock.now();
    var prefix = instanceId + "/";
    var route = "/" + tagOf(link) + "/" + peerKey(from);
    for (var k in entries) {
      var e = entries[k];
      if (k.indexOf(prefix) !== 0 || k.substring(k.indexOf("/", prefix.length)) !== route || e.expiresAt <= now) continue;
      e.lastHeard = now;
      e.expiresAt = now + e.ttlMs;
    }
    arm();
  };

  table.attach = function (link) {
    return endpoint(link).onAnnounce(function (a, from) {
      table.heard(a, from, link);
    });
  };

  table.instancesOf = function (cellId) {
    prune();
    var out: Instance[] = [];
    for (var key in entries) if (entries[key].cellId === cellId) out.push(copy(entries[key]));
    return out;
  };

  table.list = function () {
    prune();
    var out: Instance[] = [];
    for (var key in entries) out.push(copy(entries[key]));
    return out;
  };

  table.onChange = function (cb) {
    listeners.push(cb);
    return function () {
      var i = listeners.indexOf(cb);
      if (i >= 0) listeners.splice(i, 1);
    };
  };

  table.close = function () {
    if (timer !== null) clock.clearTimer(timer);
    timer = null;
    entries = {};
    count = 0;
    listeners = [];
  };

  return table;
}
