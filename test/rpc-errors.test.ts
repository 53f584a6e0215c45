// Every way a call can go wrong ends in a clear CellError or a counted drop, never a crash or a wrong value.
import { describe, it, expect, vi } from "vitest";
import { serve } from "../core/rpc/serve";
import { connect } from "../core/rpc/client";
import { endpoint } from "../core/rpc/endpoint";
import { readErrorPayload } from "../core/rpc/error-payload";
import { loopbackPair } from "../core/loopback";
import { CodecId, Kind, MethodId } from "../core/header";
import { CellError, ErrorCode } from "../core/errors";
import { compactCodec, msgpackCodec } from "../core/codecs";
import { cell, method, t } from "../core/schema";
import { Thermo, ThermoV2, ALL, ManualClock, manualPair, recordSends, rawPeer, frame, track, callP } from "./rpc-fixtures";

/** Shares thermo's cell id, so its requests reach a served Thermo. */
const ThermoBytes = cell("thermo", { put: method(t.bytes, t.bool) });

const ok = {
  read: (req: { unit: "C" | "F" }) => ({ value: 20, unit: req.unit }),
  add: (req: { a: number; b: number }) => req.a + req.b,
  blob: (n: number) => new Uint8Array(n)
};

/** A served Thermo on one end, a hand-driven peer on the other. */
function probe(handlers = ok, opts: object = {}) {
  const clock = new ManualClock();
  const [a, b] = manualPair(clock);
  const server = serve(Thermo, handlers, a, { codecs: ALL, ...clock.options(), ...opts });
  const replies = rawPeer(b);
  const ask = (f: Uint8Array) => {
    b.send(f);
    clock.flush();
    return replies[replies.length - 1];
  };
  return { clock, a, b, server, replies, ask };
}

function errorOf(reply: { header: { kind: number }; payload: Uint8Array }) {
  expect(reply.header.kind).toBe(Kind.Error);
  return readErrorPayload(reply.payload)!;
}

