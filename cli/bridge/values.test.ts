// `cell call` and `cell watch` values: requests read strictly (a missing value, an unknown field), f32
// answers printed as people write them. In-process against a bridge on a loopback UDP port.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { t } from "../../core/schema";
import { openUdp } from "../../transports/udp";
import { rig, until, type Rig } from "../../test/bridge-fixtures";
import { runCell } from "../testing/run-main";
import { ExitCode } from "../exit-codes";
import { shortestF32, unknownField, valueToJson, requestFromJson } from "./values";

describe("values", () => {
  it("prints each f32 as the shortest decimal that reads back as the same f32", () => {
    for (const [x, text] of [
      [21.6, "21.6"],
      [70.7, "70.7"],
      [0.1, "0.1"],
      [-3.4e38, "-3.4e+38"],
      [1e-45, "1e-45"],
      [16777217, "16777216"]
    ] as const) {
      expect(String(shortestF32(Math.fround(x)))).toBe(text);
    }
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    for (let i = 0; i < 20000; i++) {
      bits[0] = (Math.random() * 0x100000000) >>> 0;
      if (!isFinite(f[0])) continue;
      const short = shortestF32(f[0]);
      expect(Math.fround(short)).toBe(f[0]);
      expect(String(short).length).toBeLessThanOrEqual(String(f[0]).length);
    }
  });

  it("shortens f32 inside structs, arrays and optionals, and leaves f64 alone", () => {
    const type = t.struct({ a: t.array(t.struct({ v: t.f32 })), o: t.optional(t.f32), d: t.f64 });
    const value = { a: [{ v: Math.fround(21.6) }, { v: Math.fround(0.3) }], o: Math.fround(1.1), d: Math.fround(21.6) };
    expect(valueToJson(type, value)).toBe('{"a":[{"v":21.6},{"v":0.3}],"o":1.1,"d":21.600000381469727}');
  });

  it("finds a field the type does not declare, with its path", () => {
    const type = t.struct({ a: t.array(t.struct({ b: t.u8 })), c: t.optional(t.struct({ d: t.bool })) });
    expect(unknownField(type, { a: [{ b: 1 }, { b: 2, x: 3 }] }, "")).toEqual({ name: "x", path: "a[1].x" });
    expect(unknownField(type, { a: [], c: { d: true, e: 1 } }, "")).toEqual({ name: "e", path: "c.e" });
    expect(unknownField(type, { a: [], zz: 1 }, "")).toEqual({ name: "zz", path: "zz" });
    expect(unknownField(type, { a: [{ b: 1 }], c: null }, "")).toBeNull();
  });

  it("takes an absent request as nothing or {} only where the type allows it", () => {
    expect(requestFromJson(t.optional(t.u8), undefined, "x")).toBeUndefined();
    expect(requestFromJson(t.struct({ a: t.optional(t.u8) }), undefined, "x")).toEqual({});
    expect(() => requestFromJson(t.string, undefined, "echo.echo request")).toThrow(
      `echo.echo request: missing value: give a string as JSON, e.g. '"text"'`
    );
  });
});

describe("cell call and cell watch through a bridge", () => {
  let r: Rig;
  let udp = "";
  beforeAll(async () => {
    r = rig({ clients: 0 });
    const server = await openUdp({ listen: "127.0.0.1:0" });
    r.bridge.addLink(server, { role: "network", name: "udp" });
    udp = `127.0.0.1:${server.local.port}`;
    await until(() => r.log.some((l) => l.includes("+ thermo")), 5000, "the bridge to hear the device");
  });
  afterAll(() => r.close());

  it("prints an f32 answer as 70.7, not 70.69999694824219, in every codec", async () => {
    for (const codec of ["compact", "msgpack", "json"]) {
      const res = await runCell("call", "thermo.read", '{"unit":"F"}', "--udp", udp, "--codec", codec);
      expect([res.code, res.err]).toEqual([ExitCode.Ok, ""]);
      expect(res.out).toBe('{"value":70.7,"unit":"F","by":256}');
    }
  });

  it("prints f32 event values shortest too", async () => {
    const emit = setInterval(() => r.devices[0].server.emit("alarm", { value: 21.6, by: 1 }), 20);
    try {
      const res = await runCell("watch", "thermo.alarm", "--udp", udp, "--count", "2");
      expect(res.code).toBe(ExitCode.Ok);
      expect(res.out).toBe('{"value":21.6,"by":1}\n{"value":21.6,"by":1}');
    } finally {
      clearInterval(emit);
    }
  });

  it("refuses a request field the method does not have, naming it", async () => {
    const res = await runCell("call", "thermo.read", '{"unit":"C","uint":"C"}', "--udp", udp);
    expect(res.code).toBe(ExitCode.BadInput);
    expect(res.err).toBe('cell call: thermo.read request: unknown field "uint" at uint ({unit:enum<C|F>} has no such field)');
    expect(r.devices[0].handled.read ?? 0).toBe(3); // the three calls above, not this one
  });

  it("says the request value is missing, and which type it takes", async () => {
    const hold = await runCell("call", "thermo.hold", "--udp", udp);
    expect(hold.code).toBe(ExitCode.Usage);
    expect(hold.err).toMatch(
      /^cell call: thermo\.hold request: missing value: give a u32 as JSON, e\.g\. '1' \(usage: cell call <cell\.method> \[<request>\] \[options\]\)$/
    );
    const read = await runCell("call", "thermo.read", "--udp", udp);
    expect(read.err).toMatch(/thermo\.read request: missing value: give a \{unit:enum<C\|F>\} as JSON, e\.g\. '\{"unit":"C"\}'/);
  });
});
