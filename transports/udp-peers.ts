// The remote addresses a UDP socket hears from, as stable Peer objects, at most `limit` of them: a
// flood of spoofed source addresses evicts the longest silent peers instead of growing the table.
import type { Peer } from "../core/transport";
import { formatHostPort } from "./address";

export interface UdpPeer extends Peer {
  readonly address: string;
  readonly port: number;
}

export class UdpPeers {
  // A Map iterates in insertion order: re-inserting on each datagram keeps the least recently heard first.
  private byKey = new Map<string, UdpPeer>();
  private lastHeard = new Map<string, number>();
  /** The peer most recently got or heard: the last in `byKey`'s order. */
  private last: UdpPeer | null = null;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.byKey.size;
  }

  /** The peer at address:port, made (and remembered) on first use. */
  get(address: string, port: number): UdpPeer {
    // The peer heard last is already last in the Map's order: no key to build, no delete and re-insert
    // (a Map that deletes and re-adds a key per datagram keeps rehashing itself).
    const last = this.last;
    if (last !== null && last.port === port && last.address === address) return last;
    const key = formatHostPort(address, port);
    let peer = this.byKey.get(key);
    if (peer) {
      this.byKey.delete(key);
    } else {
      peer = { id: "udp:" + key, address, port };
      if (this.byKey.size >= this.limit) this.byKey.delete(this.byKey.keys().next().value!);
    }
    this.byKey.set(key, peer);
    this.last = peer;
    return peer;
  }

  /** Like get(), and notes that the peer was heard from now. */
  heard(address: string, port: number, now: number): UdpPeer {
    const peer = this.get(address, port);
    this.lastHeard.set(peer.id, now);
    return peer;
  }

  list(): UdpPeer[] {
    return Array.from(this.byKey.values());
  }

  /** Peers heard from since `since` (ms): where a frame for nobody in particular goes. */
  heardSince(since: number): UdpPeer[] {
    const out: UdpPeer[] = [];
    for (const p of this.byKey.values()) if ((this.lastHeard.get(p.id) ?? -Infinity) >= since) out.push(p);
    for (const [id, t] of this.lastHeard) if (t < since || !this.byKey.has(id.slice(4))) this.lastHeard.delete(id);
    return out;
  }
}
