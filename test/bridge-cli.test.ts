// The `cell bridge`, `cell ls`, `cell call` and `cell watch` commands, run as processes against a board
// behind TCP (stream framing) and each other, on loopback.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { until } from "./bridge-fixtures";
import { tcpBoard, freePort } from "./bridge-net-fixtures";

const CELL = ["cli/bin/cell.mjs"];
let board: Awaited<ReturnType<typeof tcpBoard>>;
let bridge: ChildProcess;
let bridgeOut = "";
let udp = "";
let alarms: ReturnType<typeof setInterval>;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function cell(args: string[], opts: { onOut?: (text: string, child: ChildProcess) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CELL, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (b) => {
      out += b;
      opts.onOut?.(out, child);
    });
    child.stderr!.on("data", (b) => (err += b));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  board = await tcpBoard(0xb0a4d);
  alarms = setInterval(() => board.device()?.server.emit("alarm", { value: 40.5, by: 1 }), 50);
  udp = `127.0.0.1:${await freePort()}`;
  bridge = spawn(process.execPath, [...CELL, "bridge", "--serial", `tcp://127.0.0.1:${board.port}`, "--udp", udp], {
    stdio: ["ignore", "pipe", "pipe"]
  });
  bridge.stdout!.on("data", (b) => (bridgeOut += b));
  bridge.stderr!.on("data", (b) => (bridgeOut += b));
  await until(
    () => bridgeOut.includes("+ thermo") && bridgeOut.includes(`network link udp:${udp} open`),
    15000,
    "the bridge to find the board"
  );
}, 30000);

afterAll(async () => {
  clearInterval(alarms);
  if (bridge && bridge.exitCode === null) process.kill(bridge.pid!, "SIGKILL");
  await board?.close();
});

describe("cell bridge / ls / call / watch", () => {
  it("bridge logs what it discovers", () => {
    expect(bridgeOut).toMatch(/bridge 0x[0-9a-f]{8} starting/);
    expect(bridgeOut).toMatch(
      /\+ thermo 0x2d2ce39e \(schema 0x[0-9a-f]{8}\) instance 0x000b0a4d on serial:tcp:\/\/127\.0\.0\.1:\d+, ttl 3000 ms/
    );
  });

  it("ls lists the cells in reach, as a table or JSON", async () => {
    const table = await cell(["ls", "--udp", udp]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(
      /^bridge 0x[0-9a-f]{8}: 1 instance\nCELL +ID +SCHEMA +INSTANCE +LINK +HEARD +TTL +IN FLIGHT\nthermo +0x2d2ce39e +0x[0-9a-f]{8} +0x000b0a4d +serial:tcp/
    );
    const json = await cell(["ls", "--udp", udp, "--json"]);
    expect(JSON.parse(json.out.trim())).toMatchObject({ name: "thermo", cellId: 0x2d2ce39e, instanceId: 0xb0a4d, inFlight: 0 });
  }, 20000);

  it("call describes the cell, encodes the JSON request and prints the typed answer", async () => {
    for (const codec of ["compact", "json", "msgpack"]) {
      const r = await cell(["call", "thermo.read", '{"unit":"C"}', "--udp", udp, "--codec", codec]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual({ value: 21.5, unit: "C", by: 0xb0a4d });
    }
    const blob = await cell(["call", "thermo.echo", '"AQID"', "--udp", udp]); // bytes are base64
    expect(blob.out.trim()).toBe('"AQID"');
  }, 30000);

  it("call fails with a one-line message and a named exit code", async () => {
    const cases: [string[], number, RegExp][] = [
      [
        ["call", "nothere.read", "--udp", udp],
        1,
        /^cell call: describe nothere: UnknownCell: no instance of cell 0x[0-9a-f]{8} in reach of this bridge\n$/
      ],
      [["call", "thermo.nope", "--udp", udp], 2, /^cell call: thermo has no method nope \(it has: add, /],
      [
        ["call", "thermo.read", '{"unit":"K"}', "--udp", udp],
        3,
        /^cell call: thermo.read request: does not match \{unit:enum<C\|F>\}: unit: expected one of C\|F, got "K"\n$/
      ],
      [["call", "thermo.read", "{unit:", "--udp", udp], 3, /not JSON/],
      [["call", "thermo", "--udp", udp], 2, /expected cell.method/],
      [["call", "thermo.read", "--udp", "127.0.0.1:1"], 4, /^cell call: no bridge answers at 127.0.0.1:1: .*ECONNREFUSED\n$/],
      [
        ["call", "thermo.hold", "1", "--udp", udp, "--timeout", "300"],
        5,
        /^cell call: thermo.hold: TimedOut: thermo.hold: no answer within 300 ms\n$/
      ]
    ];
    for (const [args, code, message] of cases) {
      const r = await cell(args);
      expect([r.code, r.err]).toEqual([code, expect.stringMatching(message)]);
    }
  }, 60000);

  it("watch prints events as JSON lines, until --count or Ctrl-C", async () => {
    const counted = await cell(["watch", "thermo.alarm", "--udp", udp, "--count", "3"]);
    expect(counted.code).toBe(0);
    expect(
      counted.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
    ).toEqual([
      { value: 40.5, by: 1 },
      { value: 40.5, by: 1 },
      { value: 40.5, by: 1 }
    ]);
    let signalled = false;
    const interrupted = await cell(["watch", "thermo.alarm", "--udp", udp], {
      onOut: (out, child) => {
        if (!signalled && out.split("\n").length > 2) {
          signalled = true;
          child.kill("SIGINT");
        }
      }
    });
    expect(interrupted.code).toBe(0);
    expect(interrupted.err).toBe("");
    expect(interrupted.out.trim().split("\n").length).toBeGreaterThanOrEqual(2);
  }, 30000);

  it("bridge stops gently on Ctrl-C", async () => {
    const exited = new Promise<number | null>((resolve) => bridge.once("exit", resolve));
    const stoppedLine = new Promise<number>((resolve) =>
      bridge.stdout!.on("data", () => /stopped\n$/.test(bridgeOut) && resolve(Date.now()))
    );
    bridge.kill("SIGINT");
    expect(await exited).toBe(0);
    // Nothing in flight: it exits once "stopped" is logged, not when the drain's 4 s wait runs out.
    expect(Date.now() - (await stoppedLine)).toBeLessThan(2000);
    expect(bridgeOut).toMatch(/stopping: goodbye sent, finishing the requests in flight\n.*stopped\n$/);
  }, 15000);
});
