// Server side of events: which peers subscribed to which event (method ids 1 and 2).
import type { Peer } from "../transport";

/** The key of a peer in plain-object tables; "" is the one peer of a point-to-point link. */
export function peerKey(peer?: Peer | null): string {
  return peer ? "p:" + peer.id : "";
}

export interface EventSubscribers {
  peers: { [peerKey: string]: Peer | null };
  count: number;
}

export class Subscribers {
  private byEvent: { [cellAndEvent: string]: EventSubscribers } = {};
  private limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Adds `peer`; false when the event already has `limit` subscribers (the peer is then refused). */
  add(cellId: number, eventId: number, peer: Peer | undefined): boolean {
    var key = cellId + "/" + eventId;
    var s = this.byEvent[key];
    if (!s) s = this.byEvent[key] = { peers: {}, count: 0 };
    var p = peerKey(peer);
    if (Object.prototype.hasOwnProperty.call(s.peers, p)) return true;
    if (s.count >= this.limit) return false;
    s.peers[p] = peer || null;
    s.count++;
    return true;
  }

  remove(cellId: number, eventId: number, peer: Peer | undefined): void {
    var key = cellId + "/" + eventId;
    var s = this.byEvent[key];
    var p = peerKey(peer);
    if (!s || !Object.prototype.hasOwnProperty.call(s.peers, p)) return;
    delete s.peers[p];
    if (--s.count === 0) delete this.byEvent[key];
  }

  /** The peers subscribed to an event, or null when none is. */
  of(cellId: number, eventId: number): EventSubscribers | null {
    return this.byEvent[cellId + "/" + eventId] || null;
  }

  /** Forgets every subscription to a cell's events (the cell stopped being served). */
  dropCell(cellId: number): void {
    var prefix = cellId + "/";
    for (var key in this.byEvent) if (key.indexOf(prefix) === 0) delete this.byEvent[key];
  }
}
