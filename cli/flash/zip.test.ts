// The minimal zip reader against zips written by Python's zipfile (stored and deflated entries), and
// damaged ones: each a ZipError naming what is wrong, never a crash or a wrong file.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readZip, ZipError } from "./zip";

const WRITE = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("fw/stored.bin", bytes(range(256)) * 3, compress_type=zipfile.ZIP_STORED)
    z.writestr("fw/deflated.bin", bytes(i % 7 for i in range(50000)), compress_type=zipfile.ZIP_DEFLATED)
`;

function pythonZip(): Uint8Array {
  const path = join(mkdtempSync(join(tmpdir(), "cell-zip-")), "t.zip");
  execFileSync("python3", ["-c", WRITE, path]);
  return new Uint8Array(readFileSync(path));
}

describe("readZip", () => {
  it("reads stored and deflated entries, names and bytes exact", () => {
    const entries = readZip(pythonZip(), 1 << 20);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ["fw/stored.bin", 768],
      ["fw/deflated.bin", 50000]
    ]);
    expect([...entries[0].read()]).toEqual([...Array.from({ length: 768 }, (_, i) => i % 256)]);
    expect(entries[1].read().every((b, i) => b === i % 7)).toBe(true);
  });

  it("refuses what is not a zip, a damaged or cut one, and an entry past the size bound", () => {
    const zip = pythonZip();
    expect(() => readZip(new Uint8Array(100), 1 << 20)).toThrow(/not a zip file/);
    expect(() => readZip(new Uint8Array(3), 1 << 20)).toThrow(ZipError);
    expect(() => readZip(zip.subarray(0, zip.length - 10), 1 << 20)).toThrow(/not a zip file/); // cut short
    const corrupt = zip.slice();
    corrupt[80] ^= 0xff; // inside the stored entry's bytes: its CRC-32 no longer matches
    expect(() => readZip(corrupt, 1 << 20)[0].read()).toThrow(/CRC-32/);
    expect(() => readZip(zip, 1000)[1].read()).toThrow(/more than 1000/);
    const noCentral = zip.slice();
    const eocd = Buffer.from(zip).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    new DataView(noCentral.buffer).setUint32(eocd + 16, 5, true); // central directory offset points at junk
    expect(() => readZip(noCentral, 1 << 20)).toThrow(/damaged central directory/);
  });
});
