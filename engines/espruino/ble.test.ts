// Puck.js over Bluetooth LE on Espruino 2v29 itself (the board-like Linux build, 2v29 + the serial fix:
// its `Bluetooth` is a serial device on a pty, engines/espruino/sim.ts). The bundle serves its cell on
// Bluetooth and advertises it with NRF.setAdvertising / NRF.setScanResponse (recorded by the sim's NRF
// stand-in, turned into the bytes an nRF52 Espruino sends); the host's beacon parser reads them. Then
// `cell bridge --ble`, a real CLI process, scans a simulated central (CELL_TEST_BLE_PERIPHERALS, tests
// only) whose peripheral is that advertising data and the board's Bluetooth as a Nordic UART Service
// with MTU 23: `cell ls` lists the cell from the beacon, and the first `cell call` connects and gets a
// typed answer from the board.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { buildBundle } from "../../firmware/build";
import { startEspruinoSim, EspruinoSim } from "./sim";
import { decodeBeacon, decodeBeaconNames, encodeBeacon, encodeBeaconNames, Beacon } from "../../transports/ble/beacon";
import { Thermo } from "../../examples/thermo/schema";
import { runCellProcess } from "../../cli/testing/run-process";
import { freePort } from "../../test/bridge-net-fixtures";
import { waitFor as until } from "../../test/wait-for";

const root = new URL("../../", import.meta.url).pathname;
const CELL = [`${root}cli/bin/cell.mjs`];
const ADDRESS = "c7:1f:00:5a:1b:01";
const out = mkdtempSync(`${tmpdir()}/cell-espruino-ble-`);
let sim: EspruinoSim;
let advertised: NonNullable<Awaited<ReturnType<EspruinoSim["advertising"]>>>;
let beacon: Beacon;
let bridge: { child: ChildProcess; out: string } | null = null;
let udp = "";

const cell = runCellProcess;

const lsRows = async () => {
  const r = await cell(["ls", "--udp", udp, "--json"]);
  expect([r.code, r.err]).toEqual([0, ""]);
  return r.out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
};

beforeAll(async () => {
  const built = await buildBundle({ board: "puckjs", entry: "examples/thermo", outDir: out });
  sim = await startEspruinoSim({ board: "puckjs", bundle: new Uint8Array(readFileSync(built.path)), variant: "fixed" });
  advertised = (await sim.advertising())!;
}, 600000);

afterAll(async () => {
  if (bridge && bridge.child.exitCode === null) process.kill(bridge.child.pid!, "SIGKILL");
  if (sim) await sim.close();
  rmSync(out, { recursive: true, force: true });
});

describe("puckjs on Espruino 2v29: the cell on Bluetooth, advertised", () => {
  it("calls NRF.setAdvertising with the raw advertising data and NRF.setScanResponse with the names", () => {
    expect(advertised).not.toBeNull();
    const [data, options] = advertised.calls.advertising!;
    expect(Array.isArray(data)).toBe(true); // sent as it is (the manufacturer data and its company id inside)
    expect(options ?? undefined).toBeUndefined();
    expect(Array.isArray(advertised.calls.scanResponse)).toBe(true);
    expect(advertised.data.length).toBeLessThanOrEqual(31);
    expect(advertised.scanResponse.length).toBeLessThanOrEqual(31);
  });

  it("sends advertising data the host's beacon parser reads as the bundle's cell", () => {
    beacon = decodeBeacon(advertised.data)!;
    expect(beacon).toEqual({ instance: expect.any(Number), cellIds: [Thermo.id], more: false });
    // Byte for byte spec/ble.md §2: flags, then the manufacturer data.
    expect(advertised.data).toEqual(encodeBeacon(beacon));
    expect(decodeBeaconNames(advertised.scanResponse)).toEqual(["thermo"]);
    expect(advertised.scanResponse).toEqual(encodeBeaconNames(["thermo"]));
  });
});

describe("cell bridge --ble against the puckjs sim as a simulated peripheral", () => {
  beforeAll(async () => {
    udp = `127.0.0.1:${await freePort()}`;
    const peripherals = [
      {
        address: ADDRESS,
        nus: sim.url,
        advertising: Buffer.from(advertised.data).toString("hex"),
        scanResponse: Buffer.from(advertised.scanResponse).toString("hex"),
        maxMtu: 23
      }
    ];
    const b = {
      child: spawn(process.execPath, [...CELL, "bridge", "--ble", "--udp", udp, "--timeout", "15000"], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, CELL_TEST_BLE_PERIPHERALS: JSON.stringify(peripherals) }
      }),
      out: ""
    };
    b.child.stdout!.on("data", (d) => (b.out += d));
    b.child.stderr!.on("data", (d) => (b.out += d));
    bridge = b;
    await until("the bridge to list thermo from the beacon", () => /\+ thermo/.test(b.out) && b.out.includes(`udp:${udp} open`), 30000);
  }, 60000);

  it("lists the cell from the beacon, before any connection (cell ls)", async () => {
    expect(await lsRows()).toEqual([
      expect.objectContaining({
        name: "thermo",
        cellId: Thermo.id,
        instanceId: beacon.instance,
        link: "ble:simulated",
        peer: `ble:${ADDRESS}`
      })
    ]);
  }, 30000);

  it("connects on the first call and gets typed answers from the board (cell call)", async () => {
    const first = await cell(["call", "thermo.setThreshold", "25", "--udp", udp, "--timeout", "20000"]);
    expect([first.code, first.err]).toEqual([0, ""]);
    expect(JSON.parse(first.out)).toBe(30); // the board's default threshold, as f32
    const second = await cell(["call", "thermo.setThreshold", "20.5", "--udp", udp, "--timeout", "20000"]);
    expect([second.code, second.err]).toEqual([0, ""]);
    expect(JSON.parse(second.out)).toBe(25);
    // What the engine itself reads on this Linux build (no sensor: E.getTemperature() may be NaN).
    const raw = Number(await sim.repl.evaluate("E.getTemperature()"));
    const read = await cell(["call", "thermo.read", '"C"', "--udp", udp, "--timeout", "20000"]);
    if (raw === raw) {
      expect([read.code, read.err]).toEqual([0, ""]);
      expect(JSON.parse(read.out)).toEqual({ unit: "C", value: expect.closeTo(Math.fround(raw), 3) });
    } else {
      expect(read.code).not.toBe(0);
      expect(read.err).toContain("no temperature sensor");
    }
  }, 120000);

  it("hears the board's own ANNOUNCE once connected: the beacon's instance id is its low 16 bits", async () => {
    // The board repeats its ANNOUNCE every 10 s (ttl/3); `cell ls` is asked until it is heard.
    let rows: { instanceId: number; name: string }[] = [];
    const end = Date.now() + 30000;
    while (Date.now() < end) {
      rows = await lsRows();
      if (rows.some((r) => r.instanceId !== beacon.instance)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const announced = rows.find((r) => r.instanceId !== beacon.instance);
    expect(announced).toMatchObject({ name: "thermo", link: "ble:simulated" });
    expect(announced!.instanceId & 0xffff).toBe(beacon.instance);
  }, 60000);

  it("stops gently on Ctrl-C", async () => {
    const exited = new Promise<number | null>((resolve) => bridge!.child.once("exit", resolve));
    bridge!.child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 20000);
});