describe("errors a server sends", () => {
  it("UnknownCell for a cell not served here", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, ok, a, { codecs: ALL });
    const Other = { ...Thermo, id: 1234, name: "other" };
    await expect(callP(connect(Other, b, { codecs: ALL }), "add", { a: 1, b: 2 })).rejects.toMatchObject({
      code: ErrorCode.UnknownCell,
      name: "CellError"
    });
    a.close();
  });

  it("UnknownMethod for a client of a changed cell: never a wrong value", async () => {
    const [a, b] = loopbackPair();
    serve(ThermoV2, { read: (req) => ({ value: 1e100, unit: req.unit }) }, a, { codecs: ALL });
    const err = (await callP(connect(Thermo, b, { codecs: ALL }), "read", { unit: "C" }).catch((e) => e)) as CellError;
    expect(err).toBeInstanceOf(CellError);
    expect(err.code).toBe(ErrorCode.UnknownMethod);
    expect(err.codeName).toBe("UnknownMethod");
    a.close();
  });

  it("UnknownMethod for unknown ids, reserved ids and events called as methods", () => {
    const p = probe();
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Compact, Thermo.id, 0xdeadbeef, 1, [])))).toMatchObject({
      code: ErrorCode.UnknownMethod,
      message: "thermo has no method 0xdeadbeef"
    });
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Raw, Thermo.id, 7, 2, []))).code).toBe(ErrorCode.UnknownMethod);
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.alarm.id, 3, [0, 0, 0, 0]))).code).toBe(
      ErrorCode.UnknownMethod
    );
    const r = p.replies[0].header;
    expect([r.cellId, r.methodId, r.requestId]).toEqual([Thermo.id, 0xdeadbeef, 1]);
  });

  it("UnsupportedCodec for a codec the server was not built with", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    serve(Thermo, ok, a, { codecs: [compactCodec], ...clock.options() });
    const client = connect(Thermo, b, { codecs: ALL, codec: msgpackCodec, ...clock.options() });
    const o = track((cb) => client.call("add", { a: 1, b: 2 }, cb));
    clock.flush();
    expect(o.err).toMatchObject({ code: ErrorCode.UnsupportedCodec, message: "codec 1 is not supported here" });
  });

  it("BadPayload with the reason for requests that do not decode", () => {
    const p = probe();
    const read = Thermo.info.read.id;
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Compact, Thermo.id, read, 1, [9]))).code).toBe(ErrorCode.BadPayload);
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Compact, Thermo.id, read, 2, []))).code).toBe(ErrorCode.BadPayload);
    const json = errorOf(p.ask(frame(Kind.Request, CodecId.Json, Thermo.id, read, 3, [...Buffer.from('{"unit":"K"}')])));
    expect(json.code).toBe(ErrorCode.BadPayload);
    expect(json.message).toMatch(/^thermo\.read: unit/);
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Raw, Thermo.id, read, 4, [1]))).code).toBe(ErrorCode.UnsupportedCodec);
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Raw, Thermo.id, MethodId.Subscribe, 5, [1, 2]))).code).toBe(ErrorCode.BadPayload);
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Compact, Thermo.id, MethodId.Describe, 6, []))).code).toBe(ErrorCode.BadPayload);
    expect(errorOf(p.ask(frame(Kind.Request, CodecId.Raw, Thermo.id, MethodId.Describe, 7, [0]))).code).toBe(ErrorCode.BadPayload);
    expect(p.replies).toHaveLength(7);
  });

  it("HandlerFailed with the message; a thrown CellError keeps its code", async () => {
    const [a, b] = loopbackPair();
    serve(
      Thermo,
      {
        read: () => {
          throw new Error("sensor unplugged");
        },
        add: (req) => {
          if (req.a < 0) throw new CellError(ErrorCode.Unreachable, "bus down");
          return Promise.reject(new TypeError("async boom"));
        },
        blob: (_n, ctx) => {
          ctx.defer()(new Error("deferred boom"));
        }
      },
      a,
      { codecs: ALL }
    );
    const client = connect(Thermo, b, { codecs: ALL });
    await expect(callP(client, "read", { unit: "C" })).rejects.toMatchObject({
      code: ErrorCode.HandlerFailed,
      message: "sensor unplugged"
    });
    await expect(callP(client, "add", { a: -1, b: 0 })).rejects.toMatchObject({ code: ErrorCode.Unreachable, message: "bus down" });
    await expect(callP(client, "add", { a: 1, b: 0 })).rejects.toMatchObject({ code: ErrorCode.HandlerFailed, message: "async boom" });
    await expect(callP(client, "blob", 1)).rejects.toMatchObject({ code: ErrorCode.HandlerFailed, message: "deferred boom" });
    a.close();
  });

  it("HandlerFailed when a handler throws or rejects with nothing", async () => {
    const Opt = cell("opt", { get: method(t.u8, t.optional(t.u8)), later: method(t.u8, t.optional(t.u8)) });
    const [a, b] = loopbackPair();
    serve(
      Opt,
      {
        get: () => {
          throw undefined;
        },
        later: () => Promise.reject(null)
      },
      a,
      { codecs: ALL }
    );
    const client = connect(Opt, b, { codecs: ALL });
    await expect(callP(client, "get", 1)).rejects.toMatchObject({
      code: ErrorCode.HandlerFailed,
      message: "handler failed with undefined"
    });
    await expect(callP(client, "later", 1)).rejects.toMatchObject({ code: ErrorCode.HandlerFailed, message: "handler failed with null" });
    a.close();
  });

  it("HandlerFailed when a handler answers a value that does not fit the schema", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, { ...ok, read: () => ({ value: "hot", unit: "C" }) as never, add: () => undefined as never }, a, { codecs: ALL });
    const client = connect(Thermo, b, { codecs: ALL });
    await expect(callP(client, "read", { unit: "C" })).rejects.toMatchObject({
      code: ErrorCode.HandlerFailed,
      message: expect.stringMatching(/^thermo\.read: bad response from handler: value/)
    });
    await expect(callP(client, "add", { a: 1, b: 1 })).rejects.toMatchObject({ code: ErrorCode.HandlerFailed });
    a.close();
  });

  it("clips long error messages to a bounded size", () => {
    const long = "é".repeat(1000);
    const p = probe({
      ...ok,
      add: () => {
        throw new Error(long);
      }
    });
    const e = errorOf(p.ask(frame(Kind.Request, CodecId.Json, Thermo.id, Thermo.info.add.id, 1, [...Buffer.from('{"a":1,"b":2}')])));
    expect(e.code).toBe(ErrorCode.HandlerFailed);
    expect(e.message).toBe("é".repeat(120));
  });
});

