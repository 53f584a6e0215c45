// Instances that are alive stay in the table: a busy device whose ANNOUNCE comes late but that answers
// requests is not taken for dead (issue 10, item 1).
import { describe, it, expect, afterEach } from "vitest";
import type { Peer } from "../core/transport";
import { Kind } from "../core/header";
import { Thermo, rig, Rig, instances, client, until } from "./bridge-fixtures";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

/** From now on the device's ANNOUNCEs are lost (a board too busy to send them); its answers still go out. */
function loseAnnounces(r: Rig, i: number): void {
  const link = r.devices[i].link;
  const send = link.send.bind(link);
  link.send = (frame: Uint8Array, to?: Peer) => {
    if ((frame[2] & 15) !== Kind.Announce) send(frame, to);
  };
}

describe("bridge liveness", () => {
  it("keeps an instance that answers requests, though its ANNOUNCEs stop coming", async () => {
    r = rig({ devices: 1, ttlMs: 200 });
    await instances(r.bridge, Thermo.id, 1);
    loseAnnounces(r, 0);
    const c = client(r.clients[0]);
    const end = Date.now() + 1200; // six TTLs
    while (Date.now() < end) {
      expect((await c.add({ a: 1, b: 2 })).sum).toBe(3);
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(r.bridge.cells().map((x) => x.instanceId)).toEqual([0x100]);
    expect(r.log.some((l) => l.endsWith("expired"))).toBe(false);
  });

  it("still expires an instance that neither announces nor answers", async () => {
    r = rig({ devices: 1, ttlMs: 200 });
    await instances(r.bridge, Thermo.id, 1);
    loseAnnounces(r, 0);
    await until(() => r!.bridge.cells().length === 0, 3000, "the silent instance to expire");
    expect(r.log.some((l) => l.includes("instance 0x00000100") && l.endsWith("expired"))).toBe(true);
  });
});
