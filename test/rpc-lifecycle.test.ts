// Timeouts, cancellation, deferred answers and closing: every call ends exactly once.
import { describe, it, expect, vi } from "vitest";
import { serve } from "../core/rpc/serve";
import { connect } from "../core/rpc/client";
import { endpoint } from "../core/rpc/endpoint";
import { loopbackPair } from "../core/loopback";
import { Kind } from "../core/header";
import { ErrorCode } from "../core/errors";
import type { CallContext } from "../core/rpc/context";
import { Thermo, ALL, ManualClock, manualPair, recordSends, track } from "./rpc-fixtures";

/** A Thermo whose add() answers only when the test says so. */
function heldServer(clock: ManualClock, opts: object = {}) {
  const [a, b] = manualPair(clock);
  const held: { req: { a: number; b: number }; ctx: CallContext<number>; done: (err: unknown, res?: number) => void; cancels: number }[] =
    [];
  const server = serve(
    Thermo,
    {
      read: (req) => ({ value: 1, unit: req.unit }),
      add: (req, ctx) => {
        const h = { req, ctx, done: ctx.defer(), cancels: 0 };
        ctx.onCancel(() => h.cancels++);
        held.push(h);
      },
      blob: (n) => new Uint8Array(n)
    },
    a,
    { codecs: ALL, ...clock.options() }
  );
  const toServer = recordSends(b);
  const client = connect(Thermo, b, { codecs: ALL, ...clock.options(), ...opts });
  return { a, b, held, server, client, toServer };
}

describe("deferred answers", () => {
  it("answers later through done(); a second done() is ignored", () => {
    const clock = new ManualClock();
    const s = heldServer(clock);
    const o = track((cb) => s.client.call("add", { a: 2, b: 3 }, cb));
    clock.flush();
    expect(s.held).toHaveLength(1);
    expect(s.held[0].ctx.requestId).toBe(1);
    expect(s.held[0].ctx.method).toBe("add");
    expect(o.calls).toBe(0);
    clock.advance(1000);
    s.held[0].done(null, 5);
    s.held[0].done(null, 6);
    s.held[0].done(new Error("late"));
    clock.flush();
    expect(o).toEqual({ err: null, value: 5, calls: 1 });
    expect(s.a.stats.framesOut).toBe(1);
  });
});

