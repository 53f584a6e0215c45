// Just enough of ZIP (PKWARE APPNOTE) to take files out of a firmware zip: the central directory,
// stored and deflated entries, CRC-32 checked. No ZIP64, no encryption: those are refused by name.
import { inflateRawSync, crc32 } from "node:zlib";

export interface ZipEntry {
  name: string;
  size: number;
  read(): Uint8Array;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipError";
  }
}

/** Lists the entries of a zip held in memory; `maxEntryBytes` bounds what one entry may inflate to. */
export function readZip(zip: Uint8Array, maxEntryBytes: number): ZipEntry[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError("not a zip file (no end of central directory)");
  const count = v.getUint16(eocd + 10, true);
  let at = v.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw new ZipError("a ZIP64 archive, which this reader does not take");
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || v.getUint32(at, true) !== CENTRAL) throw new ZipError("a damaged central directory");
    const flags = v.getUint16(at + 8, true);
    const method = v.getUint16(at + 10, true);
    const crc = v.getUint32(at + 16, true);
    const packed = v.getUint32(at + 20, true);
    const size = v.getUint32(at + 24, true);
    const nameLen = v.getUint16(at + 28, true);
    const skip = nameLen + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
    const local = v.getUint32(at + 42, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLen));
    at += 46 + skip;
    entries.push({
      name,
      size,
      read() {
        if (flags & 1) throw new ZipError(`${name} is encrypted`);
        if (size > maxEntryBytes) throw new ZipError(`${name} is ${size} bytes, more than ${maxEntryBytes}`);
        if (local + 30 > zip.length || v.getUint32(local, true) !== LOCAL) throw new ZipError(`${name}: a damaged local header`);
        const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
        if (start + packed > zip.length) throw new ZipError(`${name} is cut short`);
        const raw = zip.subarray(start, start + packed);
        let data: Uint8Array;
        if (method === 0) data = raw.slice();
        else if (method === 8) {
          try {
            data = new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, size) }));
          } catch (e) {
            throw new ZipError(`${name} does not inflate: ${(e as Error).message}`);
          }
        } else throw new ZipError(`${name} uses compression method ${method} (only stored and deflate are read)`);
        if (data.length !== size || crc32(data) >>> 0 !== crc) throw new ZipError(`${name}: CRC-32 or size does not match`);
        return data;
      }
    });
  }
  return entries;
}
