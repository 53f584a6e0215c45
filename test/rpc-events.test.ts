// Events: sent only to subscribed peers; subscribe on the first listener, unsubscribe after the last.
import { describe, it, expect } from "vitest";
import { serve } from "../core/rpc/serve";
import { connect } from "../core/rpc/client";
import { Kind, MethodId, CodecId } from "../core/header";
import { ErrorCode } from "../core/errors";
import { compactCodec, jsonCodec } from "../core/codecs";
import { Thermo, ThermoV2, ALL, ManualClock, manualPair, recordSends, frame } from "./rpc-fixtures";

const handlers = {
  read: (req: { unit: "C" | "F" }) => ({ value: 1, unit: req.unit }),
  add: (req: { a: number; b: number }) => req.a + req.b,
  blob: (n: number) => new Uint8Array(n)
};

function setup(serverCodecs = ALL) {
  const clock = new ManualClock();
  const [a, b] = manualPair(clock);
  const server = serve(Thermo, handlers, a, { codecs: serverCodecs, ...clock.options() });
  const fromServer = recordSends(a);
  const toServer = recordSends(b);
  const client = connect(Thermo, b, { codecs: ALL, ...clock.options() });
  return { clock, a, b, server, client, fromServer, toServer };
}

describe("events", () => {
  it("are not sent at all without a subscriber", () => {
    const s = setup();
    expect(s.server.emit("alarm", { value: 99 })).toBe(0);
    s.clock.flush();
    expect(s.a.stats.framesOut).toBe(0);
  });

  it("reach a listener once subscribed, typed and decoded", () => {
    const s = setup();
    const got: { value: number }[] = [];
    let subscribed: unknown = "pending";
    s.client.on(
      "alarm",
      (v) => got.push(v),
      (err) => (subscribed = err)
    );
    s.clock.flush();
    expect(subscribed).toBeNull();
    const sub = s.toServer[0].header;
    expect([sub.kind, sub.codec, sub.methodId, sub.cellId]).toEqual([Kind.Request, CodecId.Raw, MethodId.Subscribe, Thermo.id]);
    expect([...s.toServer[0].payload]).toEqual([...new Uint8Array(new Uint32Array([Thermo.info.alarm.id]).buffer)]);
    expect(s.server.emit("alarm", { value: 42.5 })).toBe(1);
    expect(s.server.emit("status", "ignored: nobody listens to status")).toBe(0);
    s.clock.flush();
    expect(got).toEqual([{ value: 42.5 }]);
    const ev = s.fromServer.filter((f) => f.header.kind === Kind.Event);
    expect(ev).toHaveLength(1);
    expect([ev[0].header.methodId, ev[0].header.requestId, ev[0].header.codec]).toEqual([Thermo.info.alarm.id, 0, CodecId.Compact]);
  });

  it("share one subscription among listeners and clients; the last off() unsubscribes", () => {
    const s = setup();
    const other = connect(Thermo, s.b, s.clock.options());
    const seen: string[] = [];
    const l1 = (v: { value: number }) => seen.push("l1:" + v.value);
    const l2 = (v: { value: number }) => seen.push("l2:" + v.value);
    s.client.on("alarm", l1);
    s.client.on("alarm", l1); // the same listener twice is one listener
    s.client.on("alarm", l2);
    other.on("alarm", l1); // another client's listener is its own
    s.clock.flush();
    s.server.emit("alarm", { value: 1 });
    s.clock.flush();
    expect(seen).toEqual(["l1:1", "l2:1", "l1:1"]);
    s.client.off("alarm", l1);
    s.client.off("alarm", l2);
    s.clock.flush();
    s.server.emit("alarm", { value: 2 });
    s.clock.flush();
    expect(seen.slice(3)).toEqual(["l1:2"]);
    other.off("alarm", l1);
    s.clock.flush();
    expect(s.server.emit("alarm", { value: 3 })).toBe(0);
    const kinds = s.toServer.map((f) => f.header.methodId);
    expect(kinds).toEqual([MethodId.Subscribe, MethodId.Unsubscribe]);
  });

  it("a subscription to an event the server does not have fails with UnknownMethod; on() tries again later", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    serve(ThermoV2, { read: (r) => ({ value: 1, unit: r.unit }) }, a, { codecs: ALL, ...clock.options() });
    const client = connect(Thermo, b, { codecs: ALL, ...clock.options() });
    const listener = () => {};
    const results: unknown[] = [];
    client.on("alarm", listener, (err) => results.push(err && err.code));
    clock.flush();
    client.on("alarm", listener, (err) => results.push(err && err.code));
    clock.flush();
    expect(results).toEqual([ErrorCode.UnknownMethod, ErrorCode.UnknownMethod]);
  });

  it("emit checks the value against the schema and refuses unknown events", () => {
    const s = setup();
    s.client.on("alarm", () => {});
    s.clock.flush();
    expect(() => s.server.emit("alarm", { value: "hot" } as never)).toThrow(/value/);
    expect(() => s.server.emit("read" as never, {} as never)).toThrow(/has no event read/);
    expect(() => s.client.on("nope" as never, () => {})).toThrow(/has no event nope/);
    expect(() => s.client.on("toString" as never, () => {})).toThrow(/has no event toString/);
    expect(() => s.server.emit("hasOwnProperty" as never, {} as never)).toThrow(/has no event hasOwnProperty/);
  });

  it("uses the server's default codec, which the client decodes", () => {
    const s = setup([jsonCodec]);
    const got: string[] = [];
    s.client.on("status", (v) => got.push(v));
    s.clock.flush();
    s.server.emit("status", "door open");
    s.clock.flush();
    expect(got).toEqual(["door open"]);
    expect(s.fromServer.find((f) => f.header.kind === Kind.Event)!.header.codec).toBe(CodecId.Json);
  });

  it("an event that does not decode is a counted drop; events nobody asked for are ignored", () => {
    const s = setup();
    const got: unknown[] = [];
    s.client.on("alarm", (v) => got.push(v));
    s.clock.flush();
    s.a.send(frame(Kind.Event, CodecId.Compact, Thermo.id, Thermo.info.alarm.id, 0, [1, 2]));
    s.a.send(frame(Kind.Event, 9, Thermo.id, Thermo.info.alarm.id, 0, [0, 0, 0, 0]));
    s.a.send(frame(Kind.Event, CodecId.Compact, Thermo.id, Thermo.info.status.id, 0, [0]));
    s.clock.flush();
    expect(got).toEqual([]);
    expect(s.b.stats.drops.BadEvent).toBe(2);
  });

  it("a throwing listener does not stop the others; its error surfaces on a later turn", () => {
    const s = setup();
    const got: number[] = [];
    s.client.on("alarm", () => {
      throw new Error("listener boom");
    });
    s.client.on("alarm", (v) => got.push(v.value));
    s.clock.flush();
    s.server.emit("alarm", { value: 7 });
    expect(() => s.clock.flush()).toThrow("listener boom");
    expect(got).toEqual([7]);
  });

  it("a server refuses subscribers beyond maxSubscribers with Overloaded", () => {
    const clock = new ManualClock();
    const [a, b] = manualPair(clock);
    serve(Thermo, handlers, a, { codecs: [compactCodec], maxSubscribers: 1, ...clock.options() });
    const peers = ["p1", "p2"];
    const replies: number[] = [];
    b.onFrame((f) => replies.push(f[2]));
    for (const id of peers) {
      // Two peers, as on a datagram link: the endpoint keys subscribers by peer id.
      const payload = new Uint8Array(new Uint32Array([Thermo.info.alarm.id]).buffer);
      (a as unknown as { _cellEndpoint: { receive(f: Uint8Array, p: object): void } })._cellEndpoint.receive(
        frame(Kind.Request, CodecId.Raw, Thermo.id, MethodId.Subscribe, 1, payload),
        { id }
      );
    }
    clock.flush();
    expect(replies).toEqual([Kind.Response, Kind.Error]);
  });
});
