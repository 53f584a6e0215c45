// `cell flash --firmware` end to end: esptool-js over a real pseudo-terminal to a simulated ESP32 ROM
// loader (sim/esp32-rom, written from Espressif's serial protocol document), which must end up holding
// every image at its offset byte for byte.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
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

let open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open) o.close();
  open = [];
});

const landed = (peer: Esp32RomPeer, files: Uint8Array[]) =>
  ESP32_IMAGES.every((image, i) =>
    Buffer.from(peer.flash.subarray(image.address, image.address + files[i].length)).equals(Buffer.from(files[i]))
  );

async function romOnPty(o: Esp32RomPeerOptions = {}): Promise<{ pty: PtyDevice; peer: Esp32RomPeer }> {
  const pty = await openPty();
  const peer = new Esp32RomPeer(o);
  peer.serve(pty.port);
  open.push(pty);
  return { pty, peer };
}

// A pty transfer of 400 KB takes seconds, more on a loaded machine: 20 s per test is too tight here.
describe("cell flash --firmware (esptool-js to a simulated ESP32 ROM loader on a pty)", { timeout: 90_000 }, () => {
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
    expect(landed(peer, files)).toBe(true);
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

  it("takes Espruino's zip (files in a folder inside it), and a TCP bridge at tcp://host:port (staying at 115200)", async () => {
    const { dir, files } = firmwareFolder([5_000, 3_072, 70_000]);
    const zipDir = mkdtempSync(join(tmpdir(), "cell-fwzip-"));
    mkdirSync(join(zipDir, "espruino_2v29_esp32"));
    for (const image of ESP32_IMAGES) execFileSync("cp", [join(dir, image.file), join(zipDir, "espruino_2v29_esp32")]);
    // Python's zipfile writes the zip: an independent writer, deflated entries.
    const zip = join(zipDir, "espruino_2v29_esp32.zip");
    execFileSync("python3", ["-m", "zipfile", "-c", zip, join(zipDir, "espruino_2v29_esp32")]);
    rmSync(join(zipDir, "espruino_2v29_esp32"), { recursive: true });
    const peer = new Esp32RomPeer();
    const server: Server = createServer((socket) => {
      peer.serve({
        write: (b) => void socket.write(b),
        onData: (cb) => void socket.on("data", cb),
        close: () => socket.destroy()
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    open.push({ close: () => server.close() });
    const port = `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
    const r = await runCell("flash", "--board", "esp32", "--port", port, "--firmware", zip, "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ baud: 115200, stub: true, bundle: zip });
    expect(peer.stats.bauds).toEqual([]);
    expect(landed(peer, files)).toBe(true);
  });

  it("says how to enter the bootloader when nothing answers the SYNCs, and names a missing or busy port (exit 4)", async () => {
    const { dir } = firmwareFolder([1_000, 1_000, 1_000]);
    const pty = await openPty(); // nothing behind it: a board running its app, not its ROM loader
    open.push(pty);
    const silent = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", dir);
    expect(silent.code).toBe(4);
    expect(silent.err).toMatch(/did not enter its ROM bootloader: hold BOOT and press EN/);
    const missing = await runCell("flash", "--board", "esp32", "--port", "/dev/ttyNOPE0", "--firmware", dir);
    expect(missing.code).toBe(4);
    expect(missing.err).toMatch(/no serial port \/dev\/ttyNOPE0/);
    // Another program holds the port (serialport's lock, as a terminal program would).
    const { SerialPort } = await import("serialport");
    const holder = new SerialPort({ path: pty.path, baudRate: 115200, lock: true, autoOpen: false });
    await new Promise<void>((res, rej) => holder.open((e) => (e ? rej(e) : res())));
    const busy = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", dir);
    await new Promise<void>((res) => holder.close(() => res()));
    expect(busy.code).toBe(4);
    expect(busy.err).toMatch(/is busy: another program has it open/);
    const refused = await runCell("flash", "--board", "esp32", "--port", "tcp://127.0.0.1:1", "--firmware", dir);
    expect(refused.code).toBe(4);
    expect(refused.err).toMatch(/tcp:\/\/127.0.0.1:1/);
  });

  it("refuses a firmware that lacks an image or has the wrong one (exit 3) before touching the port", async () => {
    const { dir } = firmwareFolder([1_000, 1_000, 1_000]);
    const { pty, peer } = await romOnPty();
    rmSync(join(dir, "partitions_espruino.bin"));
    const lacking = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", dir);
    expect(lacking.code).toBe(3);
    expect(lacking.err).toMatch(/has no readable partitions_espruino.bin/);
    writeFileSync(join(dir, "partitions_espruino.bin"), "not a table");
    const wrong = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", dir);
    expect(wrong.code).toBe(3);
    expect(wrong.err).toMatch(/partitions_espruino.bin is not a partition table/);
    const notZip = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", join(dir, "bootloader.bin"));
    expect(notZip.code).toBe(3);
    expect(notZip.err).toMatch(/not a zip file/);
    const nothing = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", join(dir, "nope.zip"));
    expect(nothing.code).toBe(3);
    expect(peer.stats.commands).toEqual({});
  });

  it("refuses another chip than the board's ESP32 before writing (exit 3)", async () => {
    const { dir } = firmwareFolder([1_000, 1_000, 1_000]);
    const { pty, peer } = await romOnPty({ chipMagic: 0x000007c6 }); // the ESP32-S2's detect word
    const r = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", dir);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/answers as an ESP32-S2, not the ESP32 of esp32; nothing was written \(--force/);
    expect(peer.stats.commands.FLASH_DEFL_BEGIN).toBeUndefined();
    expect(peer.stats.commands.MEM_BEGIN).toBeUndefined();
  });

  it("on a usage or board mistake answers with a usage error (2) or names the board's own way (4)", async () => {
    const both = await runCell("flash", "--board", "esp32", "--port", "/dev/null", "--firmware", "x", "bundle.js");
    expect(both.code).toBe(2);
    const neither = await runCell("flash", "--board", "esp32", "--port", "/dev/null");
    expect(neither.code).toBe(2);
    expect(neither.err).toMatch(/missing the bundle/);
    const pico = await runCell("flash", "--board", "rpi-pico", "--port", "/dev/null", "--firmware", "x");
    expect(pico.code).toBe(4);
    expect(pico.err).toMatch(/writes ESP32 firmware only; rpi-pico/);
  });

  it("an interrupted transfer ends with exit 5, and the next flash leaves a working board", async () => {
    const { dir, files } = firmwareFolder([20_000, 3_072, 120_000]);
    const first = await romOnPty({ closeAfterBlocks: 2 });
    const cut = await runCell("flash", "--board", "esp32", "--port", first.pty.path, "--firmware", dir);
    expect(cut.code).toBe(5);
    expect(cut.err).toMatch(/run the same command again/);
    expect(landed(first.peer, files)).toBe(false);
    // The same board (its flash as the cut left it) after EN is pressed, on a new port.
    const again = await romOnPty({ flash: first.peer.flash });
    const r = await runCell("flash", "--board", "esp32", "--port", again.pty.path, "--firmware", dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/SPI_FLASH_MD5 matched for all 3 images/);
    expect(landed(again.peer, files)).toBe(true);
  });

  it("a flash that does not hold what was sent fails the MD5 check (exit 1)", async () => {
    const { dir } = firmwareFolder([2_000, 1_024, 30_000]);
    const { pty } = await romOnPty({ corruptAt: 0x10000 + 1234 });
    const r = await runCell("flash", "--board", "esp32", "--port", pty.path, "--firmware", dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/espruino_esp32.bin at 0x10000: the board's MD5 is [0-9a-f]{32}, the file's [0-9a-f]{32}/);
  });
});
