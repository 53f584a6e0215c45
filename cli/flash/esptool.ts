// `cell flash --firmware`: the Espruino firmware onto a bare ESP32 through its ROM bootloader, with
// Espressif's esptool-js (loaded only here) over a Node serial port or a TCP bridge (./web-serial).
// esptool-js uploads its stub loader first, as esptool does by default; the images go compressed and
// each is checked afterwards with SPI_FLASH_MD5 against the MD5 of the file.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { CliError, ExitCode } from "../exit-codes";
import { UsageError } from "../args";
import { tcpUrl } from "../sim-options";
import { loadOptional } from "../../transports/optional";
import { readFirmwareImages } from "./firmware-images";
import { WebSerialPort, serialRawPort, tcpRawPort } from "./web-serial";
import type { Board } from "../../firmware/build/board";
import type { FlashReport } from "./flasher";
import type { Progress } from "./progress";

/** The ROM bootloader always starts at this rate; the stub is then asked for a faster one. */
const ROM_BAUD = 115200;
export const DEFAULT_FIRMWARE_BAUD = 921600;
const SPI_SET_PARAMS = 0x0b;
/** The ESP32-WROOM-32's flash (Espruino's partition table is laid out for 4 MB). */
const FLASH_BYTES = 4 * 1024 * 1024;
/** Reset-and-sync rounds before giving up (esptool-js tries 5 syncs in each). */
const CONNECT_ATTEMPTS = 3;

export interface FirmwareRequest {
  board: Board;
  port: string;
  /** A folder of the three files, or Espruino's zip. */
  firmware: string;
  force: boolean;
  progress: Progress;
  /** Per exchange with the board (esptool-js's default otherwise). */
  timeoutMs?: number;
  baud?: number;
}

export interface FirmwareReport extends FlashReport {
  chip: string;
  baud: number;
  stub: boolean;
  /** Bytes sent after compression (what crossed the wire, before SLIP escaping and headers). */
  compressedBytes: number;
  images: { file: string; address: string; bytes: number; md5: string }[];
}

type EsptoolModule = typeof import("esptool-js");

/** Fails fast, before reading the firmware: a malformed tcp:// address is a usage error, a missing port exit 4. */
export async function checkFirmwarePort(port: string, board: Board): Promise<void> {
  if (port.startsWith("tcp://")) {
    try {
      tcpUrl(port);
    } catch (e) {
      throw new UsageError(`--port for ${board.id} ${(e as Error).message}`);
    }
    return;
  }
  if (!existsSync(port))
    throw new CliError(`no serial port ${port} (is the board plugged in? cell ports lists them)`, ExitCode.Unavailable);
}

