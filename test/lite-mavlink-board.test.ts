// A board build whose link is MAVLink (buildBundle({mavlink})): the echo cell built for ESP32 and
// Raspberry Pi Pico as if wired to a flight controller's TELEM port, run unmodified in Duktape and QuickJS
// under the board's personality, and called with types by a host MAVLink link on a pseudo-terminal at
// 57600 baud. Also the bytes MAVLink framing adds to the bundle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { buildBundle, loadBoard, type BundleInfo } from "../firmware/build";
import { boardEngineOptions } from "../engines/boards";
import { startEngine, ensureDuktapeRunner, type EngineName } from "../engines/index";
import { openPty } from "../transports/pty";
import { openMavlink } from "../transports/mavlink/index";
import { remote } from "../core/host/remote";
import { Echo } from "../examples/echo/schema";

const BOARDS = ["esp32", "rpi-pico"];
const out = mkdtempSync(`${tmpdir()}/cell-mavlink-board-`);
const built: Record<string, { plain: BundleInfo; mavlink: BundleInfo }> = {};

beforeAll(async () => {
  ensureDuktapeRunner();
  for (const board of BOARDS) {
    const plain = await buildBundle({ board, entry: "examples/echo", outDir: out + "/plain" });
    const mavlink = await buildBundle({ board, entry: "examples/echo", outDir: out + "/mavlink", mavlink: { system: 1, component: 191 } });
    built[board] = { plain, mavlink };
  }
  // COMPACT only: the smallest echo bundles (about 3 KB).
  const plain = await buildBundle({ board: "esp32", entry: "examples/echo", outDir: out + "/plain-compact", codecs: ["compact"] });
  const mavlink = await buildBundle({
    board: "esp32",
    entry: "examples/echo",
    outDir: out + "/mavlink-compact",
    codecs: ["compact"],
    mavlink: { system: 1, component: 191 }
  });
  built["esp32 compact"] = { plain, mavlink };
}, 180000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("a board build with a MAVLink link", () => {
  it("adds at most 2 KB to the echo bundle (the MAVLink link in place of the COBS stream link), within the boards' budgets", () => {
    for (const board of [...BOARDS, "esp32 compact"]) {
      const { plain, mavlink } = built[board];
      console.log(
        `${board}: echo ${plain.bytes} B (gzip ${plain.gzipBytes}), over MAVLink ${mavlink.bytes} B (gzip ${mavlink.gzipBytes}): +${mavlink.bytes - plain.bytes} B`
      );
      expect(mavlink.bytes - plain.bytes).toBeLessThan(2048);
      expect(mavlink.bytes).toBeLessThanOrEqual(mavlink.maxBundleBytes);
    }
  });

  for (const board of BOARDS) {
    for (const engine of ["duktape", "quickjs"] as EngineName[]) {
      it(`${board} in ${engine}: a typed call over a pty at 57600 baud`, async () => {
        const b = loadBoard(board);
        const e = await startEngine({ ...boardEngineOptions(b, engine, built[board].mavlink.path, {}, false), clock: "real" });
        const pty = await openPty();
        // The engine's UART is the pty's other end.
        e.onData((bytes) => pty.port.write(bytes));
        pty.port.onData((bytes) => e.write(bytes));
        const host = await openMavlink(`serial:${pty.path}:57600`, {
          system: 255,
          component: 190,
          heartbeatMs: 0,
          maxFrame: b.maxFrameBytes
        });
        try {
          const echo = remote(Echo, host, { timeoutMs: 5000 });
          expect(await echo.echo("from the ground station")).toBe("from the ground station");
          const long = "q".repeat(700); // six TUNNELs each way
          expect(await echo.echo(long)).toBe(long);
          const end = Date.now() + 5000;
          while (!host.peers().some((p) => p.id === "mavlink:1/191") && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
          expect(host.peers().map((p) => p.id)).toContain("mavlink:1/191"); // its heartbeat
          expect(host.stats.drops).toEqual({});
        } finally {
          host.close();
          pty.close();
          e.close();
          await e.exited;
        }
      }, 30000);
    }
  }
});
