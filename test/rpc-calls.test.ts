// Calls through the device-safe engine (serve/connect) over a loopback link.
import { describe, it, expect } from "vitest";
import { serve } from "../core/rpc/serve";
import { connect } from "../core/rpc/client";
import { endpoint } from "../core/rpc/endpoint";
import { loopbackPair } from "../core/loopback";
import { CodecId, Kind } from "../core/header";
import { ErrorCode } from "../core/errors";
import { compactCodec, msgpackCodec, jsonCodec } from "../core/codecs";
import { cell, method, t } from "../core/schema";
import { Thermo, Pipe, ALL, CODECS, ManualClock, manualPair, recordSends, track, callP } from "./rpc-fixtures";

const thermoHandlers = {
  read: (req: { unit: "C" | "F" }) => ({ value: req.unit === "C" ? 21.5 : 70.75, unit: req.unit }),
  add: (req: { a: number; b: number }) => req.a + req.b,
  blob: (n: number) => new Uint8Array(n).map((_, i) => i & 255)
};

describe("typed calls", () => {
  for (const [name, codec] of CODECS) {
    it(`answers read() in ${name}, and the request and response use that codec`, async () => {
      const [a, b] = loopbackPair();
      const sent = recordSends(b);
      serve(Thermo, thermoHandlers, a, { codecs: ALL });
      const client = connect(Thermo, b, { codecs: ALL, codec: codec.id });
      await expect(callP(client, "read", { unit: "F" })).resolves.toEqual({ value: 70.75, unit: "F" });
      await expect(callP(client, "add", { a: -7, b: 100000 })).resolves.toBe(99993);
      const bytes = (await callP(client, "blob", 300)) as Uint8Array;
      expect(bytes.length).toBe(300);
      expect(bytes[299]).toBe(299 & 255);
      expect(sent.map((f) => f.header.codec)).toEqual([codec.id, codec.id, codec.id]);
      a.close();
    });
  }

  it("answers in RAW for bytes and {} methods", async () => {
    const [a, b] = loopbackPair();
    serve(Pipe, { echo: (x: Uint8Array) => x.slice().reverse(), ping: () => ({}) }, a, { codecs: ALL });
    const client = connect(Pipe, b, { codecs: ALL, codec: CodecId.Raw });
    await expect(callP(client, "echo", new Uint8Array([1, 2, 0, 3]))).resolves.toEqual(new Uint8Array([3, 0, 2, 1]));
    await expect(callP(client, "ping", {})).resolves.toEqual({});
    a.close();
  });

  it("refuses a struct method in RAW with UnsupportedCodec before sending", async () => {
    const [a, b] = loopbackPair();
    const sent = recordSends(b);
    serve(Thermo, thermoHandlers, a, { codecs: ALL });
    const client = connect(Thermo, b, { codecs: ALL });
    await expect(callP(client, "read", { unit: "C" }, { codec: CodecId.Raw })).rejects.toMatchObject({ code: ErrorCode.UnsupportedCodec });
    expect(sent).toHaveLength(0);
    a.close();
  });

  it("uses COMPACT by default when configured, else the first codec", async () => {
    const [a, b] = loopbackPair();
    const sent = recordSends(b);
    serve(Thermo, thermoHandlers, a, { codecs: ALL });
    await callP(connect(Thermo, b, { codecs: [jsonCodec, compactCodec] }), "add", { a: 1, b: 2 });
    expect(sent[0].header.codec).toBe(CodecId.Compact);
    const [c, d] = loopbackPair();
    const sent2 = recordSends(d);
    serve(Thermo, thermoHandlers, c, { codecs: ALL });
    await callP(connect(Thermo, d, { codecs: [jsonCodec, msgpackCodec] }), "add", { a: 1, b: 2 });
    expect(sent2[0].header.codec).toBe(CodecId.Json);
    a.close();
    c.close();
  });

  it("lets one call choose another codec, and fails one the link was not given", async () => {
    const [a, b] = loopbackPair();
    const sent = recordSends(b);
    serve(Thermo, thermoHandlers, a, { codecs: ALL });
    const client = connect(Thermo, b, { codecs: [compactCodec] });
    await expect(callP(client, "add", { a: 2, b: 3 }, { codec: msgpackCodec })).resolves.toBe(5);
    await expect(callP(client, "add", { a: 2, b: 3 }, { codec: CodecId.Json })).rejects.toMatchObject({ code: ErrorCode.UnsupportedCodec });
    expect(sent.map((f) => f.header.codec)).toEqual([CodecId.Msgpack]);
    a.close();
  });

  it("checks request values against the schema before sending", async () => {
    const [a, b] = loopbackPair();
    const sent = recordSends(b);
    serve(Thermo, thermoHandlers, a, { codecs: ALL });
    const client = connect(Thermo, b, { codecs: ALL });
    await expect(callP(client, "read", { unit: "K" })).rejects.toMatchObject({
      code: ErrorCode.BadPayload,
      message: expect.stringContaining("unit")
    });
    await expect(callP(client, "nope", {})).rejects.toMatchObject({ code: ErrorCode.UnknownMethod });
    await expect(callP(client, "toString", {})).rejects.toMatchObject({ code: ErrorCode.UnknownMethod });
    await expect(callP(client, "alarm", {})).rejects.toMatchObject({ code: ErrorCode.UnknownMethod });
    expect(sent).toHaveLength(0);
    a.close();
  });

  it("describe returns the canonical schema text", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, thermoHandlers, a, { codecs: [compactCodec] });
    const client = connect(Thermo, b, { codecs: [compactCodec] });
    const text = await new Promise((resolve, reject) => client.describe((err, s) => (err ? reject(err) : resolve(s))));
    expect(text).toBe(Thermo.schema);
    a.close();
  });
});

