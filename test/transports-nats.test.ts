// NATS specifics: the subject scheme, a queue group sharing a cell's requests between instances,
// "no responders" as a fast Unreachable, events on their subject counted per caller, CANCEL, and
// serving cells at run time. nats-server runs on a free loopback port for the whole file.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { connect as natsConnect } from "nats";
import { nats } from "../transports/index";
import { startNatsServer, NatsServer } from "../transports/testing/nats-server";
import { serve, remote } from "../core/host";
import { cell, method, event, t } from "../core/schema";
import { ErrorCode } from "../core/errors";
import { decodeHeader, newHeader, Kind } from "../core/header";
import { waitFor } from "./wait-for";

const Calc = cell("calc", {
  add: method(t.struct({ a: t.i32, b: t.i32 }), t.i32),
  whoami: method(t.struct({}), t.string),
  slow: method(t.u32, t.u32),
  tick: event(t.u32)
});

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server.stop();
});

describe("nats", () => {
  it("names subjects by hex cell and event ids", async () => {
    const link = await nats({ servers: server.url, prefix: "test" });
    expect(link.subjects.request(0x2d2ce39e)).toBe("test.2d2ce39e");
    expect(link.subjects.queue(0x2d2ce39e)).toBe("q.2d2ce39e");
    expect(link.subjects.cancel(5)).toBe("test.00000005.cancel");
    expect(link.subjects.event(0x2d2ce39e, 0xfa865123)).toBe("test.2d2ce39e.event.fa865123");
    expect(link.subjects.announce()).toBe("test.announce");
    link.close();
  });

  it("shares a cell's requests between instances in its queue group; each answer reaches its caller", async () => {
    const one = await nats({ servers: server.url, serve: [Calc.id] });
    const two = await nats({ servers: server.url, serve: [Calc.id] });
    const handlers = (name: string) => ({ add: (r: { a: number; b: number }) => r.a + r.b, whoami: () => name, slow: (n: number) => n });
    serve(Calc, handlers("one"), one);
    serve(Calc, handlers("two"), two);
    const callers = await Promise.all([1, 2, 3].map(() => nats({ servers: server.url })));
    const tally: Record<string, number> = { one: 0, two: 0 };
    await Promise.all(
      callers.map(async (link, c) => {
        const calc = remote(Calc, link);
        for (let i = 0; i < 100; i++) {
          const [who, sum] = await Promise.all([calc.whoami({}), calc.add({ a: c * 1000, b: i })]);
          tally[who]++;
          expect(sum).toBe(c * 1000 + i);
        }
      })
    );
    expect(tally.one + tally.two).toBe(300);
    expect(tally.one).toBeGreaterThan(30); // nats-server picks a queue member at random per message
    expect(tally.two).toBeGreaterThan(30);
    for (const l of [one, two, ...callers]) l.close();
  });

  it("fails a call at once with Unreachable when no instance serves the cell", async () => {
    const caller = await nats({ servers: server.url });
    const started = Date.now();
    const err = await remote(Calc, caller, { timeoutMs: 4000 })
      .add({ a: 1, b: 1 })
      .catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCode.Unreachable });
    expect(err.message).toMatch(/no instance of cell [0-9a-f]{8} listens on NATS/);
    expect(Date.now() - started).toBeLessThan(2000);
    caller.close();
  });

  it("publishes an event once on its subject; a caller's unsubscribe does not stop the others' events", async () => {
    const link = await nats({ servers: server.url, serve: [Calc.id] });
    const srv = serve(Calc, { add: (r) => r.a + r.b, whoami: () => "x", slow: (n) => n }, link);
    const [c1, c2] = await Promise.all([nats({ servers: server.url }), nats({ servers: server.url })]);
    const r1 = remote(Calc, c1);
    const r2 = remote(Calc, c2);
    const got1: number[] = [];
    const got2: number[] = [];
    const l1 = (v: number) => got1.push(v);
    await r1.on("tick", l1);
    await r2.on("tick", (v) => got2.push(v));
    // A plain NATS client can listen on the subject too.
    const plain = await natsConnect({ servers: server.url });
    const plainGot: Uint8Array[] = [];
    plain.subscribe(link.subjects.event(Calc.id, Calc.info.tick.id), { callback: (_e, m) => plainGot.push(m.data) });
    await plain.flush();
    const out = link.stats.framesOut;
    expect(srv.emit("tick", 1)).toBe(1); // one subscriber as the endpoint sees it: the subject
    expect(link.stats.framesOut).toBe(out + 1);
    await waitFor("first tick", () => got1.length === 1 && got2.length === 1 && plainGot.length === 1);
    const h = newHeader();
    expect(decodeHeader(plainGot[0], 0, plainGot[0].length, h)).toBeNull();
    expect(h.kind).toBe(Kind.Event);
    r1.off("tick", l1);
    await r1.add({ a: 0, b: 0 }); // the unsubscribe went before this call
    expect(srv.emit("tick", 2)).toBe(1);
    await waitFor("second tick", () => got2.length === 2);
    expect(got2).toEqual([1, 2]);
    expect(got1).toEqual([1]);
    r2.close(); // the last caller unsubscribes: the endpoint stops sending
    await r1.add({ a: 0, b: 0 });
    await waitFor("no subscriber left", () => srv.emit("tick", 3) === 0);
    await plain.close();
    for (const l of [link, c1, c2]) l.close();
  });

  it("cancels a served request through the cancel subject", async () => {
    const link = await nats({ servers: server.url, serve: [Calc.id] });
    let cancelled = 0;
    serve(
      Calc,
      { add: (r) => r.a + r.b, whoami: () => "x", slow: (_n, ctx) => new Promise<number>(() => ctx.onCancel(() => cancelled++)) },
      link
    );
    const caller = await nats({ servers: server.url });
    const ac = new AbortController();
    const p = remote(Calc, caller).slow(1, { signal: ac.signal });
    await waitFor("request served", () => link.stats.framesIn === 1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    await waitFor("cancel reached the handler", () => cancelled === 1);
    link.close();
    caller.close();
  });

  it("serves and stops serving cells at run time", async () => {
    const link = await nats({ servers: server.url });
    serve(Calc, { add: (r) => r.a + r.b, whoami: () => "x", slow: (n) => n }, link);
    const caller = await nats({ servers: server.url });
    const calc = remote(Calc, caller, { timeoutMs: 3000 });
    await expect(calc.add({ a: 1, b: 2 })).rejects.toMatchObject({ code: ErrorCode.Unreachable });
    await link.serveCell(Calc.id);
    expect(link.served).toEqual([Calc.id]);
    expect(await calc.add({ a: 1, b: 2 })).toBe(3);
    await link.unserveCell(Calc.id);
    expect(link.served).toEqual([]);
    await expect(calc.add({ a: 1, b: 2 })).rejects.toMatchObject({ code: ErrorCode.Unreachable });
    link.close();
    caller.close();
    await expect(link.serveCell(Calc.id)).rejects.toMatchObject({ code: ErrorCode.LinkClosed });
  });

  it("says plainly when no NATS server answers", async () => {
    await expect(nats({ servers: "nats://127.0.0.1:1" })).rejects.toThrow(/nats: cannot connect to nats:\/\/127\.0\.0\.1:1/);
  });
});
