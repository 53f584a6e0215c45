// Events across the bridge: the bridge subscribes on the devices for its clients and fans events out.
import { describe, it, expect, afterEach } from "vitest";
import { loopbackPair } from "../core/loopback";
import { connect } from "../core/rpc/client";
import { cell, event, t } from "../core/schema";
import { Kind, CodecId } from "../core/header";
import { compactCodec } from "../core/codecs";
import { Writer } from "../core/codec";
import { Thermo, rig, Rig, instances, client, failure, until, fast, device } from "./bridge-fixtures";
import { frame } from "./rpc-fixtures";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

const alarmId = Thermo.info.alarm.id;

describe("bridge events", () => {
  it("delivers a device's events to every subscribed client; the device sees one subscriber, the bridge", async () => {
    r = rig({ clients: 3 });
    await instances(r.bridge, Thermo.id, 1);
    const got: string[] = [];
    await client(r.clients[0]).on("alarm", (v) => got.push("a" + v.value));
    await client(r.clients[1]).on("alarm", (v) => got.push("b" + v.value));
    client(r.clients[2]); // not subscribed: hears nothing
    expect(r.devices[0].server.emit("alarm", { value: 30, by: 0 })).toBe(1);
    await until(() => got.length === 2);
    expect(got.sort()).toEqual(["a30", "b30"]);
    expect(r.bridge.subscriptions()).toEqual([{ cellId: Thermo.id, eventId: alarmId, clients: 2, upstream: 1 }]);
  });

  it("unsubscribes on the device when the last client leaves", async () => {
    r = rig({ clients: 2 });
    await instances(r.bridge, Thermo.id, 1);
    const [a, b] = [client(r.clients[0]), client(r.clients[1])];
    const la = () => {};
    const lb = () => {};
    await a.on("alarm", la);
    await b.on("alarm", lb);
    a.off("alarm", la);
    await until(() => r!.bridge.subscriptions()[0]?.clients === 1);
    expect(r.devices[0].server.emit("alarm", { value: 1, by: 0 })).toBe(1);
    b.off("alarm", lb);
    await until(() => r!.bridge.subscriptions().length === 0);
    await until(() => r!.devices[0].server.emit("alarm", { value: 2, by: 0 }) === 0, 3000, "the device to drop the bridge's subscription");
  });

  it("subscribes on every instance of the cell, and on instances that appear later", async () => {
    r = rig({ devices: 2 });
    await instances(r.bridge, Thermo.id, 2);
    const from: number[] = [];
    await client(r.clients[0]).on("alarm", (v) => from.push(v.by));
    await until(() => r!.bridge.subscriptions()[0]?.upstream === 2, 3000, "both instances subscribed");
    r.devices[0].server.emit("alarm", { value: 1, by: 0x100 });
    r.devices[1].server.emit("alarm", { value: 1, by: 0x101 });
    await until(() => from.length === 2);
    expect(from.sort()).toEqual([0x100, 0x101]);
    // A third board appears: the bridge subscribes there too, unasked.
    const [board, side] = loopbackPair({ schedule: fast });
    r.bridge.addLink(side, { role: "device", name: "late" });
    const late = device(board, 0x102);
    r.devices.push(late);
    await until(() => r!.bridge.subscriptions()[0]?.upstream === 3, 3000, "the new instance subscribed");
    expect(late.server.emit("alarm", { value: 3, by: 0x102 })).toBe(1);
    await until(() => from.includes(0x102));
  });

  it("passes on a device's refusal of an unknown event and records nothing", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const Newer = cell("thermo", { smoke: event(t.bool) });
    const e = await failure(
      new Promise((resolve, reject) =>
        connect(Newer, r!.clients[0], { codecs: [compactCodec] }).on(
          "smoke",
          () => {},
          (err) => (err ? reject(err) : resolve(null))
        )
      )
    );
    expect(e.codeName).toBe("UnknownMethod");
    expect(r.bridge.subscriptions()).toEqual([]);
  });

  it("does not relay an EVENT that no subscribed instance sent (a client cannot spoof one)", async () => {
    r = rig({ clients: 2 });
    await instances(r.bridge, Thermo.id, 1);
    const got: number[] = [];
    await client(r.clients[0]).on("alarm", (v) => got.push(v.value));
    const w = new Writer();
    compactCodec.encode(Thermo.members.alarm.type, { value: 666, by: 0 }, w);
    r.clients[1].send(frame(Kind.Event, CodecId.Compact, Thermo.id, alarmId, 0, w.view()));
    r.devices[0].server.emit("alarm", { value: 5, by: 0 });
    await until(() => got.length === 1);
    await new Promise((res) => setTimeout(res, 20));
    expect(got).toEqual([5]);
  });

  it("ends the subscriptions of a client link that closes", async () => {
    r = rig({ clients: 1 });
    await instances(r.bridge, Thermo.id, 1);
    await client(r.clients[0]).on("alarm", () => {});
    expect(r.devices[0].server.emit("alarm", { value: 1, by: 0 })).toBe(1);
    r.clients[0].close();
    await until(() => r!.bridge.subscriptions().length === 0);
    await until(() => r!.devices[0].server.emit("alarm", { value: 2, by: 0 }) === 0, 3000, "the device to drop the bridge's subscription");
  });
});
