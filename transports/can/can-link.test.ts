// The CAN link over an in-memory bus: typed calls, segmentation with flow control (BS, STmin), CAN FD,
// messages to all, and the faults: a lost consecutive frame, no flow control, a 4 GiB first frame,
// bus-off, two nodes with one address.
import { describe, it, expect, afterEach } from "vitest";
import { CellError } from "../../core/errors";
import { memoryCanBus, MemoryBus, toward } from "../testing/can-bus";
import { makeFrame } from "../testing/frames";
import { canLink, CanLink, CanLinkOptions } from "./can-link";
import { device, client, until, Device } from "../../test/bridge-fixtures";

const open: CanLink[] = [];
const devices: Device[] = [];
afterEach(() => {
  for (const d of devices.splice(0)) d.announcer.stop();
  for (const l of open.splice(0)) l.close();
});

function node(bus: MemoryBus, n: number, o: Partial<CanLinkOptions> & { fd?: boolean } = {}): CanLink {
  const link = canLink(bus.adapter(`n${n}`, { fd: o.fd }), { node: n, ...o });
  open.push(link);
  return link;
}

function pair(o: Partial<CanLinkOptions> & { fd?: boolean } = {}, timeoutMs = 3000) {
  const bus = memoryCanBus();
  const a = node(bus, 1, o);
  const b = node(bus, 2, o);
  const d = device(b, 0xb0a4d, 60000);
  devices.push(d);
  const thermo = client(toward(a, a.peer(2)), timeoutMs);
  return { bus, a, b, thermo, d };
}

const frames = (bus: MemoryBus, from: string, pci: number) => bus.log.filter((x) => x.from === from && x.frame.data[0] >> 4 === pci).length;

