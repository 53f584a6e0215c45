// ANNOUNCE and the instance table: who serves what, for how long.
import { describe, it, expect } from "vitest";
import { announce } from "../core/rpc/announce";
import { instanceTable, InstanceChange } from "../core/rpc/instances";
import { encodeAnnounce } from "../core/rpc/announce-payload";
import { Kind, CodecId } from "../core/header";
import { Thermo, ThermoV2, Pipe, ManualClock, manualPair, recordSends, frame } from "./rpc-fixtures";

function setup() {
  const clock = new ManualClock();
  const [device, host] = manualPair(clock);
  const table = instanceTable(clock.options());
  table.attach(host);
  const changes: string[] = [];
  table.onChange((c: InstanceChange) => changes.push(c.type + " " + c.instance.name + "@" + c.instance.instanceId.toString(16)));
  return { clock, device, host, table, changes };
}

describe("announce", () => {
  it("lists an instance's cells in the table of the listening end", () => {
    const s = setup();
    const sent = recordSends(s.device);
    announce(s.device, { instanceId: 0xb0a4d, ttlMs: 3000, cells: [Thermo, Pipe] }, s.clock.options());
    s.clock.flush();
    const h = sent[0].header;
    expect([h.kind, h.codec, h.cellId, h.methodId, h.requestId]).toEqual([Kind.Announce, CodecId.Raw, 0, 0, 0]);
    expect(s.changes).toEqual(["added thermo@b0a4d", "added pipe@b0a4d"]);
    const [t] = s.table.instancesOf(Thermo.id);
    expect(t).toMatchObject({
      name: "thermo",
      cellId: Thermo.id,
      schemaHash: Thermo.hash,
      instanceId: 0xb0a4d,
      link: s.host,
      peer: undefined,
      lastHeard: 0,
      ttlMs: 3000,
      expiresAt: 3000
    });
    expect(
      s.table
        .list()
        .map((e) => e.name)
        .sort()
    ).toEqual(["pipe", "thermo"]);
    expect(s.table.instancesOf(12345)).toEqual([]);
  });

  it("repeats every ttl/3, so the entry stays while announcements keep coming", () => {
    const s = setup();
    const sent = recordSends(s.device);
    announce(s.device, { instanceId: 1, ttlMs: 3000, cells: [Thermo] }, s.clock.options());
    s.clock.advance(10000);
    expect(sent).toHaveLength(11); // at 0, 1000, ..., 10000
    expect(s.table.instancesOf(Thermo.id)).toHaveLength(1);
    expect(s.table.instancesOf(Thermo.id)[0]).toMatchObject({ lastHeard: 10000, expiresAt: 13000 });
    expect(s.changes).toEqual(["added thermo@1"]);
  });

  it("stop() says goodbye (ttl 0): listeners drop the instance at once", () => {
    const s = setup();
    const a = announce(s.device, { instanceId: 2, ttlMs: 60000, cells: [Thermo] }, s.clock.options());
    s.clock.flush();
    a.stop();
    s.clock.flush();
    expect(s.changes).toEqual(["added thermo@2", "removed thermo@2"]);
    expect(s.table.list()).toEqual([]);
    expect(s.clock.pending).toBe(0);
  });

  it("stops repeating when the link closes", () => {
    const s = setup();
    announce(s.device, { instanceId: 2, ttlMs: 3000, cells: [Thermo] }, s.clock.options());
    s.clock.flush();
    s.device.close();
    s.clock.advance(5000);
    expect(s.clock.pending).toBe(0);
  });

  it("refuses what cannot be announced", () => {
    const s = setup();
    expect(() => announce(s.device, { instanceId: 1, ttlMs: 0, cells: [Thermo] })).toThrow(/ttlMs/);
    expect(() => announce(s.device, { instanceId: -1, ttlMs: 10, cells: [Thermo] })).toThrow(/u32/);
    const [small] = manualPair(s.clock, 40);
    expect(() => announce(small, { instanceId: 1, ttlMs: 10, cells: [Thermo, Pipe] })).toThrow(/do not fit/);
  });
});

