// Bridges over MAVLink (spec/mavlink.md §3): a cell node heard by HEARTBEAT and ANNOUNCE in TUNNEL,
// listed with its system/component and forgotten when its heartbeats stop; and board → bridge →
// MAVLink → bridge → client, the second bridge learning the first one's cells.
import { describe, it, expect } from "vitest";
import { openMavlink, MavlinkTransport } from "../transports/mavlink/index";
import { openUdp } from "../transports/udp";
import { remote } from "../core/host/remote";
import { loopbackPair } from "../core/loopback";
import { createBridge } from "../host-bridge/bridge";
import { Bridge as BridgeCell } from "../host-bridge/bridge-cell";
import { openSides } from "../cli/bridge/open-sides";
import { Thermo, device, until, fast } from "./bridge-fixtures";

const localPort = (l: unknown) => (l as { carrier: { local: { port: number } } }).carrier.local.port;
const sides = (mavlink: string[]) => ({
  serial: [],
  udp: [],
  quic: [],
  nats: [],
  multicast: [],
  mavlink,
  mavlinkSystem: 255,
  mavlinkComponent: 190
});

describe("bridge over MAVLink", () => {
  it("learns a cell node by HEARTBEAT and ANNOUNCE, lists its system/component, routes to it, forgets it when heartbeats stop", async () => {
    const gcs = createBridge({ ttlMs: 3000 });
    let mav: MavlinkTransport | null = null;
    await openSides(sides(["udp:127.0.0.1:0"]), (side) => {
      mav = side.link as MavlinkTransport;
      gcs.addLink(side.link, side.options);
    });
    const net = await openUdp({ listen: "127.0.0.1:0" });
    gcs.addLink(net, { name: "udp" });
    const node = await openMavlink(`udpout:127.0.0.1:${localPort(mav)}`, { system: 1, component: 191, heartbeatMs: 100 });
    const board = device(node, 0x1234, 10000);
    const client = await openUdp(`127.0.0.1:${net.local.port}`);
    const cells = remote(BridgeCell, client, { timeoutMs: 3000 });
    await until(() => gcs.cells().some((c) => c.name === "thermo"), 5000, "thermo listed");
    const row = (await cells.cells({})).cells.find((c) => c.name === "thermo")!;
    expect([row.link, row.peer]).toEqual([`mavlink:udp:127.0.0.1:0`, "mavlink:1/191"]);
    expect((await remote(Thermo, client, { timeoutMs: 3000 }).read({ unit: "C" })).value).toBeCloseTo(21.5);
    // The node stops (no goodbye): its heartbeats stop, and it is forgotten long before its 10 s TTL.
    board.mute();
    const stoppedAt = Date.now();
    node.close();
    await until(() => !gcs.cells().some((c) => c.name === "thermo"), 8000, "thermo forgotten");
    expect(Date.now() - stoppedAt).toBeLessThan(8000); // the peer timeout (5 s), not the TTL (10 s)
    client.close();
    gcs.close();
  }, 20000);

  it("board → bridge → MAVLink → bridge → typed call; the far bridge lists the cell at the near bridge's system/component", async () => {
    const [boardSide, bridgeSide] = loopbackPair({ schedule: fast });
    device(boardSide, 0xb0a7d, 3000);
    const near = createBridge({ ttlMs: 600 });
    near.addLink(bridgeSide, { role: "device", name: "board" });
    const far = createBridge({ ttlMs: 600 });
    let farMav: MavlinkTransport | null = null;
    await openSides(sides(["udp:127.0.0.1:0"]), (side) => {
      farMav = side.link as MavlinkTransport;
      far.addLink(side.link, side.options);
    });
    const nearMav = await openMavlink(`udpout:127.0.0.1:${localPort(farMav)}`, { system: 1, component: 191, heartbeatMs: 200 });
    near.addLink(nearMav, { name: "mavlink", learnBridges: true });
    const net = await openUdp({ listen: "127.0.0.1:0" });
    far.addLink(net, { name: "udp" });
    const client = await openUdp(`127.0.0.1:${net.local.port}`);
    const cells = remote(BridgeCell, client, { timeoutMs: 3000 });
    await until(() => far.cells().some((c) => c.name === "thermo"), 5000, "thermo listed far away");
    const row = (await cells.cells({})).cells.find((c) => c.name === "thermo")!;
    expect(row.peer).toBe("mavlink:1/191");
    expect(row.instanceId).toBe(near.instanceId);
    const thermo = remote(Thermo, client, { timeoutMs: 3000 });
    for (let i = 0; i < 5; i++) expect((await thermo.read({ unit: "F" })).by).toBe(0xb0a7d);
    expect((await thermo.add({ a: 40, b: 2 })).sum).toBe(42);
    // Split horizon: the near bridge learns nothing back over MAVLink (thermo lives on its board link).
    expect(near.cells().filter((c) => c.link === "mavlink")).toEqual([]);
    client.close();
    far.close();
    near.close();
  }, 20000);
});
