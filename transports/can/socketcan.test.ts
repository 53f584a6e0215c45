// The socketcan adapter through a stand-in for the npm package's raw channel: this kernel has no vcan
// (and no CAN hardware), so a real socket cannot be opened here. The stand-in records the messages the
// adapter hands to the package and feeds back those a socket would give; the ISO-TP frames of the
// shared vectors (spec/vectors/can-isotp.json) go through it both ways, and two links talk over it.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { openSocketCan, RawChannel, RawMessage, SocketCanModule } from "./socketcan";
import { canLink } from "./can-link";
import { until } from "../../test/bridge-fixtures";
import { makeFrame } from "../testing/frames";

const vectors: { segment: { txDl: number; frames: string[] }[] } = JSON.parse(
  readFileSync(new URL("../../spec/vectors/can-isotp.json", import.meta.url), "utf8")
);

/** Raw channels on one simulated interface: what one sends, the others receive (SocketCAN's loopback to other sockets). */
function fakeSocketCan(opts: { missing?: boolean } = {}) {
  const channels: { onMessage: ((m: RawMessage) => void)[]; onStopped: (() => void)[]; running: boolean }[] = [];
  const sent: RawMessage[] = [];
  const module: SocketCanModule = {
    createRawChannel: (iface) => make(iface),
    createRawChannelWithOptions: (iface) => make(iface)
  };
  function make(_iface: string): RawChannel {
    if (opts.missing) throw new Error(`Error while creating socket: No such device`);
    const me = { onMessage: [] as ((m: RawMessage) => void)[], onStopped: [] as (() => void)[], running: false };
    channels.push(me);
    const deliver = (m: RawMessage) => {
      sent.push(m);
      for (const c of channels)
        if (c !== me && c.running) setImmediate(() => c.onMessage.forEach((cb) => cb({ ...m, data: Buffer.from(m.data) })));
    };
    return {
      addListener: ((event: string, cb: any) =>
        event === "onMessage" ? me.onMessage.push(cb) : me.onStopped.push(cb)) as RawChannel["addListener"],
      start: () => void (me.running = true),
      stop: () => ((me.running = false), me.onStopped.forEach((cb) => cb())),
      send: (m) => deliver(m),
      sendFD: (m) => deliver({ ...m, canfd: true })
    };
  }
  const inject = (m: RawMessage) => channels.forEach((c) => c.onMessage.forEach((cb) => cb(m)));
  return { module, sent, inject, iface: `can${iface++}` };
}
let iface = 0;

describe("socketcan adapter (stand-in channel: no vcan on this kernel)", () => {
  it("hands the vectors' ISO-TP frames to the package unchanged and reads them back", async () => {
    const bus = fakeSocketCan();
    const a = await openSocketCan(bus.iface, { module: bus.module, fd: true });
    const b = await openSocketCan(bus.iface, { module: bus.module, fd: true });
    const got: string[] = [];
    b.onFrame((f) => got.push(`${f.id.toString(16)} ${f.extended} ${!!f.fd} ${Buffer.from(f.data).toString("hex")}`));
    const want: string[] = [];
    for (const c of vectors.segment.filter((v) => v.frames.length < 20)) {
      for (const hex of c.frames) {
        const data = new Uint8Array(Buffer.from(hex, "hex"));
        const fd = data.length > 8;
        a.send({ id: 0x18da0201, extended: true, data, fd });
        want.push(`18da0201 true ${fd} ${hex}`);
      }
    }
    await until(() => got.length === want.length);
    expect(got).toEqual(want);
    expect(bus.sent.every((m) => m.ext === true && m.rtr === false && (m.data.length <= 8 || m.canfd === true))).toBe(true);
    a.close();
    b.close();
  });

  it("carries Cell frames between two links, classic and FD", async () => {
    for (const fd of [false, true]) {
      const bus = fakeSocketCan();
      const a = canLink(await openSocketCan(bus.iface, { module: bus.module, fd }), { node: 1, ids: "29-bit" });
      const b = canLink(await openSocketCan(bus.iface, { module: bus.module, fd }), { node: 2, ids: "29-bit" });
      const got: number[] = [];
      b.onFrame((f) => got.push(f.length));
      a.send(makeFrame(500), a.peer(2));
      a.send(makeFrame(20));
      await until(() => got.length === 2);
      expect(got.sort((x, y) => x - y)).toEqual([20, 500]); // the message to all has its own queue: it may overtake
      expect(Math.max(...bus.sent.map((m) => m.data.length))).toBe(fd ? 64 : 8);
      a.close();
      b.close();
    }
  });

  it("turns a bus-off error frame into a bus-off error, and ignores remote frames", async () => {
    const bus = fakeSocketCan();
    const a = await openSocketCan(bus.iface, { module: bus.module });
    const errors: string[] = [];
    const frames: number[] = [];
    a.onError((e) => errors.push(`${e.name} ${(e as any).busOff} ${e.message}`));
    a.onFrame((f) => frames.push(f.id));
    bus.inject({ id: 0x20000040, err: true, data: Buffer.alloc(8) });
    bus.inject({ id: 0x123, rtr: true, data: Buffer.alloc(0) });
    expect(errors).toEqual([`CanBusError true socketcan ${bus.iface}: the controller is bus-off`]);
    expect(frames).toEqual([]);
    a.close();
  });

  it("says plainly when the interface is not there", async () => {
    const bus = fakeSocketCan({ missing: true });
    await expect(openSocketCan("can0", { module: bus.module })).rejects.toThrow(
      "there is no CAN interface can0 (ip link show type can; a virtual one needs the vcan kernel module, which this kernel may not have)"
    );
  });

  it("with the real package (or without it), fails in one plain line on an interface that is not there", async () => {
    // Without the optional package: its name and the install line. With it: this kernel has no such interface.
    await expect(openSocketCan("cellnocan0")).rejects.toThrow(
      /^(the socketcan transport needs the npm package "socketcan", which is not installed: npm install socketcan|there is no CAN interface cellnocan0 .*)$/
    );
  });
});
