// Load: many clients (on many links and as many peers of one link) × many requests, two instances.
// Every answer must reach the client that asked, with its own value: none lost, none crossed.
import { describe, it, expect, afterEach } from "vitest";
import { Thermo, rig, Rig, instances, client, hub } from "./bridge-fixtures";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

const PER_CLIENT = 300;
const WINDOW = 16; // requests each client keeps in flight

describe("bridge load", () => {
  it("routes every answer to the client that asked, none lost or crossed", async () => {
    r = rig({ devices: 2, clients: 10, device: { maxOutInFlight: 512 } });
    const net = hub();
    r.bridge.addLink(net.server, { role: "network", name: "hub" });
    await instances(r.bridge, Thermo.id, 2);
    const links = [...r.clients, ...Array.from({ length: 20 }, (_, i) => net.connect("c" + i))];
    let ok = 0;
    let crossed = 0;
    const byInstance: Record<number, number> = {};
    await Promise.all(
      links.map(async (link, k) => {
        const c = client(link, 20000);
        let next = 0;
        const worker = async () => {
          while (next < PER_CLIENT) {
            const seq = next++;
            const res = await c.add({ a: k * 100000, b: seq });
            if (res.sum === k * 100000 + seq) ok++;
            else crossed++;
            byInstance[res.by] = (byInstance[res.by] || 0) + 1;
          }
        };
        await Promise.all(Array.from({ length: WINDOW }, worker));
      })
    );
    const total = links.length * PER_CLIENT;
    expect(crossed).toBe(0);
    expect(ok).toBe(total);
    expect(r.devices[0].handled.add + r.devices[1].handled.add).toBe(total); // each request ran exactly once
    expect(byInstance[0x100] + byInstance[0x101]).toBe(total);
    expect(Math.min(byInstance[0x100], byInstance[0x101])).toBeGreaterThan(total / 4); // both took a fair share
    expect(r.bridge.inFlight).toBe(0);
    for (const l of r.bridge.links()) {
      expect(l.refused).toEqual([]);
      expect(l.drops).toEqual([]);
    }
  }, 60000);
});
