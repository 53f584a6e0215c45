// The host Promise layer: remote() and the host serve().
import { describe, it, expect, vi } from "vitest";
import { remote, serve, loopbackPair, CellError, ErrorCode, CodecId, cell, method, t, compactCodec } from "../core/host";
import { Thermo, ThermoV2, CODECS, recordSends } from "./rpc-fixtures";

const handlers = {
  read: async (req: { unit: "C" | "F" }) => ({ value: req.unit === "C" ? 21.5 : 70.75, unit: req.unit }),
  add: (req: { a: number; b: number }) => req.a + req.b,
  blob: async (n: number) => new Uint8Array(n).fill(7)
};

describe("remote()", () => {
  for (const [name, codec] of CODECS) {
    it(`has one Promise method per cell method (${name})`, async () => {
      const [a, b] = loopbackPair();
      serve(Thermo, handlers, a);
      const thermo = remote(Thermo, b, { codec: codec.id });
      const sent = recordSends(b);
      expect(await thermo.read({ unit: "C" })).toEqual({ value: 21.5, unit: "C" });
      expect(await thermo.add({ a: 2, b: 40 })).toBe(42);
      expect(await thermo.blob(3)).toEqual(new Uint8Array([7, 7, 7]));
      expect(sent.map((f) => f.header.codec)).toEqual([codec.id, codec.id, codec.id]);
      a.close();
    });
  }

  it("uses every codec by default on a host, COMPACT first", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, handlers, a);
    const sent = recordSends(b);
    const thermo = remote(Thermo, b);
    await thermo.add({ a: 1, b: 1 });
    await thermo.add({ a: 1, b: 1 }, { codec: CodecId.Json });
    expect(sent.map((f) => f.header.codec)).toEqual([CodecId.Compact, CodecId.Json]);
    a.close();
  });

  it("rejects with a CellError carrying the code", async () => {
    const [a, b] = loopbackPair();
    serve(ThermoV2, { read: async () => ({ value: 1, unit: "C" as const }) }, a);
    const err = await remote(Thermo, b)
      .read({ unit: "C" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CellError);
    expect((err as CellError).code).toBe(ErrorCode.UnknownMethod);
    a.close();
  });

  it("on() resolves once subscribed and delivers events; off() stops them", async () => {
    const [a, b] = loopbackPair();
    const server = serve(Thermo, handlers, a);
    const thermo = remote(Thermo, b);
    const alarms: number[] = [];
    const listener = (v: { value: number }) => alarms.push(v.value);
    await thermo.on("alarm", listener);
    expect(server.emit("alarm", { value: 90 })).toBe(1);
    await thermo.add({ a: 0, b: 0 }); // the event was sent before this answer: it has arrived
    expect(alarms).toEqual([90]);
    thermo.off("alarm", listener);
    await thermo.add({ a: 0, b: 0 });
    expect(server.emit("alarm", { value: 91 })).toBe(0);
    await expect(remote(ThermoV2, b).on("alarm", () => {})).rejects.toMatchObject({ code: ErrorCode.UnknownMethod });
    a.close();
  });

  it("describe() gives the schema text", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, handlers, a);
    expect(await remote(Thermo, b).describe()).toBe(Thermo.schema);
    a.close();
  });

  it("an AbortSignal cancels the call", async () => {
    const [a, b] = loopbackPair();
    let cancelled = 0;
    let started = 0;
    serve(Thermo, { ...handlers, add: (_r, ctx) => new Promise<number>(() => (started++, ctx.onCancel(() => cancelled++))) }, a);
    const thermo = remote(Thermo, b);
    const ac = new AbortController();
    const p = thermo.add({ a: 1, b: 2 }, { signal: ac.signal });
    await vi.waitFor(() => expect(started).toBe(1));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    await expect(thermo.add({ a: 1, b: 2 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    await vi.waitFor(() => expect(cancelled).toBe(1));
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(1);
    expect(cancelled).toBe(1); // an already aborted signal: the second call was never sent
    a.close();
  });

  it("close() rejects the calls in flight; the link stays usable", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, { ...handlers, add: () => new Promise<number>(() => {}) }, a);
    const one = remote(Thermo, b);
    const p = one.add({ a: 1, b: 1 });
    one.close();
    await expect(p).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    expect(await remote(Thermo, b).read({ unit: "F" })).toEqual({ value: 70.75, unit: "F" });
    a.close();
  });

  it("refuses a cell whose method names clash with remote's own", () => {
    const Clash = cell("clash", { close: method(t.u8, t.u8) });
    const [, b] = loopbackPair();
    expect(() => remote(Clash, b)).toThrow(/clashes/);
    const Thenable = cell("thenable", { then: method(t.u8, t.u8) });
    expect(() => remote(Thenable, b)).toThrow(/clashes/);
  });

  it("methods may have names Object.prototype uses", async () => {
    const Odd = cell("odd", { toString: method(t.u8, t.u8), valueOf: method(t.u8, t.bool) });
    const [a, b] = loopbackPair();
    serve(Odd, { toString: (n: number) => n + 1, valueOf: (n: number) => n > 1 }, a);
    const odd = remote(Odd, b);
    expect(await odd.toString(1)).toBe(2);
    expect(await odd.valueOf(2)).toBe(true);
    a.close();
  });

  it("a host serve() given codecs uses only those", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, handlers, a, { codecs: [compactCodec] });
    await expect(remote(Thermo, b).add({ a: 1, b: 1 }, { codec: CodecId.Msgpack })).rejects.toMatchObject({
      code: ErrorCode.UnsupportedCodec
    });
    a.close();
  });
});
