// The RPC engine over a byte stream with COBS + CRC framing (what a UART carries).
import { describe, it, expect, vi } from "vitest";
import { serve } from "../core/rpc/serve";
import { connect } from "../core/rpc/client";
import { streamLink, bytePipe } from "../core/stream-link";
import { ErrorCode } from "../core/errors";
import { remote } from "../core/host/remote";
import { Thermo, ALL, CODECS, callP } from "./rpc-fixtures";

const handlers = {
  read: (req: { unit: "C" | "F" }) => ({ value: req.unit === "C" ? 19.25 : 66.65000152587891, unit: req.unit }),
  add: (req: { a: number; b: number }) => req.a + req.b,
  blob: (n: number) => new Uint8Array(n).fill(0) // all zeros: the worst case for COBS
};

function link(split?: (n: number) => number) {
  const [p, q] = bytePipe({ split });
  const device = streamLink(p);
  const host = streamLink(q);
  return { p, q, device, host };
}

describe("RPC over streamLink(bytePipe())", () => {
  for (const [name, codec] of CODECS) {
    it(`calls in ${name}, bytes cut into 3-byte pieces`, async () => {
      const l = link(() => 3);
      serve(Thermo, handlers, l.device, { codecs: ALL });
      const client = connect(Thermo, l.host, { codecs: ALL, codec: codec.id });
      await expect(callP(client, "read", { unit: "C" })).resolves.toEqual({ value: 19.25, unit: "C" });
      await expect(callP(client, "blob", 600)).resolves.toEqual(new Uint8Array(600));
      // A device link carries 1 KiB payloads: more is refused with TooLarge, never cut.
      await expect(callP(client, "blob", 1100)).rejects.toMatchObject({ code: ErrorCode.TooLarge });
      l.device.close();
    });
  }

  it("answers every one of 200 concurrent calls, with noise on the line", async () => {
    const l = link((n) => 1 + (n % 7));
    serve(Thermo, handlers, l.device, { codecs: ALL });
    const client = connect(Thermo, l.host, { codecs: ALL, maxInFlight: 200 });
    l.q.inject(new Uint8Array([1, 2, 3, 0, 0xce, 0xce, 0])); // garbage ending in delimiters
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => callP(client, "add", { a: i, b: 1000 })));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i + 1000));
    const drops = Object.values(l.device.stats.drops).reduce((x, y) => x + y, 0);
    expect(drops).toBeGreaterThan(0);
    l.device.close();
  });

  it("works with remote(): typed answer, event, describe", async () => {
    const l = link();
    const server = serve(Thermo, handlers, l.device, { codecs: ALL });
    const thermo = remote(Thermo, l.host);
    const alarms: number[] = [];
    await thermo.on("alarm", (a) => alarms.push(a.value));
    server.emit("alarm", { value: 80.5 });
    expect(await thermo.read({ unit: "F" })).toEqual({ value: 66.65000152587891, unit: "F" });
    expect(await thermo.describe()).toBe(Thermo.schema);
    expect(alarms).toEqual([80.5]);
    l.device.close();
  });

  it("works on a synchronous pipe, where answers arrive re-entrantly during send", async () => {
    const [p, q] = bytePipe({ sync: true });
    const device = streamLink(p);
    const host = streamLink(q);
    const server = serve(Thermo, handlers, device, { codecs: ALL });
    const client = connect(Thermo, host, { codecs: ALL });
    const seen: number[] = [];
    client.on("alarm", (v) => seen.push(v.value));
    const sums: number[] = [];
    // Each answer starts the next call from inside the callback.
    await new Promise<void>((resolve, reject) => {
      const next = (i: number) =>
        client.call("add", { a: i, b: 1 }, (err, res) => {
          if (err) return reject(err);
          sums.push(res!);
          server.emit("alarm", { value: i });
          if (i < 20) next(i + 1);
          else resolve();
        });
      next(0);
    });
    expect(sums).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => i));
    device.close();
  });

  it("fails calls in flight with LinkClosed when the port closes", async () => {
    const l = link();
    let started = 0;
    serve(Thermo, { ...handlers, add: (_r, ctx) => void (started++, ctx.defer()) }, l.device, { codecs: ALL });
    const client = connect(Thermo, l.host, { codecs: ALL });
    const pending = callP(client, "add", { a: 1, b: 1 });
    await vi.waitFor(() => expect(started).toBe(1));
    l.p.close();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.LinkClosed });
  });
});
