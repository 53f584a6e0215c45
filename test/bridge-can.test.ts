// Bridges on a shared CAN bus (in-memory bus, ISO-TP links): a bridge announces the cells it holds on
// its CAN link, a second bridge on the bus learns them and routes typed calls there, and nothing is
// offered back on the bus it came from. Boards sitting on the bus itself are learned by every bridge.
import { describe, it, expect, afterEach } from "vitest";
import { loopbackPair } from "../core/loopback";
import { decodeHeader, newHeader, Kind } from "../core/header";
import { decodeAnnounce } from "../core/rpc/announce-payload";
import { createBridge } from "../host-bridge/bridge";
import { canLink, CanLink } from "../transports/can/can-link";
import { memoryCanBus, MemoryBus } from "../transports/testing/can-bus";
import { Thermo, device, client, fast, until, Device } from "./bridge-fixtures";

const CAN = { role: "device", announce: true, learnBridges: true } as const;
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0).reverse()) c();
});

function onBus(bus: MemoryBus, node: number): CanLink {
  return canLink(bus.adapter(`n${node}`), { node });
}

/** Bridge A holds a board (loopback) and sits on the bus as node 1; bridge B is node 2 with a client. */
function twoBridges() {
  const bus = memoryCanBus();
  const logA: string[] = [];
  const logB: string[] = [];
  const a = createBridge({ instanceId: 0xa, log: (l) => logA.push(l) });
  const b = createBridge({ instanceId: 0xb, log: (l) => logB.push(l) });
  const [board, side] = loopbackPair({ schedule: fast });
  a.addLink(side, { role: "device", name: "board" });
  const d = device(board, 0xb0a4d);
  a.addLink(onBus(bus, 1), { ...CAN, name: "can" });
  b.addLink(onBus(bus, 2), { ...CAN, name: "can" });
  const [user, net] = loopbackPair({ schedule: fast });
  b.addLink(net, { role: "network", name: "net" });
  cleanup.push(() => (d.announcer.stop(), a.close(), b.close()));
  return { bus, a, b, d, user, logA, logB };
}

/** The cells each node announced on the bus, by node. */
function announced(bus: MemoryBus): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // ANNOUNCEs go to all on the functional ids 0x6Fn, segmented (FF + CFs, in order, no flow control).
  const parts = new Map<string, number[]>();
  for (const { from, frame } of bus.log) {
    if ((frame.id & 0x7f0) !== 0x6f0) continue;
    const d = frame.data;
    const type = d[0] >> 4;
    if (type === 1) parts.set(from, [((d[0] & 15) << 8) | d[1], ...d.subarray(2)]);
    else if (type === 2 && parts.has(from)) parts.get(from)!.push(...d.subarray(1));
    else continue;
    const p = parts.get(from)!;
    if (p.length - 1 < p[0]) continue;
    const msg = new Uint8Array(p.slice(1, 1 + p[0]));
    parts.delete(from);
    const h = newHeader();
    if (decodeHeader(msg, 0, msg.length, h) !== null || h.kind !== Kind.Announce) continue;
    const a = decodeAnnounce(msg.subarray(20));
    if (a) out.set(from, [...new Set([...(out.get(from) ?? []), ...a.cells.map((c) => c.name)])]);
  }
  return out;
}

describe("bridges on a CAN bus", () => {
  it("a second bridge lists the first one's cells and routes typed calls to them", async () => {
    const { bus, b, user, logB } = twoBridges();
    await until(() => b.cells().some((c) => c.name === "thermo"), 3000, "bridge B to learn thermo over CAN");
    expect(b.cells().find((c) => c.name === "thermo")).toMatchObject({ cellId: Thermo.id, link: "can", instanceId: 0xa });
    expect(logB.some((l) => /^\+ thermo 0x2d2ce39e .* instance 0x0000000a on can can:1, ttl 3000 ms$/.test(l))).toBe(true);
    const thermo = client(user);
    expect(await thermo.read({ unit: "C" })).toEqual({ value: 21.5, unit: "C", by: 0xb0a4d });
    expect(await thermo.add({ a: 40, b: 2 })).toEqual({ sum: 42, by: 0xb0a4d });
    const big = await thermo.echo(new Uint8Array(700).fill(5)); // segmented both ways, across two hops
    expect(big.length).toBe(700);
    // Nothing loops: B offers nothing it learned on the bus back on the bus, A never learns its own board back.
    const names = announced(bus);
    expect(names.get("n1")).toEqual(["bridge", "thermo"]);
    expect(names.get("n2")).toEqual(["bridge"]);
  });

  it("a board on the bus itself is learned by every bridge there", async () => {
    const { bus, a, b, user } = twoBridges();
    const boardLink = onBus(bus, 7);
    const d: Device = device(boardLink, 0xcafe);
    cleanup.push(() => (d.announcer.stop(), boardLink.close()));
    await until(
      () => a.cells().some((c) => c.instanceId === 0xcafe) && b.cells().some((c) => c.instanceId === 0xcafe),
      3000,
      "both bridges to learn the CAN board"
    );
    expect(b.cells().find((c) => c.instanceId === 0xcafe)).toMatchObject({ name: "thermo", link: "can", peer: "can:7" });
    const thermo = client(user);
    const answers = new Set<number>();
    for (let i = 0; i < 12; i++) answers.add((await thermo.read({ unit: "F" })).by);
    expect([...answers].every((x) => x === 0xb0a4d || x === 0xcafe)).toBe(true);
  });

  it("a bridge that leaves the bus says goodbye: the other forgets its cells", async () => {
    const { a, b } = twoBridges();
    await until(() => b.cells().some((c) => c.name === "thermo"), 3000);
    a.close();
    await until(() => !b.cells().some((c) => c.name === "thermo"), 3000, "B to forget thermo");
  });
});