describe("CAN link", () => {
  it("carries typed calls; small answers in one frame, larger ones segmented with flow control", async () => {
    const { bus, a, b, thermo } = pair();
    expect(await thermo.read({ unit: "C" })).toEqual({ value: 21.5, unit: "C", by: 0xb0a4d });
    const big = await thermo.blob(1000);
    expect(big.length).toBe(1000);
    expect(big.every((x) => x === 7)).toBe(true);
    expect(frames(bus, "n1", 3)).toBeGreaterThanOrEqual(1); // node 1 gave flow control for the blob's answer
    expect(bus.log.every((x) => x.frame.data.length === 8 && !x.frame.extended && !x.frame.fd)).toBe(true);
    expect(bus.log.every((x) => (x.frame.id & 0x700) === 0x600)).toBe(true);
    expect([a.stats.drops, b.stats.drops]).toEqual([{}, {}]);
  });

  it("honours the receiver's block size and STmin, with 29-bit ids", async () => {
    const { bus, thermo } = pair({ blockSize: 2, stMinMs: 1, ids: "29-bit" });
    const t0 = Date.now();
    const echo = await thermo.echo(new Uint8Array(200).fill(9));
    expect(echo.length).toBe(200);
    // 200 bytes + header in ~32 frames each way; a FC after every 2 CFs.
    expect(frames(bus, "n2", 3)).toBeGreaterThanOrEqual(14);
    expect(frames(bus, "n1", 3)).toBeGreaterThanOrEqual(14);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25); // ≥ 1 ms between consecutive frames
    expect(bus.log.every((x) => x.frame.extended && (x.frame.id >>> 16 === 0x18da || x.frame.id >>> 16 === 0x18db))).toBe(true);
  });

  it("uses 64-byte CAN FD frames when the adapter can", async () => {
    const { bus, thermo } = pair({ fd: true });
    expect((await thermo.echo(new Uint8Array(500).fill(1))).length).toBe(500);
    const cfs = bus.log.filter((x) => x.frame.data[0] >> 4 === 2);
    expect(cfs.length).toBeLessThanOrEqual(2 * 8);
    expect(bus.log.every((x) => x.frame.fd)).toBe(true);
    expect(Math.max(...bus.log.map((x) => x.frame.data.length))).toBe(64);
  });

  it("sends a frame without a peer to all nodes, with the sender as `from`", async () => {
    const bus = memoryCanBus();
    const [a, b, c] = [node(bus, 1), node(bus, 2), node(bus, 3)];
    const got: string[] = [];
    b.onFrame((f, from) => got.push(`b ${f.length} ${from!.id}`));
    c.onFrame((f, from) => got.push(`c ${f.length} ${from!.id}`));
    a.send(makeFrame(120));
    await until(() => got.length === 2);
    expect(got.sort()).toEqual(["b 120 can:1", "c 120 can:1"]);
    expect(bus.log.filter((x) => x.frame.data[0] >> 4 === 3)).toEqual([]); // no flow control for messages to all
    expect(bus.log.every((x) => x.frame.id === 0x6f1)).toBe(true);
  });

  it("drops a message whose consecutive frame was lost (counted) and delivers the next one whole", async () => {
    const { bus, b, thermo } = pair({ frameTimeoutMs: 200 }, 600);
    let lost = false;
    bus.lose = (f, from) => !lost && from === "n1" && f.data[0] === 0x23 && (lost = true);
    const first = thermo.echo(new Uint8Array(60).fill(3)).catch((e: CellError) => e);
    await until(() => (b.stats.drops.BadSequence ?? 0) === 1, 3000, "the wrong sequence number to be counted");
    expect(await thermo.echo(new Uint8Array(60).fill(4))).toEqual(new Uint8Array(60).fill(4));
    expect(((await first) as CellError).codeName).toBe("TimedOut");
    expect(b.stats.framesIn).toBe(1); // the request cut by the lost frame never became a frame
  });

  it("gives up a message the peer gives no flow control for (N_Bs), with a clear error", async () => {
    const bus = memoryCanBus();
    const a = node(bus, 1, { flowControlTimeoutMs: 100 });
    bus.adapter("silent-listener"); // node 2 is absent: nobody answers the first frame
    const errors: string[] = [];
    a.onError((e) => errors.push(e.message));
    a.send(makeFrame(70), a.peer(2));
    await until(() => errors.length === 1, 3000);
    expect(errors[0]).toBe("can: no flow control from node 2 within 100 ms (N_Bs); a 70-byte message was dropped");
    expect(a.stats.drops).toEqual({ NoFlowControl: 1 });
    expect(bus.log.filter((x) => x.frame.data[0] >> 4 === 2)).toEqual([]); // no consecutive frame was sent blind
  });

  it("times out a message whose consecutive frames stop (N_Cr)", async () => {
    const bus = memoryCanBus();
    const b = node(bus, 2, { frameTimeoutMs: 50 });
    const got: Uint8Array[] = [];
    b.onFrame((f) => got.push(f));
    bus.inject({ id: 0x621, extended: false, data: new Uint8Array([0x10, 0x20, 0xce, 1, 0, 0, 0, 0]) });
    await until(() => (b.stats.drops.ReceiveTimeout ?? 0) === 1, 3000);
    expect(got).toEqual([]);
  });

  it("refuses a first frame claiming 4 GiB with an overflow flow control, allocating nothing", async () => {
    const bus = memoryCanBus();
    const b = node(bus, 2);
    const before = process.memoryUsage().arrayBuffers;
    bus.inject({ id: 0x621, extended: false, data: new Uint8Array([0x10, 0, 0xff, 0xff, 0xff, 0xff, 0xce, 1]) });
    await until(() => (b.stats.drops.TooLong ?? 0) === 1);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    const fc = bus.log.find((x) => x.from === "n2")!.frame;
    expect([fc.id, Buffer.from(fc.data).toString("hex")]).toEqual([0x612, "320000cccccccccc"]);
  });

  it("on bus-off fails sends at once and drops what was in progress, with one clear error", async () => {
    const bus = memoryCanBus();
    const adapter = bus.adapter("n1");
    const a = canLink(adapter, { node: 1, busOffRecoveryMs: 100000 });
    open.push(a);
    const errors: string[] = [];
    a.onError((e) => errors.push(e.message));
    a.send(makeFrame(70), a.peer(2)); // waits for flow control
    adapter.fail(true);
    expect(errors).toEqual(["can n1 node 1: bus-off; 1 message dropped"]);
    expect(a.stats.drops).toEqual({ BusError: 1 });
    expect(() => a.send(makeFrame(20), a.peer(2))).toThrow(/bus-off/);
    bus.inject({ id: 0x123, extended: false, data: new Uint8Array(1) }); // the controller hears the bus again
    await until(() => {
      try {
        a.send(makeFrame(20), a.peer(3));
        return true;
      } catch {
        return false;
      }
    });
  });

  it("notices another node using its address", async () => {
    const bus = memoryCanBus();
    const a = node(bus, 1);
    const errors: string[] = [];
    a.onError((e) => errors.push(e.message));
    bus.inject({ id: 0x621, extended: false, data: new Uint8Array([1, 0]) });
    bus.inject({ id: 0x6f1, extended: false, data: new Uint8Array([1, 0]) });
    await until(() => (a.stats.drops.AddressConflict ?? 0) === 2);
    expect(errors).toEqual(["can n1 node 1: another node sends with this node's address 1; give each node its own"]);
  });

  it("refuses bad options and oversize frames plainly", () => {
    const bus = memoryCanBus();
    expect(() => canLink(bus.adapter("x"), { node: 15 })).toThrow("can: node address 15 is not 0..14 (11-bit ids)");
    expect(() => canLink(bus.adapter("y"), { node: 1, fd: true })).toThrow("can: y does not carry CAN FD frames");
    const a = node(bus, 1, { maxFrame: 100 });
    expect(() => a.send(makeFrame(101), a.peer(2))).toThrow(/exceeds the link's 100/);
  });
});
