// `cell bridge --can slcan:<pty>` end to end: two bridge processes on a CAN bus made of Debian's
// python3-can (its slcan interface on pseudo-terminals, transports/testing/slcan-bus.py). Bridge A holds
// a board (TCP, stream framing) and announces its cells on the bus; bridge B, on the same bus, lists them
// and routes typed calls: board → bridge A → CAN bus → bridge B → `cell call`.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { until } from "./bridge-fixtures";
import { runCellProcess } from "../cli/testing/run-process";
import { tcpBoard, freePort } from "./bridge-net-fixtures";
import { startSlcanBus, SlcanBus } from "../transports/testing/slcan-bus";

const CELL = ["cli/bin/cell.mjs"];
let bus: SlcanBus;
let board: Awaited<ReturnType<typeof tcpBoard>>;
const bridges: { child: ChildProcess; out: string }[] = [];
let udp = "";

function start(args: string[]) {
  const b = { child: spawn(process.execPath, [...CELL, "bridge", ...args], { stdio: ["ignore", "pipe", "pipe"] }), out: "" };
  b.child.stdout!.on("data", (d) => (b.out += d));
  b.child.stderr!.on("data", (d) => (b.out += d));
  bridges.push(b);
  return b;
}

const cell = runCellProcess;

beforeAll(async () => {
  bus = await startSlcanBus(2, 500000);
  board = await tcpBoard(0xb0a4d);
  udp = `127.0.0.1:${await freePort()}`;
  const a = start(["--serial", `tcp://127.0.0.1:${board.port}`, "--can", `slcan:${bus.ports[0]}:500000?node=1`]);
  const b = start(["--can", `slcan:${bus.ports[1]}:500000?node=2`, "--udp", udp]);
  await until(
    () => a.out.includes("+ thermo") && /\+ thermo .* on can:slcan:/.test(b.out) && b.out.includes(`network link udp:${udp} open`),
    30000,
    "bridge B to learn thermo over the CAN bus"
  );
}, 60000);

afterAll(async () => {
  for (const b of bridges) if (b.child.exitCode === null) process.kill(b.child.pid!, "SIGKILL");
  await board?.close();
  await bus?.stop();
});

describe("cell bridge --can slcan:<pty>", () => {
  it("sets the CAN bitrate (S6 for 500 kbit/s) and opens both adapters", () => {
    for (const node of [0, 1])
      expect(bus.events.filter((e) => e.node === node && e.command).map((e) => e.command)).toEqual(["C", "S6", "O"]);
  });

  it("the second bridge lists the board's cell, learned over CAN", async () => {
    const json = await cell(["ls", "--udp", udp, "--json"]);
    expect(json.code).toBe(0);
    const rows = json.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      expect.objectContaining({
        name: "thermo",
        cellId: 0x2d2ce39e,
        link: expect.stringMatching(/^can:slcan:\/dev\/pts\/\d+:500000\?node=2$/),
        peer: "can:1"
      })
    ]);
  }, 20000);

  it("routes typed calls board → bridge → CAN bus → bridge → cell call", async () => {
    for (const codec of ["compact", "json"]) {
      const r = await cell(["call", "thermo.read", '{"unit":"C"}', "--udp", udp, "--codec", codec]);
      expect([r.code, r.err]).toEqual([0, ""]);
      expect(JSON.parse(r.out)).toEqual({ value: 21.5, unit: "C", by: 0xb0a4d });
    }
    const blob = Buffer.from(Array.from({ length: 400 }, (_, i) => i & 255)).toString("base64");
    const echo = await cell(["call", "thermo.echo", JSON.stringify(blob), "--udp", udp]);
    expect([echo.code, echo.err]).toEqual([0, ""]);
    expect(JSON.parse(echo.out)).toBe(blob); // 400 bytes: ISO-TP segmented with flow control, both ways
    // python-can parsed every frame the bridges sent: requests 1 → 2... and their flow control.
    const frames = bus.events.filter((e) => e.from !== undefined);
    expect(frames.some((e) => e.from === 1 && e.id === 0x612 && e.data!.startsWith("1"))).toBe(true); // B → A first frame
    expect(frames.some((e) => e.from === 0 && e.id === 0x621 && e.data!.startsWith("30"))).toBe(true); // A's flow control
    expect(frames.some((e) => e.from === 0 && e.id === 0x6f1)).toBe(true); // A's ANNOUNCE to all
    expect(frames.every((e) => !e.extended && e.data!.length === 16)).toBe(true);
  }, 30000);

  it("both bridges stop gently on Ctrl-C", async () => {
    for (const b of bridges) {
      const exited = new Promise<number | null>((resolve) => b.child.once("exit", resolve));
      b.child.kill("SIGINT");
      expect(await exited).toBe(0);
    }
  }, 20000);
});