describe("limits", () => {
  it("TooLarge for a response above maxPayload, and for a request above it", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, ok, a, { codecs: ALL, maxPayload: 100 });
    const client = connect(Thermo, b, { codecs: ALL });
    await expect(callP(client, "blob", 90)).resolves.toHaveLength(90);
    await expect(callP(client, "blob", 200)).rejects.toMatchObject({
      code: ErrorCode.TooLarge,
      message: "thermo.blob: response larger than 100 bytes"
    });
    const big = frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.blob.id, 77, new Uint8Array(150));
    const replies: Uint8Array[] = [];
    const [c, d] = loopbackPair();
    serve(Thermo, ok, c, { codecs: ALL, maxPayload: 100 });
    d.onFrame((f) => replies.push(f.slice()));
    d.send(big);
    await vi.waitFor(() => expect(replies.length).toBeGreaterThan(0));
    expect(readErrorPayload(replies[0].subarray(20))!.code).toBe(ErrorCode.TooLarge);
    a.close();
    c.close();
  });

  it("a client refuses to send a request above its maxPayload", async () => {
    const [a, b] = loopbackPair();
    const sent = recordSends(b);
    serve(Thermo, ok, a, { codecs: ALL });
    const Big = connect(ThermoBytes, b, { codecs: ALL, maxPayload: 64 });
    await expect(callP(Big, "put", new Uint8Array(65))).rejects.toMatchObject({ code: ErrorCode.TooLarge });
    expect(sent).toHaveLength(0);
    a.close();
  });

  it("Overloaded when more requests are being handled than maxInFlight; fine again once answered", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    const held: (() => void)[] = [];
    serve(
      Thermo,
      {
        ...ok,
        add: (req, ctx) => {
          const done = ctx.defer();
          held.push(() => done(null, req.a + req.b));
        }
      },
      a,
      { codecs: ALL, maxInFlight: 2, ...clock.options() }
    );
    const client = connect(Thermo, b, { codecs: ALL, ...clock.options() });
    const o = [1, 2, 3].map((i) => track((cb) => client.call("add", { a: i, b: 0 }, cb)));
    clock.flush();
    expect(o[2].err).toMatchObject({ code: ErrorCode.Overloaded });
    expect(o[0].calls + o[1].calls).toBe(0);
    held.splice(0).forEach((h) => h());
    clock.flush();
    expect([o[0].value, o[1].value]).toEqual([1, 2]);
    const again = track((cb) => client.call("add", { a: 5, b: 5 }, cb));
    clock.flush();
    held.splice(0).forEach((h) => h());
    clock.flush();
    expect(again.value).toBe(10);
  });

  it("a client with maxInFlight calls in flight fails the next one at once, without sending it", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    const sent = recordSends(b);
    serve(Thermo, { ...ok, add: (_r, ctx) => void ctx.defer() }, a, { codecs: ALL, ...clock.options() });
    const client = connect(Thermo, b, { codecs: ALL, maxInFlight: 2, ...clock.options() });
    const o = [1, 2, 3].map((i) => track((cb) => client.call("add", { a: i, b: 0 }, cb)));
    expect(o[2].calls).toBe(0); // never called back from inside call()
    clock.flush();
    expect(o[2].err).toMatchObject({ code: ErrorCode.Overloaded });
    expect(sent).toHaveLength(2);
  });
});

describe("a link that refuses", () => {
  it("a send that throws fails the call on a later turn with the link's reason", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, ok, a, { codecs: ALL });
    const client = connect(Thermo, b, { codecs: ALL });
    b.send = () => {
      throw new Error("EPIPE");
    };
    const o = track((cb) => client.call("add", { a: 1, b: 2 }, cb));
    expect(o.calls).toBe(0);
    await new Promise((r) => setTimeout(r, 1));
    expect(o.err).toMatchObject({ code: ErrorCode.LinkClosed, message: "thermo.add: the link refused the frame: EPIPE" });
    expect(endpoint(b).calls.count).toBe(0);
    a.close();
  });

  it("a link without codecs says so", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, ok, a, { codecs: ALL });
    await expect(callP(connect(Thermo, b), "add", { a: 1, b: 2 })).rejects.toMatchObject({
      code: ErrorCode.UnsupportedCodec,
      message: "thermo.add: this link has no codecs (pass opts.codecs)"
    });
    a.close();
  });
});

