// Against the official MAVLink C library (sim/mavlink-peer, common dialect): our packets parse there
// byte for byte (CRC_EXTRA and signature), its packets parse here, its telemetry flood passes a bridge
// unchanged while calls go on, and a typed call crosses a pty at 57600 baud through a simulated
// flight controller.
import { describe, it, expect, beforeAll } from "vitest";
import packetVectors from "../spec/vectors/mavlink-packets.json";
import fragVectors from "../spec/vectors/mavlink-fragments.json";
import { startMavlinkPeer, buildMavlinkPeer } from "../sim/mavlink-peer/peer";
import { openMavlink, MavlinkTransport } from "../transports/mavlink/index";
import { fragmentFrame } from "../transports/mavlink/fragments";
import { openUdp } from "../transports/udp";
import { serve, remote } from "../core/host";
import { announce } from "../core/rpc/announce";
import { cell, method, t } from "../core/schema";
import { decodeHeader, newHeader } from "../core/header";
import { createBridge } from "../host-bridge/bridge";
import { openSides } from "../cli/bridge/open-sides";
import { Echo } from "../examples/echo/schema";
import { mavlinkLink } from "../core/lite/mavlink";

const key = packetVectors.packets.find((p) => "signing" in p)!.signing!.key;
const Unit = t.enum(["C", "F"]);
const Thermo = cell("thermo", { read: method(t.struct({ unit: Unit }), t.struct({ value: t.f32, unit: Unit })) });
const localPort = (l: unknown) => (l as { carrier: { local: { port: number } } }).carrier.local.port;

/** Records every packet the link writes. */
function recordWrites(link: MavlinkTransport): string[] {
  const carrier = (link as unknown as { carrier: { write: (b: Uint8Array, e?: string) => void } }).carrier;
  const out: string[] = [];
  const write = carrier.write.bind(carrier);
  carrier.write = (b, e) => {
    out.push(Buffer.from(b).toString("hex"));
    write(b, e);
  };
  return out;
}

beforeAll(() => {
  buildMavlinkPeer();
}, 120000);

