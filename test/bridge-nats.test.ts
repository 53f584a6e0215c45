// End to end over NATS (Debian's nats-server on a loopback port): clients call through one or two bridges;
// two bridges serving the same cell share its requests (queue group), and one of them stops mid-run.
import { describe, it, expect, beforeAll, afterAll, afterEach } from "vitest";
import { openNats, NatsTransport } from "../transports/nats";
import { loopbackPair } from "../core/loopback";
import { remote } from "../core/host/remote";
import { createBridge, Bridge, BridgeCell } from "../host-bridge";
import { Thermo, device, Device, instances, client, until, fast } from "./bridge-fixtures";
import { natsServer } from "./bridge-net-fixtures";

let server: Awaited<ReturnType<typeof natsServer>>;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  server = await natsServer();
}, 20000);

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A bridge with one board on a loopback link and a NATS side. */
async function natsBridge(instanceId: number, idempotent = false): Promise<{ bridge: Bridge; board: Device; nats: NatsTransport }> {
  const bridge = createBridge({ idempotent: idempotent ? [Thermo] : [] });
  const [boardEnd, side] = loopbackPair({ schedule: fast });
  bridge.addLink(side, { role: "device", name: "board" });
  const board = device(boardEnd, instanceId);
  const nats = await openNats({ servers: server.url });
  bridge.addLink(nats, { role: "network", name: "nats" });
  await instances(bridge, Thermo.id, 1);
  await until(() => nats.served.includes(Thermo.id));
  await nats.flush();
  cleanups.push(() => {
    board.announcer.stop();
    bridge.close();
  });
  return { bridge, board, nats };
}

async function natsClient(): Promise<NatsTransport> {
  const link = await openNats({ servers: server.url });
  cleanups.push(() => link.close());
  return link;
}

