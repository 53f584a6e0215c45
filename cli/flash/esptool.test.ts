// `cell flash --firmware` end to end: esptool-js over a real pseudo-terminal to a simulated ESP32 ROM
// loader (sim/esp32-rom, written from Espressif's serial protocol document), which must end up holding
// every image at its offset byte for byte.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { openPty, type PtyDevice } from "../../transports/pty";
import { Esp32RomPeer, type Esp32RomPeerOptions } from "../../sim/esp32-rom/peer";
import { runCell } from "../testing/run-main";
import { ESP32_IMAGES } from "./firmware-images";

/** Images shaped like Espruino's: the right magic bytes, then noise (so compression cannot cheat). */
function firmwareFolder(sizes = [23_000, 3_072, 400_000]): { dir: string; files: Uint8Array[] } {
  const dir = mkdtempSync(join(tmpdir(), "cell-fw-"));
  const files = ESP32_IMAGES.map((image, i) => {
    const bytes = new Uint8Array(sizes[i]);
    // Half noise, half a repeating pattern: like code, it compresses some but not all.
    bytes.set(randomBytes(sizes[i] >> 1));
    for (let k = sizes[i] >> 1; k < sizes[i]; k++) bytes[k] = (k * 7) & 0xff;
    bytes.set(image.magic, 0);
    writeFileSync(join(dir, image.file), bytes);
    return bytes;
  });
  return { dir, files };
}

let open: { pty: PtyDevice }[] = [];
afterEach(() => {
  for (const o of open) o.pty.close();
  open = [];
});

async function romOnPty(o: Esp32RomPeerOptions = {}): Promise<{ pty: PtyDevice; peer: Esp32RomPeer }> {
  const pty = await openPty();
  const peer = new Esp32RomPeer(o);
  peer.serve(pty.port);
  open.push({ pty });
  return { pty, peer };
}

describe("cell flash --firmware (esptool-js to a simulated ESP32 ROM loader on a pty)", () => {
  it("writes the three images at 0x1000, 0x8000, 0x10000 byte for byte, verified by SPI_FLASH_MD5", async () => {
    const { dir, files } = firmwareFolder();
    const { pty, peer } = await romOnPty();
    const started = Date.now();
    const r = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", dir, "--json");
    const ms = Date.now() - started;
    if (r.code !== 0) console.info(JSON.stringify(peer.stats));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ board: "esp32", method: "esptool", chip: "ESP32", baud: 921600, stub: true });
    expect(report.images.map((i: { address: string }) => i.address)).toEqual(["0x1000", "0x8000", "0x10000"]);
    ESP32_IMAGES.forEach((image, i) => {
      expect(Buffer.from(peer.flash.subarray(image.address, image.address + files[i].length)).equals(Buffer.from(files[i]))).toBe(true);
    });
    // Nothing else was touched: below the bootloader and past the app the flash is still erased.
    expect(peer.flash.subarray(0, 0x1000).every((b) => b === 0xff)).toBe(true);
    expect(peer.flash.subarray(0x10000 + files[2].length + 4).every((b) => b === 0xff)).toBe(true);
    expect(peer.stats.stubUploaded).toBe(1);
    expect(peer.stats.bauds).toEqual([921600]);
    expect(peer.stats.commands.FLASH_DEFL_DATA).toBeGreaterThan(0);
    expect(peer.stats.commands.SPI_FLASH_MD5).toBe(3);
    expect(peer.stats.badChecksums).toBe(0);
    const bytes = files.reduce((n, f) => n + f.length, 0);
    console.info(
      `esptool-js over a pty: ${bytes} bytes (${report.compressedBytes} compressed) in ${report.ms} ms written+verified, ` +
        `${report.bytesPerSecond} B/s; whole command ${ms} ms; the wire ceiling at 921600 baud 8N1 is 92160 B/s ` +
        `(${Math.round((report.compressedBytes * 1000) / 92160)} ms for the compressed bytes)`
    );
  });
});
