// The caller's deadline travels with the request (flag RequestDeadline, spec/rpc.md §2.1): a bridge waits
// as long as the caller does, not its own timeout, and the device gets the request without it (issue 10, item 11).
import { describe, it, expect, afterEach } from "vitest";
import type { Peer } from "../core/transport";
import { loopbackPair } from "../core/loopback";
import { remote } from "../core/host/remote";
import { HEADER_SIZE, Kind, CodecId } from "../core/header";
import { readFileSync } from "node:fs";
import { createBridge } from "../host-bridge/bridge";
import { Thermo, rig, Rig, instances, fast, until, device } from "./bridge-fixtures";
import { frame } from "./rpc-fixtures";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

describe("a caller's deadline through a bridge", () => {
  it("lets a call outlast the bridge's own timeout, and reaches the device without the deadline", async () => {
    r = rig({ bridge: { timeoutMs: 200 } });
    await instances(r.bridge, Thermo.id, 1);
    const c = remote(Thermo, r.clients[0], { timeoutMs: 3000, sendDeadline: true });
    const t0 = Date.now();
    expect(await c.slowRead({ n: 7, ms: 600 })).toEqual({ n: 7, by: 0x100 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    // Decoded as {n: 7, ms: 600}: the device got the request value alone (a left-in varint would not decode so).
    expect(r.devices[0].handled.slowRead).toBe(1);
  });

  it("without a deadline, the bridge's timeout still answers TimedOut", async () => {
    r = rig({ bridge: { timeoutMs: 200 } });
    await instances(r.bridge, Thermo.id, 1);
    const c = remote(Thermo, r.clients[0], { timeoutMs: 3000 });
    await expect(c.slowRead({ n: 7, ms: 600 })).rejects.toMatchObject({
      codeName: "TimedOut",
      message: expect.stringMatching(/within 200 ms/)
    });
  });

  it("times out at the caller's deadline when it is shorter, in deadline order among the bridge's own timeouts", async () => {
    r = rig({ clients: 2, bridge: { timeoutMs: 400 } });
    await instances(r.bridge, Thermo.id, 1);
    const long = remote(Thermo, r.clients[0], { timeoutMs: 5000 }).hold(1);
    const answers: Uint8Array[] = [];
    r.clients[1].onFrame((f) => answers.push(f.slice()));
    // A hand-made request with a 100 ms deadline (varint 0x64) and the flag: the bridge gives up first on it.
    const req = frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.hold.id, 77, [0x64, 5]);
    req[2] |= 0x10;
    r.clients[1].send(req);
    await until(() => answers.some((f) => f[12] === 77), 3000, "the deadline to pass");
    const err = answers.find((f) => f[12] === 77)!;
    expect(err[2] & 15).toBe(Kind.Error);
    expect(err[HEADER_SIZE]).toBe(6); // TimedOut
    expect(new TextDecoder().decode(err.subarray(HEADER_SIZE + 1))).toMatch(/within 100 ms$/);
    await expect(long).rejects.toMatchObject({ codeName: "TimedOut", message: expect.stringMatching(/within 400 ms/) });
  });

  it("answers BadPayload for a malformed deadline, and the device never sees it", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const answers: Uint8Array[] = [];
    r.clients[0].onFrame((f) => answers.push(f.slice()));
    for (const [id, bytes] of [
      [1, [0x80]],
      [2, [0x80, 0x00]],
      [3, [0x00, 1, 2]],
      [4, [0xff, 0xff, 0xff, 0xff, 0x1f]],
      [5, []]
    ] as [number, number[]][]) {
      const req = frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.add.id, id, bytes);
      req[2] |= 0x10;
      r.clients[0].send(req);
    }
    await until(() => answers.filter((f) => (f[2] & 15) === Kind.Error).length === 5, 3000, "five answers");
    for (const f of answers.filter((f) => (f[2] & 15) === Kind.Error))
      expect([f[HEADER_SIZE], new TextDecoder().decode(f.subarray(HEADER_SIZE + 1))]).toEqual([3, "malformed deadline"]);
    expect(r.devices[0].handled.add).toBeUndefined();
  });

  it("a core endpoint reads and skips the deadline of a request it serves itself", async () => {
    const [a, b] = loopbackPair({ schedule: fast });
    const d = device(b, 9);
    const c = remote(Thermo, a, { timeoutMs: 2000, sendDeadline: true });
    const sent: Uint8Array[] = [];
    const send = a.send.bind(a);
    a.send = (f: Uint8Array, to?: Peer) => (sent.push(f.slice()), send(f, to));
    expect(await c.add({ a: 40, b: 2 })).toEqual({ sum: 42, by: 9 });
    expect(sent[0][2]).toBe(0x10); // REQUEST with the flag
    expect(Array.from(sent[0].subarray(HEADER_SIZE, HEADER_SIZE + 2))).toEqual([0xd0, 0x0f]); // 2000 as a varint
    d.announcer.stop();
  });

  it("forwards the spec's deadline vectors to the device as their `forwarded` frames", async () => {
    const vectors = JSON.parse(readFileSync(new URL("../spec/vectors/messages.json", import.meta.url), "utf8"));
    const [board, side] = loopbackPair({ schedule: fast });
    const toDevice: Uint8Array[] = [];
    const send = side.send.bind(side);
    side.send = (f: Uint8Array, to?: Peer) => (toDevice.push(f.slice()), send(f, to));
    const d = device(board, 0x100);
    const bridge = createBridge();
    bridge.addLink(side, { role: "device", name: "dev0" });
    const [client, net] = loopbackPair({ schedule: fast });
    bridge.addLink(net, { role: "network", name: "net0" });
    client.onFrame(() => {});
    await instances(bridge, Thermo.id, 1);
    // A deadline of 2^32-1 ms is past what a timer takes (2^31-1): Node would fire it at once, again and again.
    const overflows: Error[] = [];
    const onWarning = (w: Error) => w.name === "TimeoutOverflowWarning" && overflows.push(w);
    process.on("warning", onWarning);
    try {
      for (const v of vectors.deadline.valid) {
        toDevice.length = 0;
        client.send(new Uint8Array(Buffer.from(v.frame, "hex")));
        await until(() => toDevice.some((f) => (f[2] & 15) === Kind.Request), 3000, "the request to reach the device");
        const f = toDevice.find((f) => (f[2] & 15) === Kind.Request)!;
        const want = new Uint8Array(Buffer.from(v.forwarded, "hex"));
        want.set(f.subarray(12, 16), 12); // the bridge's own request id on the device link
        expect(Buffer.from(f).toString("hex")).toBe(Buffer.from(want).toString("hex"));
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(overflows).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      d.announcer.stop();
      bridge.close();
    }
  });
});