describe("bridge over NATS", () => {
  it("answers typed calls and relays events to NATS clients", async () => {
    const { board } = await natsBridge(0xa);
    const c = client(await natsClient());
    expect(await c.read({ unit: "F" })).toEqual({ value: expect.closeTo(70.7, 4), unit: "F", by: 0xa });
    const got: number[] = [];
    await c.on("alarm", (v) => got.push(v.value));
    board.server.emit("alarm", { value: 12.5, by: 0xa });
    await until(() => got.length === 1);
    expect(got).toEqual([12.5]);
    const b = remote(BridgeCell, await natsClient());
    expect((await b.cells({})).cells.map((x) => x.name)).toEqual(["thermo"]);
  });

  it("drops and counts bad messages on its NATS subjects, and keeps serving", async () => {
    const { bridge, nats } = await natsBridge(0xc);
    const natsLib = await import("nats");
    const raw = await natsLib.connect({ servers: server.url });
    cleanups.push(() => raw.close());
    const junk = [new Uint8Array([1, 2, 3]), new Uint8Array(30).fill(0xff), new Uint8Array(nats.maxFrame + 10)];
    for (const j of junk) {
      raw.publish(nats.subjects.request(Thermo.id), j, { reply: "junk.reply" });
      raw.publish(nats.subjects.announce(), j);
    }
    await raw.flush();
    const drops = () =>
      Object.fromEntries(
        bridge
          .links()
          .find((l) => l.name === "nats")!
          .drops.map((d) => [d.reason, d.count])
      );
    await until(() => (drops().TooShort ?? 0) === 2 && (drops().BadMagic ?? 0) === 2 && (drops().TooLong ?? 0) === 2, 5000, "six drops");
    expect((await client(await natsClient()).add({ a: 1, b: 2 })).sum).toBe(3);
  });

  it("spreads requests over two bridges serving the same cell", async () => {
    const a = await natsBridge(0xa);
    const b = await natsBridge(0xb);
    const c = client(await natsClient());
    const by: number[] = [];
    for (let round = 0; round < 5; round++) {
      // 40 at once: within one board's 64 even if NATS sends them all to one bridge.
      const batch = await Promise.all(Array.from({ length: 40 }, (_, i) => c.add({ a: round * 40 + i, b: 1 })));
      batch.forEach((x, i) => expect(x.sum).toBe(round * 40 + i + 1));
      by.push(...batch.map((x) => x.by));
    }
    const onA = by.filter((x) => x === 0xa).length;
    const onB = by.filter((x) => x === 0xb).length;
    expect(onA + onB).toBe(200);
    expect(Math.min(onA, onB)).toBeGreaterThan(30); // NATS picks a queue member at random
    expect(a.board.handled.add + b.board.handled.add).toBe(200);
  });

  for (const how of ["close", "drain"] as const) {
    it(`stop one of two bridges mid-run (${how}): nothing answered twice or wrongly, the rest go to the survivor`, async () => {
      const a = await natsBridge(0xa, true);
      const b = await natsBridge(0xb, true);
      const link = await natsClient();
      const c = client(link, 1500);
      let next = 0;
      let wrong = 0;
      const answered: number[] = [];
      const failures: string[] = [];
      const afterStop: number[] = [];
      let stopped = false;
      let inFlightAtStop = 0;
      // Calls that take 20 ms, half of them idempotent: several are in flight at each bridge at any time.
      const worker = async () => {
        while (next < 300) {
          const seq = next++;
          const sentAfterStop = stopped;
          try {
            const ms = 10 + ((seq * 7) % 20); // varied, so that the workers do not fall into step
            const x =
              seq % 2
                ? await c.slowAdd({ a: 1000, b: seq, ms })
                : await c.slowRead({ n: seq, ms }).then((r) => ({ sum: r.n + 1000, by: r.by }));
            if (x.sum === 1000 + seq) answered.push(seq);
            else wrong++;
            if (sentAfterStop) afterStop.push(x.by);
          } catch (e) {
            failures.push(`${(e as Error & { codeName: string }).codeName}: ${(e as Error).message}`);
          }
        }
      };
      // Stops bridge A a third of the way through, at a moment it holds requests.
      const stopper = async () => {
        await until(() => next >= 100 && a.bridge.inFlight >= 3, 10000, "a moment with requests in flight at A");
        stopped = true;
        inFlightAtStop = a.bridge.inFlight;
        if (how === "close") a.bridge.close();
        else await a.bridge.drain(2000);
      };
      await Promise.all([stopper(), ...Array.from({ length: 16 }, worker)]);
      expect(inFlightAtStop).toBeGreaterThan(0); // the stop did catch requests in flight
      expect(wrong).toBe(0);
      expect(answered.length + failures.length).toBe(300);
      expect(new Set(answered).size).toBe(answered.length); // no request answered twice
      expect(link.stats.drops.UnknownRequest ?? 0).toBe(0); // ... nor a second answer dropped on the way
      // Closed abruptly, A loses what NATS routed to it in the last moment (NATS core delivers at most
      // once): those callers time out. Drained, A's subscriptions drain first, so nothing is lost.
      const lostInNats = failures.filter((f) => /^TimedOut: thermo\.\w+: no answer within 1500 ms$/.test(f));
      const stopping = failures.filter((f) => f === "Unreachable: the bridge is stopping");
      expect(lostInNats.length + stopping.length).toBe(failures.length); // every failure is a clear one
      expect(lostInNats.length).toBeLessThanOrEqual(how === "drain" ? 0 : 3);
      if (how === "drain")
        expect(stopping).toEqual([]); // drained: every request A held finished
      // Closed: those A held fail at once, and so do requests NATS routed to A while its subscriptions
      // drained (a clear "stopping" instead of a timeout), so at least as many as A held.
      else expect(stopping.length).toBeGreaterThanOrEqual(inFlightAtStop);
      // Each non-idempotent request ran at most once.
      const ran = (a.board.handled.slowAdd ?? 0) + (b.board.handled.slowAdd ?? 0);
      expect(ran).toBeLessThanOrEqual(150);
      // Once the stop is through, the survivor takes everything.
      expect(afterStop.length).toBeGreaterThan(100);
      expect(afterStop.slice(-100).every((x) => x === 0xb)).toBe(true);
    }, 30000);
  }
});
