// Several instances of one cell: load spread by requests in flight, health by TTL, failover and retries.
import { describe, it, expect, afterEach } from "vitest";
import { Thermo, rig, Rig, instances, client, failure, until } from "./bridge-fixtures";

/** Settles at once (no unhandled rejection while the test waits), with the outcome as allSettled gives it. */
function settle<V>(p: Promise<V>): Promise<PromiseSettledResult<V>> {
  return p.then(
    (value) => ({ status: "fulfilled", value }) as const,
    (reason) => ({ status: "rejected", reason }) as const
  );
}

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

const inFlight = (rg: Rig) => rg.bridge.cells().map((c) => [c.instanceId, c.inFlight]);

describe("bridge load sharing", () => {
  it("sends each request to the instance with the fewest in flight", async () => {
    r = rig({ devices: 2 });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    const done: number[] = [];
    const first = Array.from({ length: 10 }, (_, i) => c.hold(i).then((x) => done.push(x.by)));
    await until(() => r!.devices[0].held.length + r!.devices[1].held.length === 10);
    expect(r.devices.map((d) => d.held.length)).toEqual([5, 5]);
    expect(inFlight(r)).toEqual([
      [0x100, 5],
      [0x101, 5]
    ]);
    // Board 0 finishes its work: the next four all go to it, since it has fewer in flight throughout.
    r.devices[0].releaseAll();
    await until(() => done.length === 5);
    expect(done).toEqual([0x100, 0x100, 0x100, 0x100, 0x100]);
    expect(inFlight(r)).toEqual([
      [0x100, 0],
      [0x101, 5]
    ]);
    const next = Array.from({ length: 4 }, (_, i) => c.hold(100 + i));
    await until(() => r!.devices[0].held.length === 4);
    expect(r.devices[1].held.length).toBe(5);
    r.devices[0].releaseAll();
    r.devices[1].releaseAll();
    expect((await Promise.all(next)).map((x) => x.by)).toEqual([0x100, 0x100, 0x100, 0x100]);
    await Promise.all(first);
    expect(inFlight(r)).toEqual([
      [0x100, 0],
      [0x101, 0]
    ]);
  });

  it("alternates between equally loaded instances", async () => {
    r = rig({ devices: 2 });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    const by: number[] = [];
    for (let i = 0; i < 10; i++) by.push((await c.add({ a: i, b: i })).by);
    expect(by.filter((x) => x === 0x100).length).toBe(5);
    expect(by.filter((x) => x === 0x101).length).toBe(5);
  });
});