describe("timeouts", () => {
  it("fail with TimedOut, send a CANCEL, and the server drops its late answer", () => {
    const clock = new ManualClock();
    const s = heldServer(clock, { timeoutMs: 300 });
    const o = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb));
    clock.advance(299);
    expect(o.calls).toBe(0);
    clock.advance(1);
    expect(o.err).toMatchObject({ code: ErrorCode.TimedOut, message: "thermo.add: no answer within 300 ms" });
    expect(s.toServer.map((f) => f.header.kind)).toEqual([Kind.Request, Kind.Cancel]);
    expect(s.toServer[1].header.requestId).toBe(s.toServer[0].header.requestId);
    clock.flush();
    expect(s.held[0].ctx.cancelled).toBe(true);
    expect(s.held[0].cancels).toBe(1);
    s.held[0].done(null, 2);
    clock.flush();
    expect(s.a.stats.framesOut).toBe(0);
    expect(o.calls).toBe(1);
    expect(endpoint(s.b).calls.count).toBe(0);
  });

  it("a per-call timeout overrides the client's; 0 waits for ever", () => {
    const clock = new ManualClock();
    const s = heldServer(clock, { timeoutMs: 100 });
    const quick = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb, { timeoutMs: 10 }));
    const patient = track((cb) => s.client.call("add", { a: 1, b: 2 }, cb, { timeoutMs: 0 }));
    clock.advance(10);
    expect(quick.err?.code).toBe(ErrorCode.TimedOut);
    clock.advance(1e9);
    expect(patient.calls).toBe(0);
    s.held[1].done(null, 3);
    clock.flush();
    expect(patient.value).toBe(3);
  });

  it("work with the default timers under vitest's fake timers", async () => {
    vi.useFakeTimers();
    try {
      const [a, b] = loopbackPair();
      serve(Thermo, { read: (r) => ({ value: 1, unit: r.unit }), add: (_r, ctx) => void ctx.defer(), blob: (n) => new Uint8Array(n) }, a, {
        codecs: ALL
      });
      const client = connect(Thermo, b, { codecs: ALL });
      const o = track((cb) => client.call("add", { a: 1, b: 1 }, cb));
      await vi.advanceTimersByTimeAsync(4999);
      expect(o.calls).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(o.err?.code).toBe(ErrorCode.TimedOut);
      a.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("cancel", () => {
  it("fails the call with Cancelled at once, sends one CANCEL, and only that handler hears of it", () => {
    const clock = new ManualClock();
    const s = heldServer(clock);
    const kept = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb));
    let handle: { cancel(): void } | null = null;
    const dropped = track((cb) => (handle = s.client.call("add", { a: 2, b: 2 }, cb)));
    clock.flush();
    handle!.cancel();
    expect(dropped.err).toMatchObject({ code: ErrorCode.Cancelled, message: "thermo.add was cancelled" });
    handle!.cancel(); // twice: no second callback, no second CANCEL
    clock.flush();
    expect(s.toServer.filter((f) => f.header.kind === Kind.Cancel)).toHaveLength(1);
    expect(s.held.map((h) => [h.ctx.cancelled, h.cancels])).toEqual([
      [false, 0],
      [true, 1]
    ]);
    s.held[1].done(null, 4); // dropped by the server: nothing is sent
    s.held[0].done(null, 2);
    clock.flush();
    expect(kept).toEqual({ err: null, value: 2, calls: 1 });
    expect(dropped.calls).toBe(1);
    expect(s.a.stats.framesOut).toBe(1);
  });

  it("a cancel that crosses the answer: the callback still runs once, the answer is a counted drop", () => {
    const clock = new ManualClock();
    const s = heldServer(clock);
    let handle: { cancel(): void } | null = null;
    const o = track((cb) => (handle = s.client.call("add", { a: 1, b: 1 }, cb)));
    clock.flush();
    s.held[0].done(null, 2); // the answer is on its way...
    handle!.cancel(); // ...when the client gives up
    clock.flush();
    expect(o).toMatchObject({ calls: 1, err: { code: ErrorCode.Cancelled } });
    expect(s.b.stats.drops.UnknownRequest).toBe(1);
    expect(s.a.stats.drops.UnknownRequest).toBe(1); // the CANCEL found nothing to cancel
  });

  it("onCancel registered after the cancel runs at once", () => {
    const clock = new ManualClock();
    const s = heldServer(clock);
    const handle = s.client.call("add", { a: 1, b: 1 }, () => {});
    clock.flush();
    handle.cancel();
    clock.flush();
    let late = 0;
    s.held[0].ctx.onCancel(() => late++);
    expect(late).toBe(1);
  });
});

describe("closing", () => {
  it("a closed link fails every call in flight with LinkClosed, and later calls too", () => {
    const clock = new ManualClock();
    const s = heldServer(clock);
    const o = [1, 2, 3].map((i) => track((cb) => s.client.call("add", { a: i, b: i }, cb)));
    clock.flush();
    s.b.close();
    for (const x of o) expect(x).toMatchObject({ calls: 1, err: { code: ErrorCode.LinkClosed } });
    expect(s.held.map((h) => h.cancels)).toEqual([1, 1, 1]);
    const after = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb));
    expect(after.calls).toBe(0);
    clock.flush();
    expect(after.err?.code).toBe(ErrorCode.LinkClosed);
    expect(s.server.emit("alarm", { value: 1 })).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("closing a client fails its calls with Cancelled and leaves other clients alone", () => {
    const clock = new ManualClock();
    const s = heldServer(clock);
    const other = connect(Thermo, s.b, clock.options());
    const mine = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb));
    const theirs = track((cb) => other.call("add", { a: 2, b: 2 }, cb));
    clock.flush();
    s.client.close();
    expect(mine.err?.code).toBe(ErrorCode.Cancelled);
    clock.flush();
    expect(s.held[0].ctx.cancelled).toBe(true);
    s.held[1].done(null, 4);
    clock.flush();
    expect(theirs.value).toBe(4);
    const late = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb));
    clock.flush();
    expect(late.err?.code).toBe(ErrorCode.Cancelled);
  });

  it("closing a server answers its requests in flight with Unreachable, then UnknownCell", () => {
    const clock = new ManualClock();
    const s = heldServer(clock);
    const o = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb));
    clock.flush();
    s.server.close();
    clock.flush();
    expect(o.err).toMatchObject({ code: ErrorCode.Unreachable });
    expect(s.held[0].cancels).toBe(1);
    const later = track((cb) => s.client.call("add", { a: 1, b: 1 }, cb));
    clock.flush();
    expect(later.err?.code).toBe(ErrorCode.UnknownCell);
  });

  it("a request id reused by the client replaces the one being handled", () => {
    const clock = new ManualClock();
    const s = heldServer(clock, { timeoutMs: 0 });
    const calls = endpoint(s.b).calls;
    const first = s.client.call("add", { a: 1, b: 1 }, () => {});
    clock.flush();
    first.cancel();
    calls.nextId = 1; // as after 2^32 calls
    const o = track((cb) => s.client.call("add", { a: 5, b: 5 }, cb));
    clock.flush();
    expect(s.held.map((h) => h.ctx.requestId)).toEqual([1, 1]);
    s.held[0].done(null, 2);
    s.held[1].done(null, 10);
    clock.flush();
    expect(o.value).toBe(10);
  });
});
