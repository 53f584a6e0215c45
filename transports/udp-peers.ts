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

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.byKey.size;
  }

  /** The peer at address:port, made (and remembered) on first use. */
  get(address: string, port: number): UdpPeer {
    const key = formatHostPort(address, port);
    let peer = this.byKey.get(key);
    if (peer) {
      this.byKey.delete(key);
    } else {
      peer = { id: "udp:" + key, address, port };
      if (this.byKey.size >= this.limit) this.byKey.delete(this.byKey.keys().next().value!);
    }
    this.byKey.set(key, peer);
    return peer;
  }

  list(): UdpPeer[] {
    return Array.from(this.byKey.values());
  }
}
