// A bridge asks who is on a new device link (an empty ANNOUNCE: spec/rpc.md §8.1), so cells appear at once
// instead of at their next ANNOUNCE, and learns from the answer how large a frame the board takes, so a
// request that does not fit is answered TooLarge at once (issue 10, items 2 and 12).
import { describe, it, expect, afterEach } from "vitest";
import { loopbackPair } from "../core/loopback";
import type { Transport } from "../core/transport";
import { createBridge, Bridge } from "../host-bridge/bridge";
import { Thermo, device, Device, client, fast, until, instances } from "./bridge-fixtures";

let bridge: Bridge | null = null;
let devices: Device[] = [];
afterEach(() => {
  for (const d of devices) d.announcer.stop();
  devices = [];
  bridge?.close();
  bridge = null;
});

/** The board's end of a link: takes frames of at most `max` bytes and drops longer ones unanswered, as a UART receiver does. */
function boardEnd(end: Transport, max: number): Transport {
  return {
    maxFrame: max,
    stats: end.stats,
    send: (f, to) => end.send(f, to),
    onFrame: (l) => end.onFrame((f, from) => (f.length <= max ? l(f, from) : undefined)),
    onError: (l) => end.onError(l),
    onClose: (l) => end.onClose(l),
    close: () => end.close()
  };
}

/** A board that has been announcing (every 10 s) since before the bridge was there: its first ANNOUNCE went nowhere. */
async function boardAlready(maxFrame = 1044): Promise<{ board: Transport; side: Transport }> {
  const [a, side] = loopbackPair({ schedule: fast, maxFrame: 1044 });
  const board = boardEnd(a, maxFrame);
  devices.push(device(board, 0x77, 30000));
  await new Promise((r) => setTimeout(r, 20)); // the first ANNOUNCE is delivered to no listener
  return { board, side };
}

describe("bridge query on a new device link", () => {
  it("sees the cells of a board at once, not at its next ANNOUNCE", async () => {
    const { side } = await boardAlready();
    bridge = createBridge();
    const t0 = Date.now();
    bridge.addLink(side, { role: "device", name: "dev0" });
    await instances(bridge, Thermo.id, 1);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(bridge.cells()[0]).toMatchObject({ name: "thermo", instanceId: 0x77, ttlMs: 30000 });
  });

  it("answers TooLarge at once for a request larger than the board's frames, which it learned from the answer", async () => {
    const { side } = await boardAlready(1024);
    const log: string[] = [];
    bridge = createBridge({ log: (l) => log.push(l) });
    bridge.addLink(side, { role: "device", name: "dev0" });
    const [c, net] = loopbackPair({ schedule: fast });
    bridge.addLink(net, { role: "network", name: "net0" });
    await instances(bridge, Thermo.id, 1);
    expect(log).toContain("dev0 takes frames of at most 1024 bytes");
    const remote = client(c, 8000);
    // 1004 bytes: a 1024-byte frame in COMPACT (20 + 2 length + 1002 would fit; 20 + 2 + 1003 does not).
    expect((await remote.echo(new Uint8Array(1002).fill(1))).length).toBe(1002);
    const t0 = Date.now();
    const err = await remote.echo(new Uint8Array(1003).fill(1)).then(
      () => null,
      (e) => e
    );
    expect(err).toMatchObject({ codeName: "TooLarge" });
    expect(err.message).toMatch(
      /request of 1005 bytes does not fit the 1024-byte frames of the link to thermo instance 0x00000077 on dev0/
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(devices[0].handled.echo).toBe(1);
  });

  it("answers a client's query with the bridge's own ANNOUNCE, flagged with the link's maxFrame", async () => {
    bridge = createBridge({ instanceId: 0xb1 });
    const [c, net] = loopbackPair({ schedule: fast, maxFrame: 1400 });
    const heard: Uint8Array[] = [];
    c.onFrame((f) => heard.push(f.slice()));
    bridge.addLink(net, { role: "network", name: "net0" });
    await until(() => heard.length === 1, 3000, "the bridge's first ANNOUNCE");
    expect(heard[0][2]).toBe(0x05);
    c.send(new Uint8Array([0xce, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    await until(() => heard.length === 2, 3000, "the answer to the query");
    const a = heard[1];
    expect(a[2]).toBe(0x15); // ANNOUNCE with the flag AnnounceMaxFrame
    expect(new DataView(a.buffer).getUint32(a.length - 4, true)).toBe(1400);
  });
});
