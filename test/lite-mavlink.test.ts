// The device's MAVLink link (core/lite/mavlink.ts) against the vectors (made independently, in Python),
// against node-mavlink (the host's packets in, its packets out), and serving typed calls to a host
// MAVLink link.
import { describe, it, expect, beforeAll } from "vitest";
import fragVectors from "../spec/vectors/mavlink-fragments.json";
import packetVectors from "../spec/vectors/mavlink-packets.json";
import { mavlinkLink, MAVLINK_DROPS } from "../core/lite/mavlink";
import { serialOf } from "../core/lite/stream";
import { serve } from "../core/lite/serve";
import { compactCodec } from "../core/lite/compact";
import { bytePipe } from "../core/stream-link";
import { remote } from "../core/host/remote";
import { loadMavlink, Mavlink, PacketWriter, packetReader } from "../transports/mavlink/codec";
import { openMavlink } from "../transports/mavlink/index";
import { Echo } from "../examples/echo/schema";
import { packetPipe } from "../transports/testing/mavlink-pipe";
import type { CellError } from "../core/errors";

const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
let m: Mavlink;
beforeAll(async () => {
  m = await loadMavlink();
});

/** A device link whose port is driven by the test: feed() brings bytes, `out` collects what it wrote. */
function device(maxFrame = 1044, sys = 1, comp = 191) {
  let data: (b: Uint8Array) => void = () => {};
  const out: Uint8Array[] = [];
  const link = mavlinkLink({ write: (b) => out.push(Uint8Array.from(b)), on: (_e, cb) => (data = cb) }, maxFrame, sys, comp);
  const frames: string[] = [];
  link.onFrame((f) => frames.push(hex(f)));
  const drops = () => {
    const d: Record<string, number> = {};
    MAVLINK_DROPS.forEach((name, i) => link.drops[i] && (d[name] = link.drops[i]));
    return d;
  };
  return { link, out, frames, drops, feed: (b: Uint8Array) => data(b) };
}

/** The vectors' names for what the device counts as one BadFrame. */
const deviceDrops = (d: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(d)) {
    const name = ["BadMagic", "BadVersion", "BadKind", "BadLength"].includes(k) ? "BadFrame" : k;
    out[name] = (out[name] || 0) + v;
  }
  return out;
};

describe("device MAVLink link: vectors", () => {
  it.each(fragVectors.fragments)("reassembles and fragments: $name", (c) => {
    const d = device();
    const w = new PacketWriter(m, 255, 190, false);
    for (const p of c.payloads) d.feed(w.tunnel(1, 191, bytes(p)));
    expect(d.frames).toEqual([c.frame]);
    // Its own fragments, read by node-mavlink: the same TUNNEL payloads.
    for (let i = 0; i < c.frameSeq; i++) d.link.send(bytes(fragVectors.fragments[0].frame)); // bring its frame counter there
    d.out.length = 0;
    d.link.send(bytes(c.frame), { id: "mavlink:255/190", system: 255, component: 190 } as never);
    const payloads: string[] = [];
    const reader = packetReader(
      m,
      (pk) => {
        const t = new m.MavLinkProtocolV2().data(new m.MavLinkProtocolV2().payload(pk.bytes), m.common.Tunnel);
        expect([t.payloadType, t.targetSystem, t.targetComponent]).toEqual([0xce11, 255, 190]);
        payloads.push(hex(Uint8Array.from(t.payload.slice(0, t.payloadLength))));
      },
      (why) => {
        throw new Error(why);
      }
    );
    for (const o of d.out) reader.feed(o);
    expect(payloads).toEqual(c.payloads);
  });
  it.each(fragVectors.reassembly)("reassembly: $name", (c) => {
    const d = device(c.maxFrame);
    const w = new PacketWriter(m, 255, 190, false);
    for (const p of c.payloads) d.feed(w.tunnel(1, 191, bytes(p)));
    expect(d.frames).toEqual(c.frames);
    expect(d.drops()).toEqual(deviceDrops(c.drops as Record<string, number>));
  });
  it("writes the vectors' HEARTBEAT and ANNOUNCE TUNNEL byte for byte", () => {
    const d = device();
    d.link.heartbeat();
    d.link.heartbeat();
    const announce = packetVectors.packets.find((p) => p.name === "tunnel: announce to everyone")!;
    d.link.send(bytes((announce.fields.payload as string).slice(8)));
    expect(hex(d.out[0])).toBe(packetVectors.packets[0].hex);
    expect(hex(d.out[2])).toBe(announce.hex);
  });
  it("skips other traffic and noise, counts a corrupted TUNNEL, and hears the next one", () => {
    const d = device();
    const w = new PacketWriter(m, 255, 190, false);
    const att = new m.MavLinkProtocolV2(1, 1).serialize(Object.assign(new m.common.Attitude(), { timeBootMs: 5, roll: 0.5 }), 0);
    const good = w.tunnel(1, 191, bytes(fragVectors.fragments[0].payloads[0]));
    const bad = Uint8Array.from(good);
    bad[30] ^= 1;
    const other = w.tunnel(1, 191, Uint8Array.from([1, 2, 3])); // payload type 0xce11 but no valid fragment
    const elsewhere = w.tunnel(1, 192, bytes(fragVectors.fragments[0].payloads[0])); // another component's
    d.feed(Uint8Array.from([0xfe, 9, 1, 2, 0x55, 0xaa, ...att, ...bad, ...elsewhere]));
    d.feed(Uint8Array.from([...other, ...good]));
    expect(d.frames).toEqual([fragVectors.fragments[0].frame]);
    expect(d.drops()).toEqual({ BadCrc: 1, BadFragment: 1 });
  });
});

