// The HAL adapters (firmware/adapters/*) against their engines' personalities: a probe cell built for
// each device board stores and reads bytes, reads the clock and heap, and logs, through "cell:hal".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { buildBundle, kalumaUartOptions, type BundleInfo } from "../firmware/build";
import { startEngine, type EngineName } from "../engines/index";
import { boardEngineOptions } from "../engines/boards";
import { loadBoard } from "../firmware/build";
import { streamLink } from "../core/stream-link";
import { remote } from "../core/host/remote";
import { Probe } from "../engines/fixtures/probe-schema";

import { uartOptions } from "../firmware/adapters/kaluma";

const BOARDS = ["esp32", "puckjs", "rpi-pico", "qemu-mps2-an385"];
const ENGINE_OF: Record<string, string> = {
  esp32: "espruino",
  puckjs: "espruino",
  "rpi-pico": "jerryscript",
  "qemu-mps2-an385": "duktape"
};
const out = mkdtempSync(`${tmpdir()}/cell-probe-`);
const built: Record<string, BundleInfo> = {};
const entry = fileURLToPath(new URL("../engines/fixtures/probe.ts", import.meta.url));

beforeAll(async () => {
  for (const board of BOARDS) built[board] = await buildBundle({ board, entry, outDir: out });
}, 120000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 29 + seed) & 255);

for (const board of BOARDS) {
  for (const engine of ["duktape", "quickjs"] as EngineName[]) {
    it(`${board} (${ENGINE_OF[board]} adapter) in ${engine}`, async () => {
      const b = loadBoard(board);
      const e = await startEngine({ ...boardEngineOptions(b, engine, built[board].path, {}, false), clock: "real" });
      try {
        const probe = remote(Probe, streamLink(e, { maxFrame: b.maxFrameBytes }), { timeoutMs: 3000 });
        // Every byte value survives storage, whatever the engine stores (strings, hex, raw bytes).
        const value = bytes(100, 3);
        value[0] = 0;
        value[1] = 0xff;
        expect(await probe.put({ key: "cfg", value })).toBe(true);
        expect(await probe.get("cfg")).toEqual(value);
        expect(await probe.put({ key: "cfg", value: bytes(5, 9) })).toBe(true);
        expect(await probe.get("cfg")).toEqual(bytes(5, 9));
        await probe.remove("cfg");
        expect(await probe.get("cfg")).toBeUndefined();
        expect(await probe.get("never-written")).toBeUndefined();
        // Each engine's own limits are refused, not cut: Espruino names are at most 28 characters,
        // Kaluma items at most 253 bytes of key + hex value, the sim store's values at most 1024 bytes.
        const tooBig = {
          espruino: { key: "k".repeat(29), value: bytes(4, 1) },
          jerryscript: { key: "big", value: bytes(126, 1) },
          duktape: { key: "big", value: bytes(1025, 1) }
        }[ENGINE_OF[board]]!;
        if (JSON.stringify(tooBig).length + 40 < b.maxFrameBytes) {
          expect(await probe.put(tooBig)).toBe(false);
          expect(await probe.get(tooBig.key)).toBeUndefined();
        }
        const t0 = await probe.clock({});
        await new Promise((r) => setTimeout(r, 120));
        const elapsed = (await probe.clock({})) - t0;
        expect(elapsed).toBeGreaterThanOrEqual(100);
        expect(elapsed).toBeLessThan(2000);
        expect((await probe.heap({})).used).toBeGreaterThan(0);
        expect(await probe.say("hello from the probe")).toBe(ENGINE_OF[board]);
        // stderr (the console) and stdout (the link) are separate pipes: the log may come after the answer.
        for (let i = 0; i < 100 && !e.logs.includes("hello from the probe"); i++) await new Promise((r) => setTimeout(r, 10));
        expect(e.logs).toContain("hello from the probe");
      } finally {
        e.close();
        await e.exited;
      }
    });
  }
}

describe("Kaluma's UART options", () => {
  it("are the same in a board build's entry (made at build time) as the adapter makes them", () => {
    type UartLink = { device: number; baud: number; pins?: { tx: number; rx: number } };
    const pico = loadBoard("rpi-pico").ports.link as unknown as UartLink;
    const links: UartLink[] = [
      pico,
      { device: 1, baud: 9600, pins: { tx: 8, rx: 9 } },
      { device: 0, baud: 115200, pins: { tx: 12, rx: 13 } },
      { device: 0, baud: 57600 }
    ];
    for (const link of links) expect(kalumaUartOptions(link)).toEqual(uartOptions({ port: link.device, baud: link.baud, pins: link.pins }));
    // UART0 on its default pins needs only the baud rate.
    expect(kalumaUartOptions(pico)).toEqual({ baudrate: 115200 });
  });
});
