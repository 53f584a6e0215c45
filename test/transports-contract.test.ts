// One contract, every transport: loopback, serial over tcp://, UDP, QUIC and NATS must carry frames
// byte-exact up to maxFrame, refuse what they must, count what they drop, and carry RPC calls.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Transport, Peer } from "../core/transport";
import { Kind, HEADER_SIZE } from "../core/header";
import { CellError, ErrorCode } from "../core/errors";
import { serve, remote } from "../core/host";
import { cell, method, event, t } from "../core/schema";
import { startNatsServer, NatsServer } from "../transports/testing/nats-server";
import { makeFrame } from "../transports/testing/frames";
import { loopbackLinks, serialTcpLinks, udpLinks, quicLinks, natsLinks, LinkPair, PairOptions } from "../transports/testing/link-pairs";
import { waitFor } from "./wait-for";

const Calc = cell("calc", {
  add: method(t.struct({ a: t.i32, b: t.i32 }), t.i32),
  echo: method(t.bytes, t.bytes),
  tick: event(t.u32)
});

const MAX_FRAME = 16384;
let natsServer: NatsServer;

beforeAll(async () => {
  natsServer = await startNatsServer();
});
afterAll(async () => {
  await natsServer.stop();
});

const opts: PairOptions = { maxFrame: MAX_FRAME, cells: [Calc.id], natsServer: () => natsServer };
const harnesses: [string, () => Promise<LinkPair>][] = [
  ["loopback", () => loopbackLinks(opts)],
  ["serial tcp://", () => serialTcpLinks(opts)],
  ["udp", () => udpLinks(opts)],
  ["quic", () => quicLinks(opts)],
  ["nats", () => natsLinks(opts)]
];

async function withPair(open: () => Promise<LinkPair>, body: (p: LinkPair) => Promise<void>): Promise<void> {
  const pair = await open();
  try {
    await body(pair);
  } finally {
    await pair.close();
  }
}

function collect(link: Transport): { frame: Uint8Array; from?: Peer }[] {
  const got: { frame: Uint8Array; from?: Peer }[] = [];
  link.onFrame((frame, from) => got.push({ frame: new Uint8Array(frame), from }));
  return got;
}

function totalDrops(link: Transport, reasons: string[]): number {
  return reasons.reduce((n, r) => n + (link.stats.drops[r] || 0), 0);
}

const SIZES = [HEADER_SIZE, HEADER_SIZE + 1, 300, 4000, MAX_FRAME];

