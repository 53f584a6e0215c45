// The bridge's own cell: cells() and links(), called like any cell through any side.
import { describe, it, expect, afterEach } from "vitest";
import { remote } from "../core/host/remote";
import { streamLink, bytePipe } from "../core/stream-link";
import { StreamEncoder } from "../core/stream";
import { Kind, CodecId } from "../core/header";
import { jsonCodec } from "../core/codecs";
import { BridgeCell } from "../host-bridge";
import { Thermo, rig, Rig, instances, client, until, device, fast } from "./bridge-fixtures";
import { frame } from "./rpc-fixtures";
import { cell, method, t } from "../core/schema";
import { loopbackPair } from "../core/loopback";
import { announce } from "../core/rpc/announce";
import { serve } from "../core/host/serve";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

describe("the bridge cell", () => {
  it("lists cells and instances: name, ids, schema hash, link, last heard, in flight", async () => {
    r = rig({ devices: 2 });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    const pending = c.hold(1);
    await until(() => r!.devices[0].held.length + r!.devices[1].held.length === 1);
    const b = remote(BridgeCell, r.clients[0]);
    const listing = await b.cells({});
    expect(listing.total).toBe(2);
    expect(listing.instanceId).toBe(r.bridge.instanceId);
    expect(listing.cells).toEqual([
      {
        name: "thermo",
        cellId: Thermo.id,
        schemaHash: Thermo.hash,
        instanceId: 0x100,
        link: "dev0",
        peer: "",
        lastHeardMsAgo: expect.any(Number),
        ttlMs: 3000,
        inFlight: r.devices[0].held.length
      },
      {
        name: "thermo",
        cellId: Thermo.id,
        schemaHash: Thermo.hash,
        instanceId: 0x101,
        link: "dev1",
        peer: "",
        lastHeardMsAgo: expect.any(Number),
        ttlMs: 3000,
        inFlight: r.devices[1].held.length
      }
    ]);
    expect(listing.cells[0].lastHeardMsAgo).toBeLessThan(1500);
    r.devices[0].releaseAll();
    r.devices[1].releaseAll();
    await pending;
  });

  it("pages through a long listing", async () => {
    r = rig({ devices: 0 });
    const [board, side] = loopbackPair({ schedule: fast });
    r.bridge.addLink(side, { role: "device", name: "many" });
    const cells = Array.from({ length: 40 }, (_, i) => cell("c" + i, { ping: method(t.u8, t.u8) }));
    for (const c of cells) serve(c, { ping: (x: number) => x }, board);
    const a = announce(board, { instanceId: 9, ttlMs: 3000, cells });
    try {
      await until(() => r!.bridge.cells().length === 40);
      const b = remote(BridgeCell, r.clients[0]);
      const first = await b.cells({});
      expect([first.total, first.cells.length]).toEqual([40, 32]);
      const rest = await b.cells({ skip: 32, limit: 100 });
      expect(rest.cells).toHaveLength(8);
      const names = [...first.cells, ...rest.cells].map((x) => x.name);
      expect(new Set(names).size).toBe(40);
      expect((await b.cells({ skip: 10, limit: 5 })).cells.map((x) => x.name)).toEqual(names.slice(10, 15));
    } finally {
      a.stop();
    }
  });

  it("reports link counters: frames and bytes both ways, drops by reason, CRC failures, refusals", async () => {
    r = rig({ devices: 0 });
    const [boardPort, bridgePort] = bytePipe({ schedule: fast });
    r.bridge.addLink(streamLink(bridgePort, { maxFrame: 1044 }), { role: "device", name: "uart" });
    const d = device(streamLink(boardPort, { maxFrame: 1044 }), 0x77);
    r.devices.push(d);
    await instances(r.bridge, Thermo.id, 1);
    const c = client(r.clients[0]);
    for (let i = 0; i < 5; i++) await c.add({ a: i, b: i });
    // A frame whose CRC was damaged on the line, and one that is not COBS at all.
    const bytes = new StreamEncoder(1044).encode(frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.add.id, 3, [1, 2])).slice();
    bytes[5] ^= 0x40;
    boardPort.inject(bytes);
    boardPort.inject(new Uint8Array([2, 0]));
    const b = remote(BridgeCell, r.clients[0], { codec: jsonCodec });
    await until(() => r!.bridge.links().find((l) => l.name === "uart")!.crcFailures === 1);
    const rows = await b.links({});
    const uart = rows.find((l) => l.name === "uart")!;
    expect(uart).toMatchObject({ role: "device", crcFailures: 1, inFlight: 0, outInFlight: 0, maxPayload: 1024, refused: [] });
    expect(uart.framesOut).toBe(6); // the query on opening the link (rpc.md §8.1), then 5 requests
    expect(uart.framesIn).toBeGreaterThanOrEqual(6); // 5 answers and at least one ANNOUNCE
    expect(uart.bytesIn).toBeGreaterThan(uart.framesIn * 24);
    expect(uart.drops).toEqual([
      { reason: "BadCobs", count: 1 },
      { reason: "BadCrc", count: 1 }
    ]);
    const net = rows.find((l) => l.name === "net0")!;
    expect(net).toMatchObject({ role: "network", maxInFlight: 1024, drops: [] });
    expect(net.framesIn).toBeGreaterThanOrEqual(6); // 5 calls and this links() call
  });
});
