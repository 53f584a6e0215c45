// The MAVLink link (transports/mavlink) end to end: typed calls over UDP loopback and a byte stream,
// 5% fragment loss/duplication/reordering without a wrong answer, peers forgotten when heartbeats stop,
// signing, pass-through of traffic that is not ours, and bad input counted with bounded memory.
import { describe, it, expect, beforeAll } from "vitest";
import { createSocket, Socket } from "node:dgram";
import { openMavlink, joinMavlinkLinks, MavlinkTransport } from "../transports/mavlink/index";
import { loadMavlink, Mavlink, PacketWriter, packetReader } from "../transports/mavlink/codec";
import { fragmentFrame } from "../transports/mavlink/fragments";
import { serve, remote } from "../core/host";
import { CellError } from "../core/errors";
import { Echo } from "../examples/echo/schema";
import { makeFrame } from "../transports/testing/frames";
import { packetPipe } from "../transports/testing/mavlink-pipe";

let m: Mavlink;
beforeAll(async () => {
  m = await loadMavlink();
});

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function rawSocket(): Promise<Socket> {
  const s = createSocket("udp4");
  return new Promise((resolve) => s.bind(0, "127.0.0.1", () => resolve(s)));
}

const text = (n: number, seed: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed) % 26))).join("");

describe("mavlink link", () => {
  it("carries typed calls over UDP loopback, one and many fragments, and knows the peer by system/component", async () => {
    const server = await openMavlink("udp:127.0.0.1:0", { system: 1, component: 191, heartbeatMs: 100 });
    serve(Echo, { echo: (s) => s }, server);
    const port = (server as unknown as { carrier: { local: { port: number } } }).carrier.local.port;
    const client = await openMavlink(`udpout:127.0.0.1:${port}`, { system: 255, component: 190, heartbeatMs: 100 });
    const echo = remote(Echo, client, { timeoutMs: 3000 });
    expect(await echo.echo("hi")).toBe("hi");
    const long = text(1000, 3); // nine fragments each way
    expect(await echo.echo(long)).toBe(long);
    await waitFor("each side hears the other's heartbeat", () => client.peers().length === 1 && server.peers().length === 1);
    expect(server.peers().map((p) => p.id)).toEqual(["mavlink:255/190"]);
    expect(client.peers().map((p) => [p.id, p.system, p.component])).toEqual([["mavlink:1/191", 1, 191]]);
    expect(server.stats.drops).toEqual({});
    expect(client.stats.framesIn).toBe(2);
    client.close();
    server.close();
  });

  it("a frame larger than maxFrame is refused; a frame to a MAVLink peer goes to its target", async () => {
    const [a, b] = packetPipe();
    const one = await openMavlink("pipe", { port: a, heartbeatMs: 0, system: 1, component: 10 });
    const two = await openMavlink("pipe", { port: b, heartbeatMs: 0, system: 1, component: 11 });
    const three = await openMavlink("pipe", { port: packetPipe()[0], heartbeatMs: 0 });
    expect(() => one.send(makeFrame(1045))).toThrow(CellError);
    const got: Uint8Array[] = [];
    two.onFrame((f) => got.push(Uint8Array.from(f)));
    one.send(makeFrame(300), one.peer(1, 12)); // someone else's: two does not take it
    one.send(makeFrame(300), one.peer(1, 11));
    await waitFor("the frame to 1/11", () => got.length === 1);
    expect(got[0]).toEqual(makeFrame(300));
    for (const l of [one, two, three]) l.close();
  });

  it("5% fragment loss, duplication and reordering: no wrong answer, losses are timeouts", async () => {
    const [a, b] = packetPipe(0.05, 7);
    const server = await openMavlink("pipe", { port: a, heartbeatMs: 0, system: 1, component: 191 });
    const client = await openMavlink("pipe", { port: b, heartbeatMs: 0, system: 255, component: 190 });
    serve(Echo, { echo: (s) => s }, server);
    const echo = remote(Echo, client, { timeoutMs: 400 });
    let right = 0;
    let wrong = 0;
    let timedOut = 0;
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const sent = text(i % 4 === 0 ? 300 + i : 10 + (i % 50), i);
      calls.push(
        echo.echo(sent).then(
          (got) => void (got === sent ? right++ : wrong++),
          (e: CellError) => void (e.codeName === "TimedOut" ? timedOut++ : wrong++)
        )
      );
      if (i % 10 === 9) await Promise.all(calls.splice(0));
    }
    await Promise.all(calls);
    expect(wrong).toBe(0);
    expect(right + timedOut).toBe(200);
    expect(right).toBeGreaterThan(100);
    const drops = { ...server.stats.drops, ...client.stats.drops };
    expect(Object.keys(drops).every((k) => ["DuplicateFragment", "FragmentLost", "FragmentTimeout", "UnknownRequest"].includes(k))).toBe(
      true
    );
    client.close();
    server.close();
  });

  it("forgets a peer whose heartbeats stop, and tells onPeerClose", async () => {
    const [a, b] = packetPipe();
    const node = await openMavlink("pipe", { port: a, heartbeatMs: 30, system: 1, component: 191 });
    const gcs = await openMavlink("pipe", { port: b, heartbeatMs: 0, peerTimeoutMs: 200, system: 255, component: 190 });
    const gone: string[] = [];
    gcs.onPeerClose((p) => gone.push(p.id));
    await waitFor("the heartbeat", () => gcs.peers().length === 1);
    node.close();
    await waitFor("the peer forgotten", () => gone.length === 1);
    expect(gone).toEqual(["mavlink:1/191"]);
    expect(gcs.peers()).toEqual([]);
    gcs.close();
  });

  it("signing: signed calls pass, unsigned and replayed packets and a wrong key are dropped", async () => {
    const key = "correct horse battery staple";
    const [a, b] = packetPipe();
    let tap: Uint8Array[] = [];
    const bWrite = b.write.bind(b);
    b.write = (bytes) => {
      tap.push(Uint8Array.from(bytes));
      bWrite(bytes);
    };
    const server = await openMavlink("pipe", { port: a, heartbeatMs: 0, system: 1, component: 191, signing: { key } });
    const client = await openMavlink("pipe", { port: b, heartbeatMs: 0, system: 255, component: 190, signing: { key, linkId: 3 } });
    serve(Echo, { echo: (s) => s }, server);
    expect(await remote(Echo, client, { timeoutMs: 2000 }).echo("signed")).toBe("signed");
    expect(tap.every((p) => (p[2] & 1) === 1)).toBe(true);
    const before = server.stats.framesIn;
    for (const p of tap) bWrite(p); // replayed as they were
    const unsigned = new PacketWriter(m, 255, 190, false).tunnel(1, 191, fragmentFrame(makeFrame(30), 9)[0]);
    bWrite(unsigned);
    const wrongKey = await openMavlink("pipe", {
      port: { write: bWrite, onData() {} },
      heartbeatMs: 0,
      system: 255,
      component: 190,
      signing: { key: "another" }
    });
    wrongKey.send(makeFrame(30));
    await waitFor(
      "drops counted",
      () => (server.stats.drops.Replayed || 0) >= tap.length && server.stats.drops.Unsigned === 1 && server.stats.drops.BadSignature === 1
    );
    expect(server.stats.framesIn).toBe(before);
    tap = [];
    for (const l of [server, client, wrongKey]) l.close();
  });

  it("passes traffic that is not ours through joined links byte for byte, and ignores it otherwise", async () => {
    const l1 = await openMavlink("udp:127.0.0.1:0", { heartbeatMs: 0 });
    const l2 = await openMavlink("udp:127.0.0.1:0", { heartbeatMs: 0 });
    joinMavlinkLinks([l1, l2]);
    const fc = await rawSocket();
    const gcs = await rawSocket();
    const port = (l: MavlinkTransport) => (l as unknown as { carrier: { local: { port: number } } }).carrier.local.port;
    gcs.send(Buffer.from([0]), port(l2), "127.0.0.1"); // the GCS makes itself heard (as a GCS's heartbeat would)
    await new Promise((r) => setTimeout(r, 50));
    const protocol = new m.MavLinkProtocolV2(1, 1);
    const sent: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const att = new m.common.Attitude();
      att.timeBootMs = 1000 + i;
      att.roll = i / 10;
      sent.push(protocol.serialize(att, i));
    }
    const other = new m.common.Tunnel(); // another program's TUNNEL
    other.payloadType = 0x8001 as never;
    other.payloadLength = 3;
    other.payload = [1, 2, 3];
    sent.push(protocol.serialize(other, 20));
    const got: Buffer[] = [];
    gcs.on("message", (msg) => got.push(msg));
    for (const p of sent) fc.send(p, port(l1), "127.0.0.1");
    await waitFor("all forwarded", () => got.length === sent.length);
    expect(got.map((b) => b.toString("hex"))).toEqual(sent.map((b) => b.toString("hex")));
    expect(l1.stats.framesIn).toBe(0);
    for (const l of [l1, l2]) l.close();
    fc.close();
    gcs.close();
  });

  it("counts bad input and keeps working, with bounded memory", async () => {
    const link = await openMavlink("udp:127.0.0.1:0", { heartbeatMs: 0, system: 1, component: 191 });
    serve(Echo, { echo: (s) => s }, link);
    const port = (link as unknown as { carrier: { local: { port: number } } }).carrier.local.port;
    const s = await rawSocket();
    const w = new PacketWriter(m, 255, 190, false);
    const corrupted = w.tunnel(1, 191, fragmentFrame(makeFrame(40), 1)[0]);
    corrupted[20] ^= 0xff;
    const wrongType = new m.MavLinkProtocolV2(255, 190).serialize(
      Object.assign(new m.common.Tunnel(), { targetSystem: 1, targetComponent: 191, payloadType: 0x8001, payloadLength: 1, payload: [7] }),
      2
    );
    const claim64k = w.tunnel(1, 191, Uint8Array.from([3, 0, 0xff, 0xff, ...new Uint8Array(124)]));
    const junk = Buffer.alloc(2000, 0x55);
    const sameIds = new PacketWriter(m, 1, 191, false).heartbeat(); // another node with the link's own ids
    const errors: string[] = [];
    link.onError((e) => errors.push(e.message));
    for (const d of [corrupted, wrongType, claim64k, junk, sameIds, sameIds]) s.send(d, port, "127.0.0.1");
    await waitFor(
      "drops",
      () =>
        link.stats.drops.BadCrc >= 1 &&
        link.stats.drops.BadPayloadType === 1 &&
        link.stats.drops.TooLong === 1 &&
        link.stats.drops.SameIds === 2
    );
    expect(errors).toEqual([expect.stringContaining("another node sends HEARTBEATs as 1/191")]);
    const client = await openMavlink(`udpout:127.0.0.1:${port}`, { heartbeatMs: 0, system: 255, component: 191 });
    expect(await remote(Echo, client, { timeoutMs: 3000 }).echo("still here")).toBe("still here");
    // A stream of noise with no start byte is not kept; a packet after it still parses.
    const got: unknown[] = [];
    const reader = packetReader(
      m,
      (p) => got.push(p),
      () => {}
    );
    for (let i = 0; i < 1000; i++) reader.feed(Buffer.alloc(1024, 0x11));
    expect(reader.pending()).toBe(0);
    for (let i = 0; i < 1000; i++) reader.feed(Uint8Array.from({ length: 1024 }, (_, j) => (j * 31 + i) & 255));
    expect(reader.pending()).toBeLessThanOrEqual(280);
    reader.reset();
    reader.feed(w.heartbeat());
    expect(got.length).toBeGreaterThanOrEqual(1);
    client.close();
    link.close();
    s.close();
  });

  it("keeps bounded state under a flood of half frames from thousands of sources", async () => {
    const [a, b] = packetPipe();
    const link = await openMavlink("pipe", { port: a, heartbeatMs: 0, system: 1, component: 191 });
    const first = fragmentFrame(makeFrame(1000), 0)[0]; // the first of nine fragments, never completed
    for (let i = 0; i < 3000; i++) b.write(new PacketWriter(m, 2 + (i % 250), i >> 8, false).tunnel(1, 191, first));
    await waitFor("all read", () => link.packetsIn === 3000);
    const inner = link as unknown as { reassembler: { sources: number } };
    expect(inner.reassembler.sources).toBeLessThanOrEqual(16);
    expect(link.peers().length).toBeLessThanOrEqual(256);
    expect(link.stats.drops.FragmentLost).toBeGreaterThan(2900); // each evicted half frame, counted
    link.close();
  });
});