describe.each(harnesses)("transport contract: %s", (_name, open) => {
  it("carries frames byte-exact both ways, up to maxFrame, and counts them", () =>
    withPair(open, async ({ a, b, framing, peers }) => {
      expect(a.maxFrame).toBe(MAX_FRAME);
      expect(b.maxFrame).toBe(MAX_FRAME);
      const atB = collect(b);
      const atA = collect(a);
      const sent = SIZES.map((size, i) => makeFrame(size, { cellId: Calc.id, requestId: i + 1, seed: i }));
      for (const f of sent) a.send(f);
      await waitFor("frames at b", () => atB.length === sent.length);
      expect(atB.map((x) => x.frame)).toEqual(sent);
      for (const x of atB) expect(x.from === undefined).toBe(!peers);
      // b answers each to whoever sent it: a RESPONSE with the same ids.
      const answers = atB.map((x) => {
        const f = x.frame.slice();
        f[2] = Kind.Response;
        b.send(f, x.from);
        return f;
      });
      await waitFor("answers at a", () => atA.length === answers.length);
      expect(atA.map((x) => x.frame)).toEqual(answers);
      const bytes = sent.reduce((n, f) => n + f.length, 0);
      expect(a.stats.framesOut).toBe(sent.length);
      expect(b.stats.framesIn).toBe(sent.length);
      expect(b.stats.framesOut).toBe(sent.length);
      expect(a.stats.framesIn).toBe(sent.length);
      if (framing === "frame") {
        expect(a.stats.bytesOut).toBe(bytes);
        expect(b.stats.bytesIn).toBe(bytes);
      } else {
        expect(a.stats.bytesOut).toBeGreaterThan(bytes); // COBS, CRC and delimiters on top
        expect(b.stats.bytesIn).toBe(a.stats.bytesOut);
      }
      expect(b.stats.drops).toEqual({});
    }));

  it("refuses a frame above maxFrame with TooLarge, sending nothing", () =>
    withPair(open, async ({ a }) => {
      let err: unknown;
      try {
        a.send(makeFrame(MAX_FRAME + 1, { cellId: Calc.id }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CellError);
      expect((err as CellError).code).toBe(ErrorCode.TooLarge);
      expect(a.stats.framesOut).toBe(0);
      expect(a.stats.bytesOut).toBe(0);
    }));

  it("refuses to send after close with LinkClosed; onClose fires once, and at once when added late", () =>
    withPair(open, async ({ a }) => {
      let closes = 0;
      a.onClose(() => closes++);
      a.close();
      a.close();
      await waitFor("close listener", () => closes === 1);
      expect(() => a.send(makeFrame(40, { cellId: Calc.id }))).toThrow(expect.objectContaining({ code: ErrorCode.LinkClosed }));
      let late = 0;
      a.onClose(() => late++);
      await waitFor("late close listener", () => late === 1);
      expect(closes).toBe(1);
    }));

  it("carries RPC calls, events and describe through core's serve()/remote()", () =>
    withPair(open, async ({ a, b }) => {
      const server = serve(Calc, { add: (r) => r.a + r.b, echo: async (bytes) => bytes }, b);
      const calc = remote(Calc, a, { timeoutMs: 5000 });
      expect(await calc.add({ a: 40, b: 2 })).toBe(42);
      const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => calc.add({ a: i, b: 1000 })));
      expect(sums).toEqual(Array.from({ length: 200 }, (_, i) => i + 1000));
      const big = makeFrame(MAX_FRAME - 200).subarray(HEADER_SIZE);
      expect(await calc.echo(big)).toEqual(big);
      expect(await calc.describe()).toBe(Calc.schema);
      const ticks: number[] = [];
      await calc.on("tick", (v) => ticks.push(v));
      expect(server.emit("tick", 7)).toBe(1);
      expect(server.emit("tick", 8)).toBe(1);
      await waitFor("events", () => ticks.length === 2);
      expect(ticks).toEqual([7, 8]);
      expect(b.stats.drops).toEqual({});
    }));
});

describe.each(harnesses)("transport contract, bad input: %s", (name, open) => {
  // The cases differ by medium (a loopback cannot carry an oversize frame at all): listed per harness.
  it("counts each bad input as one drop of its reason and keeps serving", () =>
    withPair(open, async ({ a, b, bad, validates }) => {
      expect(bad.length).toBeGreaterThanOrEqual(name === "loopback" ? 3 : 4);
      serve(Calc, { add: (r) => r.a + r.b, echo: (x) => x }, b);
      const calc = remote(Calc, a, { timeoutMs: 5000 });
      expect(await calc.add({ a: 1, b: 1 })).toBe(2);
      for (const input of bad) {
        const before = totalDrops(b, input.reasons);
        const framesBefore = b.stats.framesIn;
        await input.inject();
        await waitFor(`drop of ${input.name}`, () => totalDrops(b, input.reasons) === before + 1);
        expect(await calc.add({ a: 2, b: 3 }), `after ${input.name}`).toBe(5);
        // A medium that checks frames never counts a bad one as a frame (only the call's request is).
        if (validates) expect(b.stats.framesIn).toBe(framesBefore + 1);
      }
      const counted = Object.values(b.stats.drops).reduce((n, c) => n + c, 0);
      expect(counted).toBe(bad.length);
    }));
});