export async function flashFirmware(req: FirmwareRequest): Promise<FirmwareReport> {
  const { progress, port } = req;
  const images = readFirmwareImages(req.firmware, FLASH_BYTES);
  let esp: EsptoolModule;
  try {
    esp = await loadOptional<EsptoolModule>("esptool-js", "esptool");
  } catch (e) {
    throw new CliError((e as Error).message, ExitCode.Unavailable, { cause: e }); // names the npm install line
  }
  const tcp = port.startsWith("tcp://") ? /^tcp:\/\/(.*):(\d+)$/.exec(port) : null;
  const device = new WebSerialPort(tcp ? tcpRawPort(tcp[1].replace(/^\[|\]$/g, ""), Number(tcp[2])) : serialRawPort(port));
  // A TCP bridge sets the UART's rate itself: the chip must stay at the rate it syncs at.
  const baud = tcp ? ROM_BAUD : (req.baud ?? DEFAULT_FIRMWARE_BAUD);
  const log: string[] = [];
  const terminal = { clean: () => {}, writeLine: (l: string) => void log.push(l), write: (t: string) => void log.push(t) };
  const transport = new esp.Transport(device as unknown as ConstructorParameters<EsptoolModule["Transport"]>[0], false);
  // Its trace lines go to console.log even untraced ("readLoop exited"): kept here, off stdout (--json).
  transport.trace = (message: string) => void log.push(message);
  const loader = new esp.ESPLoader({ transport, baudrate: baud, romBaudrate: ROM_BAUD, terminal });
  if (req.timeoutMs) loader.DEFAULT_TIMEOUT = req.timeoutMs;
  let opened = false;
  try {
    progress.step(`connecting to the ROM bootloader at ${port}`);
    try {
      await loader.detectChip("default_reset", CONNECT_ATTEMPTS);
      opened = true;
    } catch (e) {
      throw connectFailure(e, esp, port, device);
    }
    const chip = loader.chip.CHIP_NAME;
    if (chip !== "ESP32" && !req.force)
      throw new CliError(
        `${port} answers as an ${chip}, not the ESP32 of ${req.board.id}; nothing was written (--force writes anyway: Espruino's ESP32 images do not boot on another chip)`,
        ExitCode.BadInput
      );
    progress.step(
      `${chip}${device.noModemLines ? " (put into its bootloader by hand: this port has no DTR/RTS)" : ""}: starting the flasher stub`
    );
    await loader.runStub();
    if (baud !== ROM_BAUD) await loader.changeBaud();
    await attachFlash(loader);
    const total = images.reduce((n, i) => n + i.data.length, 0);
    const compressed: number[] = images.map(() => 0);
    const started = Date.now();
    progress.step(`writing ${images.map((i) => `${i.file} @0x${i.address.toString(16)}`).join(", ")} at ${transport.baudrate} baud`);
    await loader.writeFlash({
      fileArray: images.map((i) => ({ data: i.data, address: i.address })),
      // "keep": the images are written as built (Espruino's carry DIO, 40 MHz), byte for byte.
      flashMode: "keep",
      flashFreq: "keep",
      flashSize: "keep",
      eraseAll: false,
      compress: true,
      reportProgress(index, written, packed) {
        compressed[index] = packed;
        const before = images.slice(0, index).reduce((n, i) => n + i.data.length, 0);
        progress.bytes(before + Math.round((images[index].data.length * written) / Math.max(1, packed)), total);
      }
    });
    progress.step("verifying: SPI_FLASH_MD5 of each image on the board against the file's");
    const verified = [];
    for (const image of images) {
      const local = createHash("md5").update(image.data).digest("hex");
      const board = String(await loader.flashMd5sum(image.address, image.data.length));
      if (board !== local)
        throw new CliError(
          `${image.file} at 0x${image.address.toString(16)}: the board's MD5 is ${board}, the file's ${local}: the flash does not hold it; run the same command again`,
          ExitCode.Failed
        );
      verified.push({ file: image.file, address: `0x${image.address.toString(16)}`, bytes: image.data.length, md5: local });
    }
    const ms = Date.now() - started;
    await loader.after("hard_reset");
    return {
      board: req.board.id,
      method: "esptool",
      port,
      bundle: req.firmware,
      bytes: total,
      ms,
      bytesPerSecond: ms > 0 ? Math.round((total * 1000) / ms) : 0,
      verified: `SPI_FLASH_MD5 matched for all ${images.length} images`,
      running: [
        `Espruino firmware written to the ${chip}; ${device.noModemLines ? "press EN to start it (this port cannot reset the board)" : "the board was reset into it"}`,
        `next: cell flash --board ${req.board.id} --port ${port} <cell>`
      ],
      chip,
      baud: transport.baudrate, // esptool-js falls back to 115200 when the board stops answering at the higher rate
      stub: loader.IS_STUB,
      compressedBytes: compressed.reduce((a, b) => a + b, 0),
      images: verified
    };
  } catch (e) {
    if (e instanceof CliError) throw e;
    const what = device.lost
      ? `${port} went away during the transfer (${(e as Error).message}): the flash holds part of the firmware; run the same command again`
      : `${port}: ${(e as Error).message.split("\n")[0]}; the flash may hold part of the firmware: run the same command again`;
    throw new CliError(what, opened ? ExitCode.TimedOut : ExitCode.Unavailable, { cause: e });
  } finally {
    await Promise.race([transport.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    await device.close().catch(() => {});
  }
}

/**
 * The serial protocol document asks for SPI_ATTACH (0: the default flash pins) and SPI_SET_PARAMS before
 * any flash command, as esptool does; esptool-js's writeFlash assumes them, so they are sent here.
 */
async function attachFlash(loader: InstanceType<EsptoolModule["ESPLoader"]>): Promise<void> {
  await loader.flashSpiAttach(0);
  const words = [0, FLASH_BYTES, 64 * 1024, 4096, 256, 0xffff]; // id, total size, block, sector, page, status mask
  const params = new Uint8Array(24);
  words.forEach((w, i) => new DataView(params.buffer).setUint32(i * 4, w, true));
  await loader.checkCommand("set SPI flash parameters", SPI_SET_PARAMS, params);
}

function connectFailure(e: unknown, esp: EsptoolModule, port: string, device: WebSerialPort): CliError {
  const message = (e as Error).message ?? String(e);
  if (!device.readable && !device.lost && !(e instanceof esp.ESPError)) return new CliError(message, ExitCode.Unavailable, { cause: e }); // the port did not open: its own message says why
  if (e instanceof esp.UnexpectedChipMagicError || e instanceof esp.UnexpectedChipIdError)
    return new CliError(`${port}: not an ESP chip esptool-js knows (${message})`, ExitCode.BadInput, { cause: e });
  const byHand = device.noModemLines ? " (this port cannot drive DTR/RTS, so do it by hand)" : "";
  return new CliError(
    `${port}: the board did not enter its ROM bootloader: hold BOOT and press EN${byHand}, then run this again`,
    ExitCode.Unavailable,
    { cause: e }
  );
}
