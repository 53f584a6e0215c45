// UDP specifics: stable peers per address, a server's send without a peer, the bounded peer table,
// and multicast discovery of ANNOUNCE frames on the loopback interface.
import { describe, it, expect } from "vitest";
import { createSocket } from "node:dgram";
import { udp } from "../transports/index";
import { hostEndpoint, serve, remote } from "../core/host";
import { announce } from "../core/rpc/announce";
import type { Announcement } from "../core/rpc/announce-payload";
import type { Peer } from "../core/transport";
import { cell, method, t } from "../core/schema";
import { makeFrame } from "../transports/testing/frames";
import { waitFor } from "./wait-for";

const Thermo = cell("thermo", { read: method(t.struct({}), t.f32) });

describe("udp", () => {
  it("gives each remote address:port one stable Peer, and answers each client alone", async () => {
    const server = await udp({ listen: "127.0.0.1:0" });
    serve(Thermo, { read: () => 21.5 }, server);
    const c1 = await udp(`127.0.0.1:${server.local.port}`);
    const c2 = await udp({ connect: `127.0.0.1:${server.local.port}`, bind: "127.0.0.1:0" });
    expect(await remote(Thermo, c1).read({})).toBe(21.5);
    expect(await remote(Thermo, c2).read({})).toBe(21.5);
    expect(await remote(Thermo, c1).read({})).toBe(21.5);
    const peers = server.peers();
    expect(peers.map((p) => p.id).sort()).toEqual([`udp:127.0.0.1:${c1.local.port}`, `udp:127.0.0.1:${c2.local.port}`].sort());
    expect(server.peer(`127.0.0.1:${c1.local.port}`)).toBe(peers.find((p) => p.port === c1.local.port)); // the same object
    // A server's frame for no peer in particular goes to every peer it knows.
    const got1: Uint8Array[] = [];
    const got2: Uint8Array[] = [];
    c1.onFrame((f) => got1.push(new Uint8Array(f)));
    c2.onFrame((f) => got2.push(new Uint8Array(f)));
    const hello = makeFrame(64, { kind: 5, cellId: 0, methodId: 0, requestId: 0 });
    server.send(hello);
    await waitFor("broadcast to peers", () => got1.length === 1 && got2.length === 1);
    expect(got1[0]).toEqual(hello);
    expect(server.stats.framesOut).toBe(3 + 2);
    for (const l of [c1, c2, server]) l.close();
  });

  it("sends a frame for no peer in particular only to peers heard within peerTtlMs, on the clock it is given", async () => {
    let now = 1000;
    const server = await udp({ listen: "127.0.0.1:0", peerTtlMs: 200, now: () => now });
    serve(Thermo, { read: () => 1 }, server);
    const old = await udp(`127.0.0.1:${server.local.port}`);
    const fresh = await udp(`127.0.0.1:${server.local.port}`);
    await remote(Thermo, old).read({});
    now += 300; // no waiting: the link reads the time only from its clock
    await remote(Thermo, fresh).read({});
    const gotOld: Uint8Array[] = [];
    const gotFresh: Uint8Array[] = [];
    old.onFrame((f) => gotOld.push(new Uint8Array(f)));
    fresh.onFrame((f) => gotFresh.push(new Uint8Array(f)));
    server.send(makeFrame(40, { kind: 5, cellId: 0, methodId: 0, requestId: 0 }));
    await waitFor("the fresh peer's copy", () => gotFresh.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(gotOld).toHaveLength(0);
    expect(server.peers()).toHaveLength(2); // still a peer to answer; just not one to announce to
    for (const l of [old, fresh, server]) l.close();
  });

  it("closes its socket when it cannot connect or bind, so a failed open does not keep the process alive", async () => {
    const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;
    const before = udpHandles();
    await expect(udp("nosuch.invalid:7420")).rejects.toThrow(/udp: cannot connect to nosuch\.invalid:7420/);
    const a = await udp({ listen: "127.0.0.1:0" });
    await expect(udp({ listen: `127.0.0.1:${a.local.port}` })).rejects.toThrow(/cannot bind/);
    await expect(udp({ connect: "127.0.0.1:9", bind: `127.0.0.1:${a.local.port}` })).rejects.toThrow(/cannot bind/);
    a.close();
    await waitFor("the sockets to close", () => udpHandles() <= before, 2000);
  });

  it("remembers at most maxPeers addresses, forgetting the longest silent", async () => {
    const server = await udp({ listen: "127.0.0.1:0", maxPeers: 3 });
    server.onFrame(() => {});
    const raw = Array.from({ length: 5 }, () => createSocket("udp4"));
    const frame = makeFrame(30);
    for (const s of raw) await new Promise<void>((r) => s.send(frame, server.local.port, "127.0.0.1", () => r()));
    await waitFor("frames", () => server.stats.framesIn === 5);
    expect(server.peers().length).toBe(3);
    const ports = raw.map((s) => s.address().port);
    expect(server.peers().map((p) => p.port)).toEqual(ports.slice(2));
    for (const s of raw) s.close();
    server.close();
  });

  it("flush() resolves once every datagram sent is out: closing right after loses none", async () => {
    const server = await udp({ listen: "127.0.0.1:0" });
    const client = await udp(`127.0.0.1:${server.local.port}`);
    const got: number[] = [];
    client.onFrame((f) => got.push(f[12]));
    server.onFrame(async (_f, from) => {
      for (let i = 0; i < 200; i++) server.send(makeFrame(200, { requestId: i }), from);
      await (server as unknown as { flush(): Promise<void> }).flush();
      server.close();
    });
    client.send(makeFrame(30));
    await waitFor("all 200 frames", () => got.length === 200, 5000);
    expect(got.slice(0, 3)).toEqual([0, 1, 2]);
    client.close();
  });

  it("refuses bad addresses with a clear message", async () => {
    await expect(udp("nowhere")).rejects.toThrow(/udp connect: "nowhere" is not host:port/);
    const a = await udp({ listen: "127.0.0.1:0" });
    await expect(udp({ listen: `127.0.0.1:${a.local.port}` })).rejects.toThrow(/udp: cannot bind 127\.0\.0\.1:\d+/);
    a.close();
  });

  it("discovers instances by multicast ANNOUNCE on the loopback interface, and answers them by unicast", async () => {
    const group = `239.255.67.${1 + Math.floor(Math.random() * 200)}:${20000 + Math.floor(Math.random() * 20000)}`;
    const board = await udp({ multicast: group, interface: "127.0.0.1" });
    const tool = await udp({ multicast: group, interface: "127.0.0.1" });
    serve(Thermo, { read: () => 19 }, board);
    const heard: { a: Announcement; from?: Peer }[] = [];
    hostEndpoint(tool).onAnnounce((a, from) => heard.push({ a, from }));
    const ownHeard: Announcement[] = [];
    hostEndpoint(board).onAnnounce((a) => ownHeard.push(a));
    const announcer = announce(board, { instanceId: 77, ttlMs: 60000, cells: [Thermo] });
    await waitFor("announce", () => heard.length === 1);
    expect(heard[0].a.instanceId).toBe(77);
    expect(heard[0].a.cells.map((c) => c.cellId)).toEqual([Thermo.id]);
    expect(heard[0].from!.id).toBe(`udp:127.0.0.1:${board.local.port}`);
    // The announcer's own multicast comes back to its host; it is not taken for another instance.
    expect(ownHeard).toEqual([]);
    // The tool calls the instance it heard, at the address the ANNOUNCE came from.
    expect(await remote(Thermo, tool, { peer: heard[0].from }).read({})).toBe(19);
    announcer.stop();
    board.close();
    tool.close();
  });
});
