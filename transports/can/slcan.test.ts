// slcan: the line codec against lines python-can's slcan interface writes (spec/vectors/can-slcan.json),
// and the adapter on pseudo-terminals against Debian's python3-can acting as the bus
// (transports/testing/slcan-bus.py): python-can parses what we transmit and writes what we receive.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { encodeSlcan, parseSlcanLine, SlcanLineReader, SLCAN_BITRATES, bitrateCommand } from "./slcan-codec";
import { openSlcan } from "./slcan";
import { canLink, CanLink } from "./can-link";
import { startSlcanBus, SlcanBus } from "../testing/slcan-bus";
import { toward } from "../testing/can-bus";
import { device, client, until, Device } from "../../test/bridge-fixtures";

const vectors = JSON.parse(readFileSync(new URL("../../spec/vectors/can-slcan.json", import.meta.url), "utf8"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("slcan lines", () => {
  it("writes and reads frames as python-can does", () => {
    for (const v of vectors.frames) {
      const frame = { id: Number(v.id), extended: v.extended, data: new Uint8Array(Buffer.from(v.data, "hex")) };
      expect(encodeSlcan(frame)).toBe(v.line);
      const back = parseSlcanLine(v.line.slice(0, -1));
      expect(back.type === "frame" && [back.frame.id, back.frame.extended, hex(back.frame.data)]).toEqual([
        frame.id,
        frame.extended,
        v.data
      ]);
    }
  });

  it("maps CAN bitrates to S-codes as python-can does, and refuses others", () => {
    const ours = Object.entries(SLCAN_BITRATES).map(([b, c]) => ({ bitrate: Number(b), command: c }));
    expect(ours).toEqual(vectors.bitrates);
    expect(() => bitrateCommand(33333)).toThrow(
      "slcan: no command sets a CAN bitrate of 33333 (one of 10000, 20000, 50000, 100000, 125000, 250000, 500000, 750000, 1000000)"
    );
  });

  it("reads timestamps, bells, CAN FD lines and garbage, with bounded lines", () => {
    const lines: string[] = [];
    const r = new SlcanLineReader();
    const text =
      "t1232ABCD1234\r\x07z\rF80\rd6129" +
      "00".repeat(12) +
      "\rB18DA0201F" +
      "11".repeat(64) +
      "\rt12\rtXYZ0\rS6\r" +
      "t".repeat(5000) +
      "\r";
    r.feed(Buffer.from(text, "latin1"), (l) =>
      lines.push(
        l.type === "frame"
          ? `frame ${l.frame.id.toString(16)} ${l.frame.fd ? "fd " : ""}${l.frame.data.length}`
          : l.type === "status"
            ? `status ${l.flags}`
            : l.type
      )
    );
    expect(lines).toEqual([
      "frame 123 2",
      "bell",
      "ok",
      "status 128",
      "frame 612 fd 12",
      "frame 18da0201 fd 64",
      "bad",
      "bad",
      "other",
      "bad"
    ]);
    expect(encodeSlcan({ id: 0x18da0201, extended: true, fd: true, data: new Uint8Array(12) })).toBe("D18DA02019" + "00".repeat(12) + "\r");
    expect(() => encodeSlcan({ id: 1, extended: false, data: new Uint8Array(9) })).toThrow("slcan: no CAN frame has 9 data bytes");
  });
});

describe("slcan adapter against python-can on pseudo-terminals", () => {
  let bus: SlcanBus;
  const links: CanLink[] = [];
  let d: Device;
  beforeAll(async () => {
    bus = await startSlcanBus(2, 500000);
    for (const [i, path] of bus.ports.entries()) links.push(canLink(await openSlcan(path, { bitrate: 500000 }), { node: i + 1 }));
    d = device(links[1], 0xcab1e, 60000);
  }, 30000);
  afterAll(async () => {
    d?.announcer.stop();
    for (const l of links) l.close();
    await bus?.stop();
  });

  it("sets the bitrate and opens the channel", async () => {
    await until(() => bus.events.filter((e) => e.command === "O").length === 2, 5000, "both nodes to open");
    for (const node of [0, 1])
      expect(bus.events.filter((e) => e.node === node && e.command).map((e) => e.command)).toEqual(["C", "S6", "O"]);
  });

  it("carries typed calls, python-can reading every frame we send", async () => {
    const a = links[0];
    const thermo = client(toward(a, a.peer(2)), 5000);
    expect(await thermo.read({ unit: "F" })).toEqual({ value: expect.closeTo(70.7, 4), unit: "F", by: 0xcab1e });
    const echoed = await thermo.echo(new Uint8Array(300).map((_, i) => i));
    expect(echoed).toEqual(new Uint8Array(300).map((_, i) => i));
    const frames = bus.events.filter((e) => e.from !== undefined);
    expect(frames.some((e) => e.from === 0 && e.id === 0x621 && e.data!.startsWith("1"))).toBe(true); // a first frame from node 1 to 2
    expect(frames.some((e) => e.from === 1 && e.id === 0x612 && e.data!.startsWith("30"))).toBe(true); // node 2's flow control
    expect(frames.some((e) => e.from === 1 && e.id === 0x6f2)).toBe(true); // node 2's ANNOUNCE, to all
    expect(frames.every((e) => e.data!.length === 16)).toBe(true);
    expect([a.stats.drops, links[1].stats.drops]).toEqual([{}, {}]);
  }, 20000);

  it("reports the adapter's bell as a clear error", async () => {
    const errors: string[] = [];
    links[0].onError((e) => errors.push(e.message));
    bus.bell(0);
    await until(() => errors.length === 1, 5000, "the bell");
    expect(errors[0]).toMatch(
      /^can slcan \/dev\/pts\/\d+ node 1: slcan \/dev\/pts\/\d+: the adapter refused a command or frame \(bell\): bus-off, or the channel is not open$/
    );
  });
});
