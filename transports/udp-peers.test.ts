// The peer table's order under repeated datagrams from one address (the fast path that skips the Map)
// and alternating ones: the longest silent peer is still the one forgotten.
import { describe, it, expect } from "vitest";
import { UdpPeers } from "./udp-peers";

describe("UdpPeers", () => {
  it("keeps one Peer per address:port, the same object on every datagram", () => {
    const t = new UdpPeers(8);
    const a = t.heard("127.0.0.1", 1000, 1);
    expect(t.heard("127.0.0.1", 1000, 2)).toBe(a);
    expect(t.get("127.0.0.1", 1000)).toBe(a);
    expect(a).toEqual({ id: "udp:127.0.0.1:1000", address: "127.0.0.1", port: 1000 });
    const b = t.heard("127.0.0.1", 1001, 3);
    expect(b).not.toBe(a);
    expect(t.heard("::1", 1000, 4).id).toBe("udp:[::1]:1000");
    expect(t.size).toBe(3);
  });

  it("forgets the longest silent peer, whether the last one heard repeats or peers alternate", () => {
    const t = new UdpPeers(3);
    t.heard("10.0.0.1", 1, 1);
    t.heard("10.0.0.2", 2, 2);
    t.heard("10.0.0.2", 2, 3); // heard last already: order unchanged
    t.heard("10.0.0.1", 1, 4); // 1 is now the most recent
    t.heard("10.0.0.3", 3, 5);
    t.heard("10.0.0.3", 3, 6);
    expect(t.list().map((p) => p.port)).toEqual([2, 1, 3]);
    t.heard("10.0.0.4", 4, 7); // full: 2, the longest silent, goes
    expect(t.list().map((p) => p.port)).toEqual([1, 3, 4]);
    t.get("10.0.0.1", 1); // an explicit get counts as use too
    t.heard("10.0.0.5", 5, 8);
    expect(t.list().map((p) => p.port)).toEqual([4, 1, 5]);
    // Only the peers heard within the time asked for get a frame for nobody in particular.
    expect(t.heardSince(7).map((p) => p.port)).toEqual([4, 5]);
  });

  it("with room for one peer, a new address replaces the one heard last", () => {
    const t = new UdpPeers(1);
    const a = t.heard("10.0.0.1", 1, 1);
    const b = t.heard("10.0.0.2", 2, 2);
    expect(t.list()).toEqual([b]);
    const a2 = t.heard("10.0.0.1", 1, 3);
    expect(a2).not.toBe(a); // forgotten, so made anew
    expect(t.list()).toEqual([a2]);
  });
});
