// The thermo example on a simulated board in -icount mode, through the real UART: flashing through the
// loader, typed reads, the alarm event, replacing the bundle, and broken bundles that must not brick it.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { remote } from "../../core/host/remote";
import { ErrorCode } from "../../core/errors";
import { CodecId } from "../../core/header";
import { utf8Encode } from "../../core/utf8";
import { Thermo } from "../../examples/thermo/schema";
import { Echo } from "../../examples/echo/schema";
import type { SimSession } from "../../sim/session";
import type { SimBundle } from "../../sim/bundle";
import { describeCells } from "../../sim/bundle";
import { FlashError, FlashProgress, writeChunkSize } from "../../sim/loader-client";
import { buildBundles, Boards, BOARDS, waitFor, rejectionOf } from "./harness";

describe.each(BOARDS)("thermo example on %s (-icount)", (board) => {
  var boards = new Boards(board);
  var built: { bundles: { thermo: SimBundle; echo: SimBundle }; dispose(): void };
  var sim: SimSession;

  beforeAll(async () => {
    built = await buildBundles({ thermo: "examples/thermo", echo: "examples/echo/echo.ts" }, board);
    sim = await boards.start({ icount: 0 });
  }, 120000);

  afterAll(async () => {
    await boards.closeAll();
    if (built) built.dispose();
  });

  it("flashes the thermo bundle in frames the board takes, verified and running", async () => {
    var progress: FlashProgress[] = [];
    var bytes = built.bundles.thermo.bytes;
    var status = await sim.loader.flash(bytes, { onProgress: (p) => progress.push(p) });
    expect(status).toMatchObject({ running: true, lastError: "", bundleSize: bytes.length });
    var writes = progress.filter((p) => p.phase === "write");
    expect(writes.length).toBe(Math.ceil(bytes.length / writeChunkSize(sim.maxFrame)));
    expect(writes[writes.length - 1].done).toBe(bytes.length);
    expect(progress.slice(-2).map((p) => p.phase)).toEqual(["commit", "start"]);
    expect(status.heapPeak).toBeLessThanOrEqual(status.heapSize);
  }, 30000);

  it("answers read with full types through the UART", async () => {
    var thermo = remote(Thermo, sim.link, { timeoutMs: 10000 });
    var c = await thermo.read("C");
    expect(c.unit).toBe("C");
    expect(c.value).toBeGreaterThanOrEqual(20); // the firmware's simulated sensor: 20..23 °C
    expect(c.value).toBeLessThanOrEqual(23);
    var f = await thermo.read("F");
    expect(f.unit).toBe("F");
    expect(f.value).toBeGreaterThanOrEqual(20 * 1.8 + 32);
    expect(f.value).toBeLessThanOrEqual(23 * 1.8 + 32);
    var described = await describeCells(sim.link, built.bundles.thermo.cells!);
    expect(described).toEqual([{ name: "thermo", schema: Thermo.schema, matches: true }]);
  });

  it("sends the alarm event once the reading crosses the threshold", async () => {
    var thermo = remote(Thermo, sim.link, { timeoutMs: 10000 });
    var alarms: { value: number; threshold: number }[] = [];
    await thermo.on("alarm", (a) => alarms.push(a));
    expect(await thermo.setThreshold(5)).toBe(30); // the example starts at 30 °C
    await waitFor("an alarm event", () => alarms.length > 0, 15000);
    expect(alarms[0].threshold).toBe(5);
    expect(alarms[0].value).toBeGreaterThan(5);
    thermo.close();
  }, 30000);

  it("answers read in JSON and MSGPACK too (the board build has every codec)", async () => {
    var thermo = remote(Thermo, sim.link, { timeoutMs: 10000 });
    expect((await thermo.read("C", { codec: CodecId.Json })).unit).toBe("C");
    expect((await thermo.read("F", { codec: CodecId.Msgpack })).unit).toBe("F");
  });

  it("replaces the old bundle when a new one is flashed", async () => {
    await sim.loader.flash(built.bundles.echo.bytes);
    var described = await describeCells(sim.link, [...built.bundles.echo.cells!]);
    expect(described[0]).toMatchObject({ name: "echo", matches: true });
    expect(await remote(Echo, sim.link).echo("replaced")).toBe("replaced");
    var gone = await rejectionOf(remote(Thermo, sim.link).read("C"));
    expect(gone.code).toBe(ErrorCode.UnknownCell);
  }, 30000);

  it("reports a bundle with a syntax error, and the board stays flashable", async () => {
    var e = await rejectionOf(sim.loader.flash(utf8Encode("sim.onFrame = function (f) { sim.sendFrame(f) ")));
    expect(e).toBeInstanceOf(FlashError);
    expect(e.message).toMatch(/does not run: bundle failed to compile: SyntaxError/);
    expect(e.status).toMatchObject({ running: false });
    var status = await sim.loader.status();
    expect(status.lastError).toMatch(/^bundle failed to compile: SyntaxError/);
  });

  it("reports a bundle that throws at start, then takes a good one", async () => {
    var e = await rejectionOf(sim.loader.flash(utf8Encode("var x = 1;\nthrow new Error('boom at start');")));
    expect(e).toBeInstanceOf(FlashError);
    expect(e.message).toMatch(/bundle threw at start: Error: boom at start/);
    var status = await sim.loader.flash(built.bundles.thermo.bytes);
    expect(status.running).toBe(true);
    expect((await remote(Thermo, sim.link).read("C")).unit).toBe("C");
  }, 30000);

  it("refuses to flash an empty bundle without touching the board", async () => {
    var before = await sim.loader.status();
    var e = await rejectionOf(sim.loader.flash(new Uint8Array(0)));
    expect(e).toBeInstanceOf(FlashError);
    expect(await sim.loader.status()).toMatchObject({ bundleSize: before.bundleSize, bundleCrc32: before.bundleCrc32, running: true });
  });
});