describe("bad input to a client", () => {
  function clientProbe() {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    const requests = rawPeer(a);
    const client = connect(Thermo, b, { codecs: ALL, ...clock.options() });
    return { clock, a, b, requests, client };
  }

  it("a malformed ERROR payload fails the call with BadPayload", () => {
    const p = clientProbe();
    const o = track((cb) => p.client.call("add", { a: 1, b: 2 }, cb));
    p.clock.flush();
    const h = p.requests[0].header;
    p.a.send(frame(Kind.Error, CodecId.Raw, h.cellId, h.methodId, h.requestId, []));
    p.clock.flush();
    expect(o.err).toMatchObject({ code: ErrorCode.BadPayload, message: "malformed ERROR payload" });
  });

  it("an unknown error code is kept with its number", () => {
    const p = clientProbe();
    const o = track((cb) => p.client.call("add", { a: 1, b: 2 }, cb));
    p.clock.flush();
    const h = p.requests[0].header;
    p.a.send(frame(Kind.Error, CodecId.Raw, h.cellId, h.methodId, h.requestId, [200, 104, 105]));
    p.clock.flush();
    expect(o.err).toMatchObject({ code: 200, codeName: "Code200", message: "hi" });
  });

  it("a response that does not decode fails with BadPayload; one in another codec too", () => {
    const p = clientProbe();
    const o1 = track((cb) => p.client.call("read", { unit: "C" }, cb));
    const o2 = track((cb) => p.client.call("add", { a: 1, b: 2 }, cb));
    p.clock.flush();
    const [h1, h2] = p.requests.map((r) => r.header);
    p.a.send(frame(Kind.Response, CodecId.Compact, h1.cellId, h1.methodId, h1.requestId, [1, 2]));
    p.a.send(frame(Kind.Response, CodecId.Json, h2.cellId, h2.methodId, h2.requestId, [...Buffer.from("3")]));
    p.clock.flush();
    expect(o1.err).toMatchObject({ code: ErrorCode.BadPayload });
    expect(o2.err).toMatchObject({ code: ErrorCode.BadPayload, message: expect.stringContaining("answered in codec 3") });
  });

  it("counts stray answers as UnknownRequest drops, including ones for another cell or method", () => {
    const p = clientProbe();
    const o = track((cb) => p.client.call("add", { a: 1, b: 2 }, cb));
    p.clock.flush();
    const h = p.requests[0].header;
    p.a.send(frame(Kind.Response, CodecId.Compact, h.cellId, h.methodId, 999, [6]));
    p.a.send(frame(Kind.Response, CodecId.Compact, h.cellId + 1, h.methodId, h.requestId, [6]));
    p.a.send(frame(Kind.Response, CodecId.Compact, h.cellId, h.methodId + 1, h.requestId, [6]));
    p.a.send(frame(Kind.Cancel, CodecId.Raw, h.cellId, h.methodId, 55, []));
    p.clock.flush();
    expect(p.b.stats.drops.UnknownRequest).toBe(4);
    expect(o.calls).toBe(0);
    p.a.send(frame(Kind.Response, CodecId.Compact, h.cellId, h.methodId, h.requestId, [6]));
    p.clock.flush();
    expect(o.value).toBe(3);
  });

  it("survives random garbage frames on both ends and keeps working", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    serve(Thermo, ok, a, { codecs: ALL, ...clock.options() });
    const client = connect(Thermo, b, { codecs: ALL, ...clock.options() });
    let seed = 7;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const kinds = [0, 1, 2, 3, 4, 5, 9];
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(rnd() * 40);
      const payload = Array.from({ length: len }, () => Math.floor(rnd() * 256));
      const cellId = rnd() < 0.7 ? Thermo.id : Math.floor(rnd() * 2 ** 32);
      const ids = [0, 1, 2, 3, Thermo.info.read.id, Thermo.info.add.id, Thermo.info.alarm.id, Math.floor(rnd() * 2 ** 32)];
      const f = frame(
        kinds[Math.floor(rnd() * kinds.length)],
        Math.floor(rnd() * 5),
        cellId,
        ids[Math.floor(rnd() * ids.length)],
        Math.floor(rnd() * 4),
        payload
      );
      if (rnd() < 0.1) f[0] = 0; // bad magic now and then
      if (rnd() < 0.1) f[16]++; // bad length
      expect(() => endpoint(rnd() < 0.5 ? a : b).receive(f, undefined)).not.toThrow();
    }
    expect(() => clock.flush()).not.toThrow();
    const o = track((cb) => client.call("add", { a: 20, b: 22 }, cb));
    clock.flush();
    expect(o.value).toBe(42);
    expect(b.stats.drops.BadMagic).toBeGreaterThan(0);
    expect(a.stats.drops.BadLength).toBeGreaterThan(0);
  });
});
