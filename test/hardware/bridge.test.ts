// Issue 5 end to end with a real device: the echo cell on a simulated board (QEMU + Duktape or JerryScript), reached
// through the bridge's serial link to the board's UART, called by a UDP client and a NATS client.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { remote } from "../../core/host/remote";
import { Echo } from "../../examples/echo/schema";
import { openSerial } from "../../transports/serial";
import { openUdp, UdpTransport } from "../../transports/udp";
import { openNats, NatsTransport } from "../../transports/nats";
import { startNatsServer, NatsServer } from "../../transports/testing/nats-server";
import { createBridge, Bridge } from "../../host-bridge";
import type { SimBundle } from "../../sim/bundle";
import { buildBundles, Boards, BOARDS, waitFor } from "./harness";

describe.each(BOARDS)("a simulated board (%s) behind the bridge", (boardId) => {
  var boards = new Boards(boardId);
  var built: { bundles: { echo: SimBundle }; dispose(): void };
  var bridge: Bridge;
  var udp: UdpTransport;
  var nats: NatsServer;
  var clients: { close(): void }[] = [];
  var log: string[] = [];

  beforeAll(async () => {
    built = await buildBundles({ echo: "examples/echo/echo.ts" }, boardId);
    nats = await startNatsServer();
    var sim = await boards.start();
    expect(await sim.loader.flash(built.bundles.echo.bytes)).toMatchObject({ running: true });
    sim.disconnect(); // QEMU serves one client on the UART: the bridge's serial link is the next
    bridge = createBridge({ log: (l) => log.push(l) });
    bridge.addLink(await openSerial(sim.url, { maxFrame: sim.maxFrame + 20 }), { role: "device", name: "board" });
    udp = await openUdp({ listen: "127.0.0.1:0" });
    bridge.addLink(udp, { role: "network", name: "udp" });
    bridge.addLink(await openNats({ servers: nats.url }), { role: "network", name: "nats" });
    // The bridge asks who is there when it adds the link (spec/rpc.md §8.1): the board answers with its ANNOUNCE.
    await waitFor("the board's ANNOUNCE at the bridge", () => bridge.cells().some((c) => c.cellId === Echo.id), 20000);
  }, 120000);

  afterAll(async () => {
    for (var c of clients) c.close();
    if (bridge) bridge.close();
    await boards.closeAll();
    if (nats) await nats.stop();
    if (built) built.dispose();
  });

  it("answers a UDP client with full types, and relays the board's events", async () => {
    var link = await openUdp(`127.0.0.1:${udp.local.port}`);
    clients.push(link);
    var echo = remote(Echo, link, { timeoutMs: 8000 });
    var counts: number[] = [];
    await echo.on("count", (n) => counts.push(n));
    var text: string = await echo.echo("through QEMU, the UART and the bridge");
    expect(text).toBe("through QEMU, the UART and the bridge");
    expect(await echo.echo("é ✓ 🚀")).toBe("é ✓ 🚀");
    expect(await echo.echo("héllo ✓ 日本")).toBe("héllo ✓ 日本");
    await waitFor("count events from the board", () => counts.length >= 2, 8000);
    expect(counts[1]).toBe(counts[0] + 1);
    expect(log.some((l) => l.includes("echo") && l.includes("board"))).toBe(true);
  }, 30000);

  it("answers a NATS client through the same bridge", async () => {
    var link: NatsTransport = await openNats({ servers: nats.url });
    clients.push(link);
    var echo = remote(Echo, link, { timeoutMs: 8000 });
    var answers = await Promise.all(["a", "b", "c"].map((s) => echo.echo("nats " + s)));
    expect(answers).toEqual(["nats a", "nats b", "nats c"]);
  }, 30000);

  it("lists the board's cell in the bridge's table, with its link statistics", () => {
    var row = bridge.cells().find((c) => c.cellId === Echo.id)!;
    expect(row).toMatchObject({ name: "echo", schemaHash: Echo.hash });
    var board = bridge.links().find((l) => l.name === "board")!;
    expect(board.framesIn).toBeGreaterThan(0);
    expect(board.crcFailures).toBe(0);
  });
});
