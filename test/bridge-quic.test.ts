// End to end over QUIC on loopback: pinned certificates, one connection per client (a Peer each).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openQuic, QuicTransport } from "../transports/quic";
import { loopbackPair } from "../core/loopback";
import { remote } from "../core/host/remote";
import { createBridge, Bridge, BridgeCell } from "../host-bridge";
import { Thermo, device, Device, instances, client, until, fast } from "./bridge-fixtures";

const dir = mkdtempSync(join(tmpdir(), "cell-bridge-quic-"));
let bridge: Bridge;
let board: Device;
let server: QuicTransport;
const clients: QuicTransport[] = [];

async function quicClient(): Promise<QuicTransport> {
  const c = await openQuic({
    connect: `127.0.0.1:${server.local.port}`,
    fingerprints: [server.fingerprint],
    identityDir: join(dir, "client")
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  bridge = createBridge();
  const [boardEnd, side] = loopbackPair({ schedule: fast });
  bridge.addLink(side, { role: "device", name: "board" });
  board = device(boardEnd, 0x51);
  server = await openQuic({ listen: "127.0.0.1:0", identityDir: join(dir, "server") });
  bridge.addLink(server, { role: "network", name: "quic" });
  await instances(bridge, Thermo.id, 1);
}, 30000);

afterAll(async () => {
  for (const c of clients) c.close();
  board?.announcer.stop();
  bridge?.close();
  await new Promise((r) => setTimeout(r, 50));
  rmSync(dir, { recursive: true, force: true });
});

describe("bridge over QUIC", () => {
  it("answers typed calls from several connections, each with its own answers", async () => {
    const links = await Promise.all([quicClient(), quicClient(), quicClient()]);
    const sums = await Promise.all(
      links.map((l, k) =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            client(l)
              .add({ a: k * 100, b: i })
              .then((x) => x.sum)
          )
        )
      )
    );
    sums.forEach((list, k) => expect(list).toEqual(Array.from({ length: 20 }, (_, i) => k * 100 + i)));
    expect(await client(links[0]).read({ unit: "C" })).toEqual({ value: 21.5, unit: "C", by: 0x51 });
    expect((await remote(BridgeCell, links[0]).cells({})).cells.map((c) => c.name)).toEqual(["thermo"]);
  }, 30000);

  it("relays events, and ends a client's subscriptions when its connection ends", async () => {
    const link = await quicClient();
    const got: number[] = [];
    await client(link).on("alarm", (v) => got.push(v.value));
    board.server.emit("alarm", { value: 7.25, by: 0x51 });
    await until(() => got.length === 1);
    expect(bridge.subscriptions()).toEqual([{ cellId: Thermo.id, eventId: Thermo.info.alarm.id, clients: 1, upstream: 1 }]);
    link.close();
    await until(() => bridge.subscriptions().length === 0, 10000, "the subscription to end with the connection");
    await until(() => board.server.emit("alarm", { value: 1, by: 0 }) === 0, 3000, "the board to drop the bridge's subscription");
  }, 30000);

  it("drops and counts a bad frame on a QUIC stream, and keeps serving", async () => {
    const bad = await quicClient();
    const junk = new Uint8Array(24).fill(0x55); // long enough to pass the sender's checks, no magic
    bad.send(junk);
    const drops = () =>
      bridge
        .links()
        .find((l) => l.name === "quic")!
        .drops.find((d) => d.reason === "BadMagic")?.count ?? 0;
    await until(() => drops() === 1, 10000, "the BadMagic drop");
    expect((await client(await quicClient()).add({ a: 20, b: 22 })).sum).toBe(42);
  }, 30000);
});