describe("instance table", () => {
  it("expires an entry when its TTL runs out, on its timer", () => {
    const s = setup();
    s.table.heard(
      { instanceId: 7, ttlMs: 500, cells: [{ name: "thermo", cellId: Thermo.id, schemaHash: Thermo.hash }] },
      undefined,
      s.host
    );
    s.clock.advance(499);
    expect(s.changes).toEqual(["added thermo@7"]);
    s.clock.advance(1);
    expect(s.changes).toEqual(["added thermo@7", "expired thermo@7"]);
    expect(s.table.list()).toEqual([]);
    expect(s.clock.pending).toBe(0);
  });

  it("expires on read too, when no timer ran", () => {
    const s = setup();
    s.table.heard(
      { instanceId: 7, ttlMs: 500, cells: [{ name: "thermo", cellId: Thermo.id, schemaHash: Thermo.hash }] },
      undefined,
      s.host
    );
    s.clock.time = 600; // time passes, timers not run
    expect(s.table.instancesOf(Thermo.id)).toEqual([]);
    expect(s.changes).toEqual(["added thermo@7", "expired thermo@7"]);
  });

  it("keeps instances apart by id, link and peer", () => {
    const s = setup();
    const [, other] = manualPair(s.clock);
    const cells = [{ name: "thermo", cellId: Thermo.id, schemaHash: Thermo.hash }];
    s.table.heard({ instanceId: 1, ttlMs: 500, cells }, undefined, s.host);
    s.table.heard({ instanceId: 2, ttlMs: 500, cells }, undefined, s.host);
    s.table.heard({ instanceId: 1, ttlMs: 500, cells }, undefined, other);
    s.table.heard({ instanceId: 1, ttlMs: 500, cells }, { id: "10.0.0.2:7000" }, other);
    s.table.heard({ instanceId: 1, ttlMs: 900, cells }, { id: "10.0.0.2:7000" }, other);
    const list = s.table.instancesOf(Thermo.id);
    expect(list).toHaveLength(4);
    expect(list.find((e) => e.peer && e.peer.id === "10.0.0.2:7000")!.ttlMs).toBe(900);
  });

  it("a changed schema hash replaces the entry; a cell no longer listed is removed", () => {
    const s = setup();
    const thermo = { name: "thermo", cellId: Thermo.id, schemaHash: Thermo.hash };
    const pipe = { name: "pipe", cellId: Pipe.id, schemaHash: Pipe.hash };
    s.table.heard({ instanceId: 3, ttlMs: 500, cells: [thermo, pipe] }, undefined, s.host);
    s.table.heard({ instanceId: 3, ttlMs: 500, cells: [{ ...thermo, schemaHash: ThermoV2.hash }] }, undefined, s.host);
    expect(s.changes).toEqual(["added thermo@3", "added pipe@3", "removed thermo@3", "added thermo@3", "removed pipe@3"]);
    expect(s.table.instancesOf(Thermo.id)[0].schemaHash).toBe(ThermoV2.hash);
  });

  it("holds at most maxEntries and counts the rest", () => {
    const clock = new ManualClock();
    const [, host] = manualPair(clock);
    const table = instanceTable({ ...clock.options(), maxEntries: 2 });
    const cells = [{ name: "thermo", cellId: Thermo.id, schemaHash: Thermo.hash }];
    for (let i = 0; i < 5; i++) table.heard({ instanceId: i, ttlMs: 500, cells }, undefined, host);
    expect(table.list()).toHaveLength(2);
    expect(table.dropped).toBe(3);
    table.close();
    expect(table.list()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it("counts a bad ANNOUNCE as a drop and learns nothing from it", () => {
    const s = setup();
    const good = encodeAnnounce({ instanceId: 1, ttlMs: 100, cells: [{ name: "thermo", cellId: Thermo.id, schemaHash: 5 }] });
    const bad = [
      frame(Kind.Announce, CodecId.Raw, 0, 0, 0, good.subarray(0, good.length - 1)), // truncated
      frame(Kind.Announce, CodecId.Raw, 0, 0, 0, [...good, 0]), // trailing byte
      frame(Kind.Announce, CodecId.Json, 0, 0, 0, good), // not RAW
      frame(Kind.Announce, CodecId.Raw, 5, 0, 0, good), // cellId not 0
      frame(Kind.Announce, CodecId.Raw, 0, 0, 0, [...good.subarray(0, 9), 0, 0, 0, 0, ...good.subarray(13)]) // id is not the name's hash
    ];
    for (const f of bad) s.device.send(f);
    s.device.send(frame(Kind.Announce, CodecId.Raw, 0, 0, 0, good));
    s.clock.flush();
    expect(s.host.stats.drops.BadAnnounce).toBe(5);
    expect(s.changes).toEqual(["added thermo@1"]);
  });

  it("detaches from a link", () => {
    const s = setup();
    const [device2, host2] = manualPair(s.clock);
    const detach = s.table.attach(host2);
    announce(device2, { instanceId: 9, ttlMs: 100, cells: [Pipe] }, s.clock.options()).stop();
    s.clock.flush();
    detach();
    announce(device2, { instanceId: 10, ttlMs: 100, cells: [Pipe] }, s.clock.options());
    s.clock.flush();
    expect(s.changes).toEqual(["added pipe@9", "removed pipe@9"]);
  });
});
