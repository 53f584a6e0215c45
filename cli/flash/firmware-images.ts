// The Espruino ESP32 firmware: three images at fixed flash offsets, from a folder of the build's files
// or the zip espruino.com publishes (the same files, usually in a folder inside the zip).
import { readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { CliError, ExitCode } from "../exit-codes";
import { readZip, ZipError } from "./zip";

export interface FirmwareImage {
  file: string;
  address: number;
  data: Uint8Array;
}

/** Where each file goes (Espruino's ESP32 README and its esptool.py line). */
export const ESP32_IMAGES: { file: string; address: number; magic: number[]; what: string }[] = [
  { file: "bootloader.bin", address: 0x1000, magic: [0xe9], what: "an ESP32 image (first byte 0xE9)" },
  { file: "partitions_espruino.bin", address: 0x8000, magic: [0xaa, 0x50], what: "a partition table (first bytes AA 50)" },
  { file: "espruino_esp32.bin", address: 0x10000, magic: [0xe9], what: "an ESP32 image (first byte 0xE9)" }
];
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

const bad = (message: string) => new CliError(message, ExitCode.BadInput);

/** Reads and checks the three images; every way it can be wrong is a one-line BadInput (exit 3). */
export function readFirmwareImages(path: string, flashBytes = MAX_IMAGE_BYTES): FirmwareImage[] {
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    throw bad(`firmware ${path}: no such file or folder`);
  }
  const found = folder ? fromFolder(path) : fromZip(path);
  const images = ESP32_IMAGES.map((want, i) => {
    const data = found(want.file);
    if (data.length === 0) throw bad(`firmware ${path}: ${want.file} is empty`);
    if (!want.magic.every((b, k) => data[k] === b)) throw bad(`firmware ${path}: ${want.file} is not ${want.what}`);
    const end = i + 1 < ESP32_IMAGES.length ? ESP32_IMAGES[i + 1].address : flashBytes;
    if (want.address + data.length > end)
      throw bad(
        `firmware ${path}: ${want.file} is ${data.length} bytes, more than fits at 0x${want.address.toString(16)} (up to 0x${end.toString(16)})`
      );
    return { file: want.file, address: want.address, data };
  });
  return images;
}

function fromFolder(dir: string): (file: string) => Uint8Array {
  return (file) => {
    try {
      return new Uint8Array(readFileSync(join(dir, file)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw bad(
        `firmware folder ${dir} has no readable ${file} (${code ?? (e as Error).message}); it needs ${ESP32_IMAGES.map((i) => i.file).join(", ")}`
      );
    }
  };
}

function fromZip(path: string): (file: string) => Uint8Array {
  let entries;
  try {
    entries = readZip(new Uint8Array(readFileSync(path)), MAX_IMAGE_BYTES);
  } catch (e) {
    const why = e instanceof ZipError ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    throw bad(`firmware ${path}: ${why} (give the zip from espruino.com or the folder of its files)`);
  }
  return (file) => {
    const matches = entries.filter((e) => basename(e.name) === file);
    if (matches.length !== 1)
      throw bad(
        `firmware ${path}: ${matches.length ? "more than one" : "no"} ${file} in the zip; it needs ${ESP32_IMAGES.map((i) => i.file).join(", ")}`
      );
    try {
      return matches[0].read();
    } catch (e) {
      throw bad(`firmware ${path}: ${(e as Error).message}`);
    }
  };
}