describe("bridge health", () => {
  it("drops an instance silent for its TTL: its requests in flight fail Unreachable, new ones go to the survivor", async () => {
    r = rig({ devices: 2, ttlMs: 150 });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    const calls = Array.from({ length: 4 }, (_, i) => c.hold(i));
    await until(() => r!.devices[1].held.length === 2 && r!.devices[0].held.length === 2);
    const t0 = Date.now();
    r.devices[1].mute(); // power lost: no answer, no ANNOUNCE, no goodbye
    const onBoard1 = r.devices[1].held.map((h) => calls[h.n]);
    const onBoard0 = r.devices[0].held.map((h) => calls[h.n]);
    const outcomes = await Promise.allSettled(onBoard1);
    const waited = Date.now() - t0;
    for (const o of outcomes) {
      expect(o.status).toBe("rejected");
      const e = (o as PromiseRejectedResult).reason;
      expect(e.codeName).toBe("Unreachable");
      expect(e.message).toMatch(/thermo instance 0x00000101 on dev1 fell silent \(no ANNOUNCE for 150 ms\) with the request in flight/);
    }
    expect(waited).toBeGreaterThanOrEqual(50); // not before the TTL ran out (less what had passed since the last ANNOUNCE)
    expect(waited).toBeLessThan(1000);
    expect(r.bridge.cells().map((x) => x.instanceId)).toEqual([0x100]);
    expect(r.log.some((l) => l.startsWith("- thermo") && l.includes("instance 0x00000101") && l.endsWith("expired"))).toBe(true);
    // Silent is not necessarily dead: the board was told to drop those requests (it still hears).
    await until(() => r!.devices[1].held.every((h) => h.ctx.cancelled), 3000, "the silent board to see the cancels");
    // New requests go to the survivor; the survivor's own requests were never disturbed.
    for (let i = 0; i < 4; i++) expect((await c.add({ a: 1, b: i })).by).toBe(0x100);
    r.devices[0].releaseAll();
    expect((await Promise.all(onBoard0)).map((x) => x.by)).toEqual([0x100, 0x100]);
    expect(r.bridge.inFlight).toBe(0);
  });

  it("retries an idempotent request once on another instance when its instance is lost", async () => {
    r = rig({ devices: 2, ttlMs: 150, bridge: { idempotent: [Thermo] } });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    const calls = Array.from({ length: 6 }, (_, i) => c.holdIdem(i));
    await until(() => r!.devices[0].held.length === 3 && r!.devices[1].held.length === 3);
    r.devices[1].mute();
    // Board 1's three are sent again, to board 0, once board 1 expires.
    await until(() => r!.devices[0].held.length === 6, 3000, "the retried requests to reach board 0");
    r.devices[0].releaseAll();
    const results = await Promise.all(calls);
    expect(results.map((x) => x.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.every((x) => x.by === 0x100)).toBe(true);
    expect(r.devices[0].handled.holdIdem).toBe(6);
    expect(r.bridge.inFlight).toBe(0);
  });

  it('learns idempotent methods named as "cell.method" by describing the cell', async () => {
    r = rig({ devices: 2, ttlMs: 150, bridge: { idempotent: ["thermo.holdIdem", "thermo.nope"] } });
    await instances(r.bridge, Thermo.id, 2);
    await until(() => r!.log.some((l) => l.includes("idempotent: thermo has no method nope")), 3000, "the describe");
    const c = client(r.clients[0]);
    const idem = [c.holdIdem(1), c.holdIdem(2)].map(settle);
    const plain = [c.hold(3), c.hold(4)].map(settle);
    await until(() => r!.devices[0].held.length === 2 && r!.devices[1].held.length === 2);
    const onBoard1 = r.devices[1].held.map((h) => h.n);
    r.devices[1].mute();
    await until(() => r!.devices[0].held.length === 3, 3000, "the idempotent one to be retried");
    r.devices[0].releaseAll();
    const settled = await Promise.all([...idem, ...plain]);
    for (const [i, n] of [1, 2, 3, 4].entries()) {
      const s = settled[i];
      const lostPlain = n >= 3 && onBoard1.includes(n);
      expect(s.status).toBe(lostPlain ? "rejected" : "fulfilled");
      if (lostPlain) expect((s as PromiseRejectedResult).reason.codeName).toBe("Unreachable");
    }
  });

  it("retries an idempotent request when its instance answers Unreachable, and passes it on for others", async () => {
    r = rig({ devices: 2, bridge: { idempotent: [Thermo] } });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    const idem = [c.holdIdem(1), c.holdIdem(2)].map(settle);
    const plain = [c.hold(3), c.hold(4)].map(settle);
    await until(() => r!.devices[0].held.length === 2 && r!.devices[1].held.length === 2);
    const onBoard1 = r.devices[1].held.map((h) => h.n);
    r.devices[1].server.close(); // answers its requests in flight with ERROR Unreachable
    await until(() => r!.devices[0].held.length === 3);
    r.devices[0].releaseAll();
    const settled = await Promise.all([...idem, ...plain]);
    settled.forEach((s, i) => {
      const n = i + 1;
      if (n >= 3 && onBoard1.includes(n)) {
        expect(s.status).toBe("rejected");
        expect((s as PromiseRejectedResult).reason.message).toBe("thermo stopped being served");
      } else expect(s.status).toBe("fulfilled");
    });
  });

  it("forgets the instances of a link that closes and fails their requests at once", async () => {
    r = rig({ devices: 2 });
    await instances(r.bridge, Thermo.id, 2);
    const c = client(r.clients[0]);
    const calls = [c.hold(1), c.hold(2)];
    await until(() => r!.devices[0].held.length === 1 && r!.devices[1].held.length === 1);
    const lost = calls[r.devices[1].held[0].n - 1];
    const kept = calls[r.devices[0].held[0].n - 1];
    r.devices[1].link.close();
    const e = await failure(lost);
    expect(e.codeName).toBe("Unreachable");
    expect(e.message).toMatch(/went away/);
    expect(r.bridge.cells().map((x) => x.instanceId)).toEqual([0x100]);
    expect(r.log).toContain("link dev1 closed");
    r.devices[0].releaseAll();
    expect((await kept).by).toBe(0x100);
  });

  it("drops an instance at once when it says goodbye", async () => {
    r = rig({ devices: 2 });
    await instances(r.bridge, Thermo.id, 2);
    r.devices[1].announcer.stop();
    await instances(r.bridge, Thermo.id, 1);
    const by = new Set<number>();
    for (let i = 0; i < 4; i++) by.add((await client(r.clients[0]).add({ a: 0, b: 0 })).by);
    expect([...by]).toEqual([0x100]);
  });
});