describe("device MAVLink link: serving a host", () => {
  it("answers typed calls from a host MAVLink link, one and nine fragments", async () => {
    const [hostEnd, deviceEnd] = bytePipe();
    const dev = mavlinkLink(serialOf(deviceEnd), 1044, 1, 191);
    serve([{ def: Echo, handlers: { echo: (s: unknown) => s } }], dev, { codecs: [compactCodec], announceTtlMs: -1 });
    const host = await openMavlink("pipe", { port: hostEnd, system: 255, component: 190, heartbeatMs: 0 });
    const echo = remote(Echo, host, { timeoutMs: 3000 });
    expect(await echo.echo("from the ground")).toBe("from the ground");
    const long = "y".repeat(1000);
    expect(await echo.echo(long)).toBe(long);
    dev.heartbeat();
    await new Promise((r) => setTimeout(r, 20));
    expect(host.peers().map((p) => p.id)).toEqual(["mavlink:1/191"]);
    expect(host.stats.drops).toEqual({});
    host.close();
  });

  it("5% loss, duplication and reordering of packets both ways: no wrong answer, losses are timeouts", async () => {
    const [hostEnd, deviceEnd] = packetPipe(0.05, 11);
    const dev = mavlinkLink(serialOf(deviceEnd), 1044, 1, 191);
    serve([{ def: Echo, handlers: { echo: (s: unknown) => s } }], dev, { codecs: [compactCodec], announceTtlMs: -1 });
    const host = await openMavlink("pipe", { port: hostEnd, system: 255, component: 190, heartbeatMs: 0 });
    const echo = remote(Echo, host, { timeoutMs: 400 });
    let right = 0;
    let wrong = 0;
    let timedOut = 0;
    for (let batch = 0; batch < 15; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => {
          const i = batch * 10 + j;
          const sent = String.fromCharCode(97 + (i % 26)).repeat(i % 3 === 0 ? 300 + i : 5 + i);
          return echo.echo(sent).then(
            (got) => void (got === sent ? right++ : wrong++),
            (e: CellError) => void (e.codeName === "TimedOut" ? timedOut++ : wrong++)
          );
        })
      );
    }
    expect(wrong).toBe(0);
    expect(right + timedOut).toBe(150);
    expect(right).toBeGreaterThan(75);
    expect(dev.drops[0]).toBe(0); // no CRC failure: faults are whole packets
    host.close();
  });
});
