// A bridge with a BLE side (transports/ble/scan-link.ts) against simulated peripherals: it lists the
// cells of Cell beacons without connecting, connects on the first call, routes typed calls over the
// Nordic UART Service, and connects again after the device dropped the connection.
import { describe, it, expect, afterEach } from "vitest";
import { spawn } from "node:child_process";
import { loopbackPair } from "../core/loopback";
import { streamLink } from "../core/stream-link";
import { createBridge } from "../host-bridge/bridge";
import { BridgeCell } from "../host-bridge";
import { remote } from "../core/host/remote";
import { BleScanLink } from "../transports/ble/scan-link";
import { encodeBeacon, encodeBeaconNames } from "../transports/ble/beacon";
import { nusPeripheral } from "../transports/testing/nus-peripheral";
import { simulatedCentral } from "../transports/testing/ble-central";
import { Thermo, device, client, fast, until } from "./bridge-fixtures";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0).reverse()) c();
});

async function rig() {
  const peripheral = nusPeripheral({ maxMtu: 23, split: (n) => Math.min(n, 7) });
  const board = device(streamLink(peripheral.port), 0x00090b0a, 1500); // announces every 500 ms
  const central = simulatedCentral([
    {
      address: "c7:1f:00:0b:0a:01",
      peripheral,
      advertising: encodeBeacon({ instance: 0x0b0a, cellIds: [Thermo.id], more: false }),
      scanResponse: encodeBeaconNames(["thermo"])
    }
  ]);
  const log: string[] = [];
  const bridge = createBridge({ instanceId: 0xb1e, log: (l) => log.push(l) });
  const ble = new BleScanLink(central, { beaconTtlMs: 3000 });
  bridge.addLink(ble, { role: "device", name: "ble" });
  await ble.start();
  const [user, net] = loopbackPair({ schedule: fast });
  bridge.addLink(net, { role: "network", name: "net" });
  cleanup.push(() => (board.announcer.stop(), bridge.close()));
  return { peripheral, bridge, ble, thermo: client(user), bridgeCell: remote(BridgeCell, user), log };
}

describe("bridge --ble", () => {
  it("lists a beacon's cells by name without connecting (what `cell ls` shows)", async () => {
    const { peripheral, bridge, bridgeCell } = await rig();
    await until(() => bridge.cells().some((c) => c.name === "thermo"), 3000, "the beacon's cell to be listed");
    expect(bridge.cells()).toEqual([
      expect.objectContaining({ name: "thermo", cellId: Thermo.id, instanceId: 0x0b0a, link: "ble", peer: "ble:c7:1f:00:0b:0a:01" })
    ]);
    // `cell ls` reads the bridge cell's listing over the network side:
    const listing = await bridgeCell.cells({});
    expect(listing.cells).toEqual([expect.objectContaining({ name: "thermo", cellId: Thermo.id, instanceId: 0x0b0a, link: "ble" })]);
    expect(peripheral.connections).toBe(0);
  });

  it("connects on the first call and routes typed calls over the NUS", async () => {
    const { peripheral, bridge, thermo } = await rig();
    await until(() => bridge.cells().some((c) => c.name === "thermo"));
    expect(await thermo.read({ unit: "C" })).toEqual({ value: 21.5, unit: "C", by: 0x00090b0a });
    expect(peripheral.connections).toBe(1);
    const data = new Uint8Array(600).map((_, i) => i);
    expect(await thermo.echo(data)).toEqual(data); // 20-byte writes, 7-byte notifications
    // Once connected, the device's own ANNOUNCE is heard too: its full instance id.
    await until(() => bridge.cells().some((c) => c.instanceId === 0x00090b0a), 4000, "the device's own ANNOUNCE");
    expect(peripheral.connections).toBe(1);
  });

  it("connects again after the device dropped the connection", async () => {
    const { peripheral, bridge, thermo, log } = await rig();
    await until(() => bridge.cells().some((c) => c.name === "thermo"));
    expect((await thermo.read({ unit: "C" })).by).toBe(0x00090b0a);
    peripheral.disconnect("supervision timeout");
    await until(() => log.some((l) => l.includes("disconnected (supervision timeout)")), 3000, "the disconnect to be logged");
    await new Promise((r) => setTimeout(r, 20));
    expect((await thermo.read({ unit: "F" })).by).toBe(0x00090b0a);
    expect(peripheral.connections).toBe(2);
  });
});

describe("cell bridge --ble", () => {
  it("without a Bluetooth adapter exits Unavailable (4) with one line saying why", async () => {
    const child = spawn(process.execPath, ["cli/bin/cell.mjs", "bridge", "--ble", "--udp", "127.0.0.1:0"], {
      stdio: ["ignore", "pipe", "pipe"]
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (b) => (out += b));
    child.stderr!.on("data", (b) => (err += b));
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", resolve);
      setTimeout(() => resolve(-1), 20000);
    });
    if (code === -1) {
      // This machine has an adapter: then the BLE side must be open.
      process.kill(child.pid!, "SIGKILL");
      return expect(out).toMatch(/device link ble:(noble|node-ble) open/);
    }
    expect(code).toBe(4);
    expect(err).toMatch(/^cell bridge: cannot open ble: ble: no Bluetooth adapter: noble: [^\n]+; node-ble: [^\n]+\n$/);
  }, 30000);
});
