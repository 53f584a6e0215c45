// End to end over real sockets: a board behind TCP (stream framing, as QEMU or ser2net give it), the
// bridge's serial link to it, and UDP clients on loopback.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { openUdp, UdpTransport } from "../transports/udp";
import { openSerial } from "../transports/serial";
import { remote } from "../core/host/remote";
import { jsonCodec, msgpackCodec } from "../core/codecs";
import { createBridge, Bridge, BridgeCell } from "../host-bridge";
import { Thermo, instances, client, until, failure } from "./bridge-fixtures";
import { tcpBoard } from "./bridge-net-fixtures";
import { frame } from "./rpc-fixtures";
import { Kind, CodecId } from "../core/header";

let board: Awaited<ReturnType<typeof tcpBoard>>;
let bridge: Bridge;
let udp: UdpTransport;
const clients: UdpTransport[] = [];
const log: string[] = [];

async function udpClient(): Promise<UdpTransport> {
  const c = await openUdp(`127.0.0.1:${udp.local.port}`);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  board = await tcpBoard(0xb0a4d);
  bridge = createBridge({ log: (l) => log.push(l) });
  bridge.addLink(await openSerial(`tcp://127.0.0.1:${board.port}`, { maxFrame: 1044 }), { role: "device", name: "serial:tcp" });
  udp = await openUdp({ listen: "127.0.0.1:0" });
  bridge.addLink(udp, { role: "network", name: "udp" });
  await instances(bridge, Thermo.id, 1);
});

afterAll(async () => {
  for (const c of clients) c.close();
  bridge.close();
  await board.close();
});

describe("bridge over UDP, to a board behind TCP", () => {
  it("answers typed calls in every codec", async () => {
    const c = await udpClient();
    for (const codec of [undefined, msgpackCodec, jsonCodec]) {
      const t = remote(Thermo, c, { codec, codecs: codec ? [codec] : undefined });
      const v = await t.read({ unit: "C" });
      expect(v).toEqual({ value: 21.5, unit: "C", by: 0xb0a4d });
      const sum: { sum: number; by: number } = await t.add({ a: -5, b: 7 });
      expect(sum.sum).toBe(2);
    }
    expect(log.some((l) => l.startsWith("+ thermo") && l.includes("on serial:tcp"))).toBe(true);
  });

  it("keeps UDP peers apart: many sockets, the same request ids, each gets its own answers", async () => {
    const socks = await Promise.all(Array.from({ length: 8 }, udpClient));
    const sums = await Promise.all(
      socks.map(async (s, k) => {
        const t = client(s);
        // 8 × 8 in flight at once: the board's 64.
        const out: number[] = [];
        for (let round = 0; round < 4; round++)
          out.push(
            ...(await Promise.all(Array.from({ length: 8 }, (_, i) => t.add({ a: k * 1000, b: round * 8 + i }).then((x) => x.sum))))
          );
        return out;
      })
    );
    sums.forEach((list, k) => expect(list).toEqual(Array.from({ length: 32 }, (_, i) => k * 1000 + i)));
  });

  it("relays events to UDP subscribers", async () => {
    const got: number[] = [];
    await client(await udpClient()).on("alarm", (v) => got.push(v.value));
    board.device()!.server.emit("alarm", { value: 99.5, by: 1 });
    await until(() => got.length === 1);
    expect(got).toEqual([99.5]);
  });

  it("lists the cell and the links through the bridge cell", async () => {
    const b = remote(BridgeCell, await udpClient());
    const { cells } = await b.cells({});
    expect(cells.map((c) => [c.name, c.instanceId, c.link])).toEqual([["thermo", 0xb0a4d, "serial:tcp"]]);
    const links = await b.links({});
    expect(links.map((l) => [l.name, l.role])).toEqual([
      ["serial:tcp", "device"],
      ["udp", "network"]
    ]);
    expect(links[0].framesIn).toBeGreaterThan(0);
  });

  it("drops garbage datagrams, counted by reason, and keeps serving", async () => {
    const c = await udpClient();
    const before = bridge.links().find((l) => l.name === "udp")!.drops;
    const count = (list: typeof before, reason: string) => list.find((d) => d.reason === reason)?.count ?? 0;
    // A raw socket: the UDP transport's own send refuses frames this bad.
    const { createSocket } = await import("node:dgram");
    const raw = createSocket("udp4");
    const badKind = frame(Kind.Request, CodecId.Compact, Thermo.id, 1, 1, [1]);
    badKind[2] = 9;
    const truncated = frame(Kind.Request, CodecId.Compact, Thermo.id, 1, 1, [1, 2, 3]).subarray(0, 22);
    const junk = [Buffer.from([1, 2, 3]), Buffer.alloc(30, 0xff), Buffer.from(badKind), Buffer.from(truncated)];
    for (const j of junk) raw.send(j, udp.local.port, "127.0.0.1");
    await until(() => {
      const now = bridge.links().find((l) => l.name === "udp")!.drops;
      return ["TooShort", "BadMagic", "BadKind", "BadLength"].every((reason) => count(now, reason) === count(before, reason) + 1);
    });
    raw.close();
    expect((await client(c).add({ a: 1, b: 1 })).sum).toBe(2);
  });

  it("fails fast with Unreachable when the board's connection drops mid-call, and serves again once it is back", async () => {
    const c = client(await udpClient());
    const p = c.hold(1);
    await until(() => (board.device()?.held.length ?? 0) === 1);
    const t0 = Date.now();
    board.drop(); // the serial link reopens with backoff; the request it carried is lost with the connection
    const e = await failure(p);
    expect(e.codeName).toBe("Unreachable");
    expect(e.message).toBe("thermo instance 0x000b0a4d on serial:tcp went away (its link is down) with the request in flight");
    expect(Date.now() - t0).toBeLessThan(1000);
    await instances(bridge, Thermo.id, 1); // the board announces again on the new connection
    expect((await c.add({ a: 2, b: 2 })).sum).toBe(4);
    expect(log).toContain("link serial:tcp is down");
    expect(log).toContain("link serial:tcp is back");
  });
});
