// Routing through the bridge: discovery, calls, request-id remapping, cancels, timeouts, unknown cells.
import { describe, it, expect, afterEach } from "vitest";
import { loopbackPair } from "../core/loopback";
import { remote } from "../core/host/remote";
import { cell, method, t } from "../core/schema";
import { Kind, CodecId, HEADER_SIZE, newHeader, decodeHeader } from "../core/header";
import { compactCodec } from "../core/codecs";
import { Writer } from "../core/codec";
import type { Type } from "../core/schema";
import { decodeAnnounce } from "../core/rpc/announce-payload";
import { BridgeCell } from "../host-bridge";
import { Thermo, rig, Rig, instances, client, failure, until, hub, fast, device } from "./bridge-fixtures";
import { createBridge } from "../host-bridge/bridge";
import { frame } from "./rpc-fixtures";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

describe("bridge routing", () => {
  it("learns a device's cells from its ANNOUNCE and answers a client's call through it", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    expect(r.bridge.cells()).toEqual([
      expect.objectContaining({
        name: "thermo",
        cellId: Thermo.id,
        schemaHash: Thermo.hash,
        instanceId: 0x100,
        link: "dev0",
        peer: "",
        ttlMs: 3000,
        inFlight: 0
      })
    ]);
    expect(r.log.some((l) => l.startsWith("+ thermo 0x2d2ce39e") && l.includes("on dev0"))).toBe(true);
    const thermo = client(r.clients[0]);
    expect(await thermo.read({ unit: "F" })).toEqual({ value: expect.closeTo(70.7, 4), unit: "F", by: 0x100 });
    expect(await thermo.describe()).toBe(Thermo.schema);
  });

  it("re-announces what it reaches on its network sides, listing itself as the bridge cell", async () => {
    r = rig();
    const heard: string[][] = [];
    const h = newHeader();
    r.clients[0].onFrame((f) => {
      if (decodeHeader(f, 0, f.length, h) === null && h.kind === Kind.Announce) {
        const a = decodeAnnounce(f.subarray(HEADER_SIZE))!;
        expect(a.instanceId).toBe(r!.bridge.instanceId);
        heard.push(a.cells.map((c) => c.name));
      }
    });
    await until(() => heard.some((cells) => cells.includes("thermo")), 3000, "an ANNOUNCE listing thermo");
    expect(heard[0]).toEqual(["bridge"]); // sent at once, before the device was heard
    expect(heard[heard.length - 1]).toEqual(["bridge", "thermo"]);
  });

  it("remaps request ids: two clients using the same ids get their own answers", async () => {
    r = rig({ clients: 2 });
    await instances(r.bridge, Thermo.id, 1);
    const [a, b] = [client(r.clients[0]), client(r.clients[1])];
    // Both clients number their calls 1, 2, 3, ...: the same ids arrive from two links at once.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => Promise.all([a.add({ a: i, b: 1000 }), b.add({ a: i, b: 2000 })]))
    );
    results.forEach(([x, y], i) => {
      expect(x.sum).toBe(i + 1000);
      expect(y.sum).toBe(i + 2000);
    });
    expect(r.devices[0].handled.add).toBe(40);
  });

  it("keeps peers of one link apart (a many-peer link, like UDP)", async () => {
    const bridge = createBridge();
    const net = hub();
    const [board, side] = loopbackPair({ schedule: fast });
    bridge.addLink(side, { role: "device" });
    bridge.addLink(net.server, { role: "network", name: "hub" });
    const d = device(board, 7);
    try {
      await instances(bridge, Thermo.id, 1);
      const peers = ["a", "b", "c"].map((id) => client(net.connect(id)));
      const sums = await Promise.all(peers.flatMap((p, k) => [1, 2, 3].map((i) => p.add({ a: k * 100, b: i }))));
      expect(sums.map((s) => s.sum)).toEqual([1, 2, 3, 101, 102, 103, 201, 202, 203]);
    } finally {
      d.announcer.stop();
      bridge.close();
    }
  });

  it("answers UnknownCell for a cell no instance serves", async () => {
    r = rig();
    const Other = cell("other", { ping: method(t.u8, t.u8) });
    const e = await failure(remote(Other, r.clients[0]).ping(1));
    expect(e.codeName).toBe("UnknownCell");
    expect(e.message).toMatch(/no instance of cell 0x[0-9a-f]{8} in reach of this bridge/);
    expect(r.bridge.links().find((l) => l.name === "net0")!.refused).toEqual([{ reason: "UnknownCell", count: 1 }]);
  });

  it("passes an instance's own ERROR through unchanged", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    // The device does not have this method (another signature is another id): its ERROR comes back as sent.
    const Newer = cell("thermo", { reset: method(t.u8, t.u8) });
    const e = await failure(remote(Newer, r.clients[0]).reset(1));
    expect(e.codeName).toBe("UnknownMethod");
    expect(e.message).toBe("thermo has no method 0x" + Newer.info.reset.id.toString(16));
    expect(r.bridge.links().find((l) => l.name === "net0")!.refused).toEqual([]); // not the bridge's own refusal
  });

  it("forwards a CANCEL to the instance with the id it knows the request by", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const ac = new AbortController();
    const p = client(r.clients[0]).hold(5, { signal: ac.signal });
    await until(() => r!.devices[0].held.length === 1);
    ac.abort();
    expect((await failure(p)).codeName).toBe("Cancelled");
    await until(() => r!.devices[0].held[0].ctx.cancelled, 3000, "the device to see the cancel");
    expect(r.bridge.inFlight).toBe(0);
  });

  it("times out at the bridge: TimedOut to the client, CANCEL to the device", async () => {
    r = rig({ bridge: { timeoutMs: 80 } });
    await instances(r.bridge, Thermo.id, 1);
    const started = Date.now();
    const e = await failure(client(r.clients[0]).hold(1));
    expect(e.codeName).toBe("TimedOut");
    expect(e.message).toMatch(/no answer from thermo instance 0x00000100 on dev0 within 80 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
    await until(() => r!.devices[0].held[0].ctx.cancelled, 3000, "the device to see the cancel");
    expect(r.bridge.inFlight).toBe(0);
  });

  it("serves its own cell on every side, also on device links", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const [board] = [r.devices[0].link];
    const b = remote(BridgeCell, board);
    const listing = await b.cells({});
    expect(listing.cells.map((c) => c.name)).toEqual(["thermo"]);
    expect(listing.instanceId).toBe(r.bridge.instanceId);
  });

  it("lets a device call a cell on another device", async () => {
    r = rig({ devices: 2 });
    await instances(r.bridge, Thermo.id, 2);
    // From board 0 the bridge is a way to every instance, board 0's own included.
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) seen.add((await client(r.devices[0].link).add({ a: 1, b: 2 })).by);
    expect([...seen].sort()).toEqual([0x100, 0x101]);
  });

  it("drops an answer for no request in flight, counting UnknownRequest, and keeps serving", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const stray = frame(Kind.Response, 2, Thermo.id, Thermo.info.add.id, 4242, []);
    r.devices[0].link.send(stray);
    r.clients[0].send(frame(Kind.Cancel, 0, Thermo.id, Thermo.info.add.id, 4242, []));
    const drops = (name: string) =>
      r!.bridge
        .links()
        .find((l) => l.name === name)!
        .drops.find((d) => d.reason === "UnknownRequest")?.count;
    await until(() => drops("dev0") === 1 && drops("net0") === 1, 3000, "two UnknownRequest drops");
    expect((await client(r.clients[0]).add({ a: 2, b: 3 })).sum).toBe(5);
  });

  it("treats a client's reused request id as giving up on the old request", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const answers: number[][] = [];
    r.clients[0].onFrame((f) => answers.push([f[2], new DataView(f.buffer, f.byteOffset).getUint32(12, true)]));
    const compact = (type: Type, v: unknown) => {
      const w = new Writer();
      compactCodec.encode(type, v, w);
      return w.view();
    };
    r.clients[0].send(frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.hold.id, 7, compact(Thermo.members.hold.req, 1)));
    await until(() => r!.devices[0].held.length === 1);
    // Id 7 again, for another call: the first is cancelled at the device, the second answered.
    r.clients[0].send(
      frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.add.id, 7, compact(Thermo.members.add.req, { a: 2, b: 4 }))
    );
    await until(() => answers.some(([kind]) => kind === Kind.Response));
    expect(answers.filter(([kind]) => kind !== Kind.Announce)).toEqual([[Kind.Response, 7]]);
    await until(() => r!.devices[0].held[0].ctx.cancelled, 3000, "the device to see the cancel");
    expect(r.bridge.inFlight).toBe(0);
  });

  it("drains: refuses new requests, lets those in flight finish, then closes", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const c = client(r.clients[0]);
    const held = c.hold(3);
    await until(() => r!.devices[0].held.length === 1);
    let drained = false;
    const draining = r.bridge.drain(3000).then(() => (drained = true));
    const e = await failure(c.add({ a: 1, b: 1 }));
    expect([e.codeName, e.message]).toEqual(["Unreachable", "the bridge is stopping"]);
    expect(drained).toBe(false);
    r.devices[0].releaseAll();
    expect((await held).n).toBe(3);
    await draining;
    expect(r.bridge.links().every((l) => l.inFlight === 0)).toBe(true);
    expect((await failure(c.add({ a: 1, b: 1 }))).codeName).toBe("LinkClosed");
  });
});
