// Bad frames on every side of the bridge: each is dropped and counted, and the bridge keeps serving.
import { describe, it, expect, afterEach } from "vitest";
import { Kind, CodecId } from "../core/header";
import { Thermo, rig, Rig, instances, client, until } from "./bridge-fixtures";
import { frame } from "./rpc-fixtures";

let r: Rig | null = null;
afterEach(() => {
  r?.close();
  r = null;
});

/** Hand-made bad frames, each with the drop reason it must be counted under. */
function badFrames(): [string, Uint8Array][] {
  const good = frame(Kind.Request, CodecId.Compact, Thermo.id, Thermo.info.add.id, 1, [1, 2]);
  const withByte = (at: number, v: number) => {
    const f = good.slice();
    f[at] = v;
    return f;
  };
  const lengthSays = (n: number) => {
    const f = good.slice();
    new DataView(f.buffer).setUint32(16, n, true);
    return f;
  };
  return [
    ["TooShort", new Uint8Array([0xce, 1, 0])],
    ["TooShort", new Uint8Array(0)],
    ["BadMagic", withByte(0, 0x00)],
    ["BadVersion", withByte(1, 2)],
    ["BadKind", withByte(2, 7)],
    ["BadKind", withByte(2, 15)],
    ["BadLength", good.subarray(0, good.length - 1)], // truncated
    ["BadLength", lengthSays(0xffffffff)], // a huge length field
    ["BadLength", lengthSays(1)],
    ["BadAnnounce", frame(Kind.Announce, CodecId.Raw, 0, 0, 0, [1, 2, 3])],
    ["BadAnnounce", frame(Kind.Announce, CodecId.Compact, 0, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ["UnknownRequest", frame(Kind.Response, CodecId.Compact, Thermo.id, Thermo.info.add.id, 999, [])],
    ["UnknownRequest", frame(Kind.Error, CodecId.Raw, Thermo.id, Thermo.info.add.id, 998, [8])],
    ["UnknownRequest", frame(Kind.Cancel, CodecId.Raw, Thermo.id, Thermo.info.add.id, 997, [])]
  ];
}

function expected(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [reason] of badFrames()) out[reason] = (out[reason] || 0) + 1;
  return out;
}

function drops(rg: Rig, link: string): Record<string, number> {
  const row = rg.bridge.links().find((l) => l.name === link)!;
  return Object.fromEntries(row.drops.map((d) => [d.reason, d.count]));
}

describe("bridge faults", () => {
  it.each(["network", "device"])("drops and counts bad frames from the %s side, and keeps serving", async (side) => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    const link = side === "network" ? r.clients[0] : r.devices[0].link;
    const name = side === "network" ? "net0" : "dev0";
    for (let round = 0; round < 3; round++) for (const [, bytes] of badFrames()) link.send(bytes);
    const want = Object.fromEntries(Object.entries(expected()).map(([k, v]) => [k, v * 3]));
    const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    await until(() => total(drops(r!, name)) === total(want), 3000, "every drop counted");
    expect(drops(r, name)).toEqual(want);
    const c = client(r.clients[0]);
    expect((await c.add({ a: 40, b: 2 })).sum).toBe(42);
    expect(r.bridge.cells()).toHaveLength(1);
  });

  it("survives random bytes on every side", async () => {
    r = rig();
    await instances(r.bridge, Thermo.id, 1);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 500; i++) {
      const n = rand() % 64;
      const bytes = Uint8Array.from({ length: n }, rand);
      // Past the first checks now and then.
      if (i % 3 === 0 && n >= 2) {
        bytes[0] = 0xce;
        bytes[1] = 1;
      }
      (i % 2 ? r.clients[0] : r.devices[0].link).send(bytes);
    }
    const total = (name: string) => Object.values(drops(r!, name)).reduce((a, b) => a + b, 0);
    await until(() => total("net0") + total("dev0") === 500, 3000, "500 drops");
    expect((await client(r.clients[0]).add({ a: 1, b: 1 })).sum).toBe(2);
  });
});
