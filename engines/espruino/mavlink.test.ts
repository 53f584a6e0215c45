// The echo cell built for ESP32 with a MAVLink link (buildBundle({mavlink})), as if wired to a flight
// controller's TELEM port, flashed onto Espruino 2v29 itself (engines/espruino/sim.ts) and called with
// types by a host MAVLink link (transports/mavlink) on the board's link port: its HEARTBEAT and ANNOUNCE
// are heard, text in and out byte for byte, a frame cut into several TUNNELs, JsVars that do not grow.
// On 2v29 + fix the host writes at full speed; on stock 2v29 (which loses bytes of long serial data
// events) the host's writes are paced as the board's JSON says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { buildBundle } from "../../firmware/build";
import type { EspruinoVariant } from "./build";
import { startEspruinoSim, EspruinoSim } from "./sim";
import { openMavlink, MavlinkTransport } from "../../transports/mavlink/index";
import { ReconnectingPort } from "../../transports/reconnecting-port";
import { tcpMedium } from "../../transports/tcp-medium";
import { boardPacing, pacedPort } from "../../transports/pacing";
import { remote } from "../../core/host/remote";
import { decodeHeader, newHeader, Flag, HEADER_SIZE, Kind } from "../../core/header";
import { decodeAnnounce } from "../../core/rpc/announce-payload";
import { Echo } from "../../examples/echo/schema";

const out = mkdtempSync(`${tmpdir()}/cell-espruino-mavlink-`);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const board = JSON.parse(readFileSync(new URL("../../boards/esp32.json", import.meta.url), "utf8"));
const CALLS = 20;

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The host's MAVLink link on the sim's link port; on stock 2v29 its writes are paced. */
async function hostLink(sim: EspruinoSim, variant: EspruinoVariant): Promise<MavlinkTransport> {
  const opts = { system: 255, component: 190, heartbeatMs: 0, maxFrame: board.maxFrameBytes, reassemblyTimeoutMs: 10000 };
  const pacing = boardPacing(board, variant);
  if (!pacing) return openMavlink(`serial:${sim.url}`, opts);
  const port = new ReconnectingPort(sim.url, tcpMedium("127.0.0.1", sim.port, 5000), {});
  await port.start();
  return openMavlink(`serial:${sim.url}`, { ...opts, port: pacedPort(port, pacing) });
}

for (const variant of ["fixed", "stock"] as EspruinoVariant[]) {
  describe(`esp32 on Espruino 2v29 ${variant}: a typed call through MAVLink`, () => {
    let sim: EspruinoSim;
    let host: MavlinkTransport;
    let announced = 0;

    beforeAll(async () => {
      const built = await buildBundle({ board: "esp32", entry: "examples/echo", outDir: out, mavlink: { system: 1, component: 191 } });
      sim = await startEspruinoSim({ board: "esp32", bundle: new Uint8Array(readFileSync(built.path)), variant });
      host = await hostLink(sim, variant);
      // Until the typed client takes the link over, its frames are the board's ANNOUNCEs (every 10 s).
      const h = newHeader();
      host.onFrame((frame) => {
        if (decodeHeader(frame, 0, frame.length, h) !== null || h.kind !== Kind.Announce) return;
        const a = decodeAnnounce(frame.subarray(HEADER_SIZE), (h.flags & Flag.AnnounceMaxFrame) !== 0);
        if (a && a.cells.some((c) => c.cellId === Echo.id && c.name === "echo")) announced++;
      });
      await waitFor("the board's ANNOUNCE", () => announced > 0, 60000);
    }, 600000);

    afterAll(async () => {
      if (host) host.close();
      if (sim) await sim.close();
    });

    it("is heard: HEARTBEAT as 1/191 and ANNOUNCE of the echo cell in TUNNEL", async () => {
      expect(announced).toBeGreaterThan(0);
      await waitFor("the board's HEARTBEAT", () => host.peers().some((p) => p.id === "mavlink:1/191"), 10000);
    }, 30000);

    it("answers ASCII and non-ASCII text byte for byte, and a frame of several TUNNELs", async () => {
      const echo = remote(Echo, host, { timeoutMs: 30000 });
      for (const text of ["from the ground station", "héllo ✓ 日本"]) expect(await echo.echo(text)).toBe(text);
      const long = "✓".repeat(100) + "m".repeat(300); // 400 characters, 600 bytes: a 622-byte frame, six TUNNELs each way
      const packetsBefore = host.packetsIn;
      expect(await echo.echo(long)).toBe(long);
      expect(host.packetsIn - packetsBefore).toBeGreaterThanOrEqual(6); // the answer's TUNNELs (and maybe a HEARTBEAT)
      expect(host.stats.drops).toEqual({});
    }, 180000);

    it(`uses no more JsVars after ${CALLS} calls than before`, async () => {
      const echo = remote(Echo, host, { timeoutMs: 30000 });
      await echo.echo("warm");
      const before = (await sim.memory()).usage;
      const started = Date.now();
      for (let i = 0; i < CALLS; i++) {
        const text = "x".repeat(i * 7) + "é";
        expect(await echo.echo(text)).toBe(text);
      }
      const ms = (Date.now() - started) / CALLS;
      const after = (await sim.memory()).usage;
      console.log(`esp32 ${variant} over MAVLink: ${CALLS} calls, ${Math.round(ms)} ms per call; JsVars ${before} -> ${after}`);
      expect(after).toBeLessThanOrEqual(before + 4);
      expect(host.stats.drops).toEqual({});
    }, 300000);
  });
}