describe("the MAVLink C library peer", () => {
  it("parses every vector packet byte for byte, and checks the signed ones' signatures", async () => {
    const peer = await startMavlinkPeer(["--udp-listen", "0", "--key", key, "--sign-time", "0"]);
    const sender = await openUdp(`127.0.0.1:${peer.ready}`);
    const udp = (sender as unknown as { socket: import("node:dgram").Socket }).socket;
    for (const p of packetVectors.packets) udp.send(Buffer.from(p.hex, "hex"));
    await peer.until("all packets", () => peer.rx.length === packetVectors.packets.length);
    expect(peer.rx.map((r) => r.hex)).toEqual(packetVectors.packets.map((p) => p.hex));
    expect(peer.rx.map((r) => (r.signed ? r.sigok : 0))).toEqual(packetVectors.packets.map((p) => ("signing" in p ? 1 : 0)));
    expect(peer.bad).toEqual([]);
    sender.close();
    peer.close();
  });

  it.each([false, true])("parses what our link sends byte for byte (signed: %s)", async (signed) => {
    const peer = await startMavlinkPeer(["--udp-listen", "0", "--key", key]);
    const link = await openMavlink(`udpout:127.0.0.1:${peer.ready}`, {
      system: 1,
      component: 191,
      heartbeatMs: 0,
      signing: signed ? { key, linkId: 2 } : undefined
    });
    const sent = recordWrites(link);
    const frame = Uint8Array.from(Buffer.from(fragVectors.fragments[3].frame, "hex")); // 1044 bytes: nine TUNNELs
    link.send(frame, link.peer(255, 190));
    link.send(frame.subarray(0, 28).map((b, i) => (i === 16 ? 8 : b))); // a small frame to everyone
    (link as unknown as { heartbeat: () => void }).heartbeat();
    await peer.until("eleven packets", () => peer.rx.length === 11);
    expect(peer.rx.map((r) => r.hex)).toEqual(sent);
    expect(peer.rx.every((r) => r.signed === signed && (!signed || r.sigok === 1))).toBe(true);
    expect(peer.rx.map((r) => r.msgid)).toEqual([...Array(10).fill(385), 0]);
    expect(peer.tunnels.slice(0, 9).map((tn) => tn.hex)).toEqual(fragmentFrame(frame, 0).map((p) => Buffer.from(p).toString("hex")));
    expect(peer.tunnels.every((tn) => tn.ptype === 0xce11)).toBe(true);
    expect(peer.bad).toEqual([]);
    link.close();
    peer.close();
  });

  it("parses what the device's link (core/lite/mavlink.ts) sends byte for byte, and the device hears its TUNNELs", async () => {
    const peer = await startMavlinkPeer(["--udp-listen", "0", "--sys", "255", "--comp", "190"]);
    const sender = await openUdp(`127.0.0.1:${peer.ready}`);
    const udp = (sender as unknown as { socket: import("node:dgram").Socket }).socket;
    const out: string[] = [];
    let data: (b: Uint8Array) => void = () => {};
    udp.on("message", (msg) => data(msg));
    const dev = mavlinkLink(
      { write: (b) => (out.push(Buffer.from(b).toString("hex")), udp.send(Buffer.from(b))), on: (_e, cb) => (data = cb) },
      1044,
      1,
      191
    );
    const frames: string[] = [];
    dev.onFrame((f) => frames.push(Buffer.from(f).toString("hex")));
    dev.heartbeat();
    const frame = Uint8Array.from(Buffer.from(fragVectors.fragments[3].frame, "hex"));
    dev.send(frame, { id: "mavlink:255/190", system: 255, component: 190 } as never);
    await peer.until("ten packets", () => peer.rx.length === 10);
    expect(peer.rx.map((r) => r.hex)).toEqual(out);
    expect(peer.rx.map((r) => r.msgid)).toEqual([0, ...Array(9).fill(385)]);
    expect(peer.bad).toEqual([]);
    // The library's TUNNELs, made from the vector's fragments, reassemble on the device.
    for (const payload of fragVectors.fragments[3].payloads) await peer.command(`tunnel 1 191 52753 ${payload}`);
    await peer.until("the frame on the device", () => frames.length === 1);
    expect(frames).toEqual([fragVectors.fragments[3].frame]);
    sender.close();
    peer.close();
  });

  it("its signed packets parse on our side: a HEARTBEAT makes a peer, a TUNNEL request is answered; a replay is refused", async () => {
    const link = await openMavlink("udp:127.0.0.1:0", { system: 1, component: 191, heartbeatMs: 0, signing: { key } });
    expect(Thermo.info.read.id).toBe(0x85b7894d);
    serve(Thermo, { read: ({ unit }) => ({ value: 21.5, unit }) }, link);
    const peer = await startMavlinkPeer(["--udpout", `127.0.0.1:${localPort(link)}`, "--sys", "255", "--comp", "190", "--key", key]);
    await peer.command("heartbeat");
    await peer.until("our link knows the peer", () => link.peers().some((p) => p.id === "mavlink:255/190"));
    const request = fragVectors.fragments[0].payloads[0]; // thermo.read({unit:"C"}), MSGPACK, request id 1
    await peer.command(`tunnel 1 191 52753 ${request}`);
    await peer.until("the answer", () => peer.tunnels.length === 1);
    const answer = Buffer.from(peer.tunnels[0].hex, "hex");
    expect([peer.tunnels[0].ts, peer.tunnels[0].tc, peer.tunnels[0].ptype]).toEqual([255, 190, 0xce11]);
    const h = newHeader();
    expect(decodeHeader(answer, 4, answer.length - 4, h)).toBe(null);
    expect([h.kind, h.requestId, h.cellId]).toEqual([1, 1, 0x2d2ce39e]);
    expect(peer.rx[0].sigok).toBe(1);
    // The same signed packet again (its bytes as the peer sent them) is a replay.
    await peer.command(`raw ${peer.tx[1]}`);
    await peer.until("the replay counted", () => link.stats.drops.Replayed === 1);
    expect(link.stats.framesIn).toBe(1);
    link.close();
    peer.close();
  });

  it("its telemetry flood (HEARTBEAT 1 Hz, ATTITUDE 50 Hz) passes a bridge byte for byte while calls go on", async () => {
    const bridge = createBridge({ ttlMs: 1000 });
    const mav: MavlinkTransport[] = [];
    await openSides(
      {
        serial: [],
        udp: [],
        quic: [],
        nats: [],
        multicast: [],
        mavlink: ["udp:127.0.0.1:0", "udp:127.0.0.1:0"],
        mavlinkSystem: 255,
        mavlinkComponent: 190
      },
      (side) => {
        mav.push(side.link as MavlinkTransport);
        bridge.addLink(side.link, side.options);
      }
    );
    const net = await openUdp({ listen: "127.0.0.1:0" });
    bridge.addLink(net, { name: "udp" });
    // The vehicle side: the flight controller and a companion computer serving echo.
    const fc = await startMavlinkPeer(["--udpout", `127.0.0.1:${localPort(mav[0])}`, "--sys", "1", "--comp", "1"]);
    const node = await openMavlink(`udpout:127.0.0.1:${localPort(mav[0])}`, { system: 1, component: 191, heartbeatMs: 200 });
    serve(Echo, { echo: (s) => s }, node);
    const ann = announce(node, { instanceId: 0x5eed, ttlMs: 1000, cells: [Echo] });
    // The ground station on the other MAVLink side.
    const gcs = await startMavlinkPeer(["--udpout", `127.0.0.1:${localPort(mav[1])}`, "--sys", "255", "--comp", "1"]);
    await gcs.command("heartbeat");
    const client = await openUdp(`127.0.0.1:${net.local.port}`);
    await fc.until("echo announced", () => bridge.cells().some((c) => c.name === "echo"));
    const echo = remote(Echo, client, { timeoutMs: 4000 });
    const flood = fc.command("flood 1 50 3000");
    let calls = 0;
    let wrong = 0;
    let done = false;
    void flood.then(() => (done = true));
    while (!done) {
      const s = "call " + calls + " " + "x".repeat(calls % 300);
      if ((await echo.echo(s)) !== s) wrong++;
      calls++;
    }
    const fromFc = (hex: string) => hex.slice(10, 14) === "0101"; // sysid 1, compid 1
    await gcs.until("every telemetry packet", () => gcs.rx.filter((r) => fromFc(r.hex)).length >= fc.tx.length, 5000);
    const got = gcs.rx.filter((r) => fromFc(r.hex)).map((r) => r.hex);
    expect(fc.tx.length).toBeGreaterThan(140);
    expect(got).toEqual(fc.tx);
    expect(gcs.bad).toEqual([]);
    expect(wrong).toBe(0);
    expect(calls).toBeGreaterThan(10);
    ann.stop();
    for (const x of [client, node]) x.close();
    bridge.close();
    fc.close();
    gcs.close();
  }, 30000);

  it("a typed call over a pty at 57600 baud through the peer as flight controller to a companion computer", async () => {
    const companion = await openMavlink("udp:127.0.0.1:0", { system: 1, component: 191, heartbeatMs: 0 });
    serve(Echo, { echo: (s) => s.toUpperCase() }, companion);
    const fc = await startMavlinkPeer(["--pty", "57600", "--route", `127.0.0.1:${localPort(companion)}`, "--sys", "1", "--comp", "1"]);
    const radio = await openMavlink(`serial:${fc.ready}:57600`, { system: 255, component: 190, heartbeatMs: 0 });
    const echo = remote(Echo, radio, { timeoutMs: 5000 });
    expect(await echo.echo("over the radio")).toBe("OVER THE RADIO");
    const long = "m".repeat(900); // eight TUNNELs each way
    expect(await echo.echo(long)).toBe(long.toUpperCase());
    expect(fc.bad).toEqual([]);
    radio.close();
    companion.close();
    fc.close();
  }, 30000);
});
