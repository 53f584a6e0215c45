// The BLE link (Nordic UART Service, stream framing) against an in-memory NUS peripheral that behaves as
// a real one: MTU 23 and 247, notifications cut at odd places, write-without-response buffers that
// overflow if the central does not wait, a disconnect in the middle of a frame, and reconnecting.
import { describe, it, expect, afterEach } from "vitest";
import { streamLink } from "../../core/stream-link";
import { openBle, BleTransport } from "./ble-link";
import { nusPeripheral, NusPeripheral, NusPeripheralOptions } from "../testing/nus-peripheral";
import { device, client, until, Device } from "../../test/bridge-fixtures";
import { makeFrame } from "../testing/frames";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0).reverse()) c();
});

async function puck(o: NusPeripheralOptions = {}, link: Parameters<typeof openBle>[2] = {}) {
  const peripheral: NusPeripheral = nusPeripheral(o);
  const board: Device = device(streamLink(peripheral.port), 0x9cc, 60000);
  const ble: BleTransport = await openBle("Puck.js a1b2", peripheral.connect, { reconnect: { minDelayMs: 20, maxDelayMs: 100 }, ...link });
  cleanup.push(() => (board.announcer.stop(), ble.close()));
  return { peripheral, board, ble, thermo: client(ble, 3000) };
}

/** An odd, repeatable cut: 1, 2, 3, 5, 7, 11 bytes... */
function oddSplit(): (left: number) => number {
  const sizes = [1, 2, 3, 5, 7, 11, 13];
  let i = 0;
  return (left) => Math.min(left, sizes[i++ % sizes.length]);
}

describe("BLE link over the Nordic UART Service", () => {
  it("agrees MTU 247 and writes chunks of at most 244 bytes", async () => {
    const { peripheral, ble, thermo } = await puck({ maxMtu: 247 });
    expect(peripheral.mtu).toBe(247);
    expect(await thermo.read({ unit: "C" })).toEqual({ value: 21.5, unit: "C", by: 0x9cc });
    const data = new Uint8Array(1000).map((_, i) => i * 7);
    expect(await thermo.echo(data)).toEqual(data);
    expect(Math.max(...peripheral.writes)).toBe(244);
    expect(peripheral.overflows).toBe(0);
    expect(ble.stats.drops).toEqual({});
  });

  it("falls back to MTU 23 (20-byte chunks) and reassembles notifications cut at odd places", async () => {
    const { peripheral, ble, thermo } = await puck({ maxMtu: 23, split: oddSplit() });
    expect(peripheral.mtu).toBe(23);
    for (const n of [0, 1, 19, 20, 21, 300]) {
      const data = new Uint8Array(n).fill(n & 255);
      expect(await thermo.echo(data)).toEqual(data);
    }
    expect(Math.max(...peripheral.writes)).toBe(20);
    expect(ble.stats.drops).toEqual({});
  });

  it("waits for the controller's buffers: a 1 KB frame through one buffer loses nothing", async () => {
    const { peripheral, thermo } = await puck({ maxMtu: 23, buffers: 1 });
    const data = new Uint8Array(1000).map((_, i) => i);
    expect(await thermo.echo(data)).toEqual(data);
    expect(peripheral.writes.length).toBeGreaterThan(50);
    expect(peripheral.overflows).toBe(0);
  });

  it("a disconnect in the middle of a frame: a clear error, the partial frame dropped, then it reconnects", async () => {
    const { peripheral, ble, thermo } = await puck({ maxMtu: 23 });
    expect((await thermo.read({ unit: "C" })).by).toBe(0x9cc);
    const errors: string[] = [];
    ble.onError((e) => errors.push(e.message));
    const status: boolean[] = [];
    ble.onStatus((up) => status.push(up));
    const framesBefore = ble.stats.framesIn;
    peripheral.port.write(new Uint8Array([0x05, 0xce, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06])); // half a frame
    await new Promise((r) => setTimeout(r, 10));
    peripheral.disconnect("supervision timeout");
    await until(() => errors.length === 1, 3000, "the disconnect to be reported");
    expect(errors[0]).toBe("ble Puck.js a1b2 went away: Puck.js a1b2 disconnected (supervision timeout); reconnecting");
    expect(ble.connected).toBe(false);
    expect(() => ble.send(new Uint8Array(20))).toThrow(/disconnected \(reconnecting\)/);
    await until(() => ble.connected, 3000, "the link to reconnect");
    expect(status).toEqual([false, true]);
    expect(peripheral.connections).toBe(2);
    expect((await thermo.read({ unit: "F" })).by).toBe(0x9cc);
    expect(ble.stats.framesIn).toBe(framesBefore + 1); // the cut frame never became one
    expect(Object.values(ble.stats.drops).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("keeps trying while the peripheral is away, and comes back when it advertises again", async () => {
    const { peripheral, ble, thermo } = await puck();
    peripheral.advertising = false;
    peripheral.disconnect("out of range");
    await until(() => !ble.connected);
    await new Promise((r) => setTimeout(r, 150)); // a few refused attempts
    expect(ble.connected).toBe(false);
    peripheral.advertising = true;
    await until(() => ble.connected, 3000);
    expect((await thermo.read({ unit: "C" })).value).toBe(21.5);
  });

  it("without reconnect the link closes on a disconnect", async () => {
    const { peripheral, ble } = await puck({}, { reconnect: false });
    const errors: string[] = [];
    ble.onError((e) => errors.push(e.message));
    let closed = false;
    ble.onClose(() => (closed = true));
    peripheral.disconnect("reset");
    await until(() => closed);
    expect(errors).toEqual(["ble Puck.js a1b2 went away: Puck.js a1b2 disconnected (reset)"]);
  });

  it("bounds what waits to be written", async () => {
    const { ble } = await puck({ maxMtu: 23, buffers: 1 }, { maxQueuedBytes: 2000, maxFrame: 4096 });
    ble.send(makeFrame(1500));
    expect(() => ble.send(makeFrame(1000))).toThrow(/^ble: \d+ bytes already wait for Puck.js a1b2$/);
  });

  it("the simulated peripheral loses writes a central makes without waiting (what the link must avoid)", async () => {
    const peripheral = nusPeripheral({ maxMtu: 23, buffers: 2 });
    const session = await peripheral.connect(23);
    for (let i = 0; i < 6; i++) session.write(new Uint8Array(20)).catch(() => {}); // one still waits when we disconnect
    expect(peripheral.overflows).toBe(4);
    await expect(session.write(new Uint8Array(21))).rejects.toThrow("ATT error 0x0d: invalid attribute value length (21 > 20)");
    session.disconnect();
  });
});