describe("many calls at once", () => {
  it("gives each of 1000 concurrent calls its own answer", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    // Answers come back out of order: each handler defers by a pseudo-random delay.
    let seed = 12345;
    serve(
      Thermo,
      {
        ...thermoHandlers,
        add: (req, ctx) => {
          const done = ctx.defer();
          seed = (seed * 1103515245 + 12345) >>> 0;
          clock.setTimer(() => done(null, req.a * 3 + req.b), seed % 50);
        }
      },
      a,
      { codecs: ALL, maxInFlight: 1000, ...clock.options() }
    );
    const client = connect(Thermo, b, { codecs: ALL, maxInFlight: 1000, ...clock.options() });
    const outcomes = [];
    for (let i = 0; i < 1000; i++) outcomes.push(track<number>((cb) => client.call("add", { a: i, b: -i }, cb)));
    clock.advance(100);
    let right = 0;
    outcomes.forEach((o, i) => {
      expect(o.calls).toBe(1);
      expect(o.err).toBeNull();
      if (o.value === i * 2) right++;
    });
    expect(right).toBe(1000);
    expect(endpoint(b).calls.count).toBe(0);
    expect(endpoint(a).servedCount).toBe(0);
  });

  it("numbers requests from 1, wraps after 0xffffffff to 1 (never 0), and skips ids in flight", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    const sent = recordSends(b);
    const held: (() => void)[] = [];
    serve(
      Thermo,
      {
        ...thermoHandlers,
        add: (req, ctx) => {
          const done = ctx.defer();
          held.push(() => done(null, req.a + req.b));
        }
      },
      a,
      { codecs: ALL, ...clock.options() }
    );
    const client = connect(Thermo, b, { codecs: ALL, ...clock.options() });
    const calls = endpoint(b).calls;
    const first = track((cb) => client.call("add", { a: 1, b: 1 }, cb)); // id 1, held open
    calls.nextId = 0xfffffffe;
    track((cb) => client.call("add", { a: 1, b: 1 }, cb));
    track((cb) => client.call("add", { a: 1, b: 1 }, cb));
    track((cb) => client.call("add", { a: 1, b: 1 }, cb)); // 1 is live: gets 2
    const ids = sent.filter((f) => f.header.kind === Kind.Request).map((f) => f.header.requestId);
    expect(ids).toEqual([1, 0xfffffffe, 0xffffffff, 2]);
    clock.flush();
    held.forEach((h) => h());
    clock.flush();
    expect(first.value).toBe(2);
    expect(calls.count).toBe(0);
  });

  it("keeps two cells on one link apart", async () => {
    const [a, b] = loopbackPair();
    serve(Thermo, thermoHandlers, a, { codecs: ALL });
    serve(Pipe, { echo: (x) => x, ping: () => ({}) }, a);
    const thermo = connect(Thermo, b, { codecs: ALL });
    const pipe = connect(Pipe, b);
    const [sum, echoed] = await Promise.all([callP(thermo, "add", { a: 4, b: 5 }), callP(pipe, "echo", new Uint8Array([9]))]);
    expect(sum).toBe(9);
    expect(echoed).toEqual(new Uint8Array([9]));
    expect(() => serve(Thermo, thermoHandlers, a)).toThrow(/already served/);
    a.close();
  });

  it("takes handlers from a class instance, whose other fields are its state", async () => {
    class Counter {
      total = 0;
      read(req: { unit: "C" | "F" }) {
        return { value: this.total, unit: req.unit };
      }
      add(req: { a: number; b: number }) {
        this.total += req.a + req.b;
        return this.total;
      }
      blob(n: number) {
        return new Uint8Array(n);
      }
    }
    const [a, b] = loopbackPair();
    serve(Thermo, new Counter(), a, { codecs: ALL });
    const client = connect(Thermo, b, { codecs: ALL });
    await callP(client, "add", { a: 1, b: 2 });
    await expect(callP(client, "read", { unit: "C" })).resolves.toEqual({ value: 3, unit: "C" });
    a.close();
  });

  it("refuses handlers that do not match the cell", () => {
    const [a] = loopbackPair();
    expect(() => serve(Thermo, { read: thermoHandlers.read } as never, a, { codecs: ALL })).toThrow(/no handler for method add/);
    expect(() => serve(Thermo, { ...thermoHandlers, reed: () => 1 } as never, a, { codecs: ALL })).toThrow(/reed is not a method/);
    const [c] = loopbackPair();
    expect(() => serve(Thermo, thermoHandlers, c)).toThrow(/no codecs/);
    const Odd = cell("odd", { toString: method(t.u8, t.u8) });
    expect(() => serve(Odd, {} as never, c, { codecs: ALL })).toThrow(/no handler for method toString/);
  });
});
