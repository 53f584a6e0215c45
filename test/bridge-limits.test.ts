// Backpressure and limits: excess is answered Overloaded or TooLarge at once, never queued.
import { describe, it, expect, afterEach } from "vitest";
import { loopbackPair } from "../core/loopback";
import { HEADER_SIZE } from "../core/header";
import { createBridge } from "../host-bridge/bridge";
import { Thermo, rig, Rig, instances, client, failure, until, fast, device } from "./bridge-fixtures";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

const refused = (rg: Rig, link: string) => rg.bridge.links().find((l) => l.name === link)!.refused;

describe("bridge limits", () => {
  it("answers Overloaded beyond a link's maximum in flight, and takes requests again once some finish", async () => {
    r = rig({ network: { maxInFlight: 3 } });
    await instances(r.bridge, Thermo.id, 1);
    const c = client(r.clients[0]);
    const held = [c.hold(1), c.hold(2), c.hold(3)];
    await until(() => r!.devices[0].held.length === 3);
    const e = await failure(c.hold(4));
    expect(e.codeName).toBe("Overloaded");
    expect(e.message).toBe("already 3 requests in flight from this link");
    expect(r.devices[0].handled.hold).toBe(3); // the fourth never reached the device
    expect(r.bridge.links().find((l) => l.name === "net0")).toMatchObject({ inFlight: 3, maxInFlight: 3 });
    r.devices[0].releaseAll();
    await Promise.all(held);
    expect((await c.add({ a: 1, b: 1 })).sum).toBe(2);
    expect(refused(r, "net0")).toEqual([{ reason: "Overloaded", count: 1 }]);
  });

  it("answers Overloaded when every instance has its maximum in flight", async () => {
    r = rig({ devices: 2, device: { maxOutInFlight: 2 } });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    let answered = 0;
    const held = Array.from({ length: 4 }, (_, i) => c.hold(i).then(() => answered++));
    await until(() => r!.devices[0].held.length === 2 && r!.devices[1].held.length === 2);
    const e = await failure(c.add({ a: 1, b: 2 }));
    expect(e.codeName).toBe("Overloaded");
    expect(e.message).toBe("every instance of thermo is busy");
    r.devices[1].releaseAll();
    await until(() => answered === 2);
    expect((await c.add({ a: 1, b: 2 })).by).toBe(0x101);
    r.devices[0].releaseAll();
    await Promise.all(held);
  });

  it("answers TooLarge for a request above the link's maxPayload, before it travels", async () => {
    r = rig({ network: { maxPayload: 100 } });
    await instances(r.bridge, Thermo.id, 1);
    const c = client(r.clients[0]);
    expect(await c.echo(new Uint8Array(90))).toHaveLength(90);
    const e = await failure(c.echo(new Uint8Array(200)));
    expect(e.codeName).toBe("TooLarge");
    expect(e.message).toMatch(/^request of 20\d bytes exceeds this link's 100$/);
    expect(r.devices[0].handled.echo).toBe(1);
    expect(refused(r, "net0")).toEqual([{ reason: "TooLarge", count: 1 }]);
  });

  it("answers TooLarge when a request or an answer does not fit the other link's frames", async () => {
    const bridge = createBridge();
    const [board, side] = loopbackPair({ schedule: fast, maxFrame: 300 + HEADER_SIZE });
    const [user, net] = loopbackPair({ schedule: fast, maxFrame: 1000 + HEADER_SIZE });
    bridge.addLink(side, { role: "device", name: "small" });
    bridge.addLink(net, { role: "network", name: "big" });
    const d = device(board, 1);
    try {
      await instances(bridge, Thermo.id, 1);
      const c = client(user);
      const big = await failure(c.echo(new Uint8Array(500)));
      expect(big.codeName).toBe("TooLarge");
      expect(big.message).toMatch(
        /request of 50\d bytes does not fit the 320-byte frames of the link to thermo instance 0x00000001 on small/
      );
      // The device's own limit answers for a response too large for its link (it never leaves the device).
      expect((await failure(c.blob(400))).codeName).toBe("TooLarge");
      expect(await c.blob(250)).toHaveLength(250);
    } finally {
      d.announcer.stop();
      bridge.close();
    }
  });

  it("answers TooLarge when an answer from a roomy device link does not fit the client's link", async () => {
    const bridge = createBridge();
    const [board, side] = loopbackPair({ schedule: fast, maxFrame: 4000 + HEADER_SIZE });
    const [user, net] = loopbackPair({ schedule: fast, maxFrame: 300 + HEADER_SIZE });
    bridge.addLink(side, { role: "device" });
    bridge.addLink(net, { role: "network", name: "small" });
    const d = device(board, 1);
    try {
      await instances(bridge, Thermo.id, 1);
      const e = await failure(client(user).blob(1000));
      expect(e.codeName).toBe("TooLarge");
      expect(e.message).toMatch(/^answer of 100\d bytes does not fit this link's 320-byte frames$/);
    } finally {
      d.announcer.stop();
      bridge.close();
    }
  });

  it("answers Overloaded beyond the bridge's maximum of event subscribers", async () => {
    r = rig({ clients: 2, bridge: { maxSubscribers: 1 } });
    await instances(r.bridge, Thermo.id, 1);
    const [a, b] = [client(r.clients[0]), client(r.clients[1])];
    await a.on("alarm", () => {});
    const e = await failure(b.on("alarm", () => {}));
    expect(e.codeName).toBe("Overloaded");
    expect(e.message).toBe("the bridge has 1 event subscribers already");
    expect(r.bridge.subscriptions()).toEqual([{ cellId: Thermo.id, eventId: Thermo.info.alarm.id, clients: 1, upstream: 1 }]);
  });
});
