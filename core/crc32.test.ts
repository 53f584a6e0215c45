import { describe, it, expect, vi, afterEach } from "vitest";
import fc from "fast-check";
import * as zlib from "node:zlib";
import { crc32, crc32IsNative, crc32Compact, crc32Slices, crc32MatchesWords, crc32Table8 } from "./crc32";

const ascii = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const zlibCrc32: ((b: Uint8Array) => number) | undefined = (zlib as any).crc32;

describe("crc32", () => {
  it("gives the CRC-32/ISO-HDLC check value", () => {
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("covers a sub-range", () => {
    const b = ascii("xx123456789yy");
    expect(crc32(b, 2, 11)).toBe(0xcbf43926);
    expect(crc32(b, 5, 5)).toBe(0);
  });

  it("continues from a seed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const m = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
        expect(crc32(bytes, m, bytes.length, crc32(bytes, 0, m))).toBe(crc32(bytes));
      })
    );
  });

  it("returns unsigned 32-bit values", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const c = crc32(bytes);
        expect(Number.isInteger(c) && c >= 0 && c <= 0xffffffff).toBe(true);
      })
    );
  });

  it("agrees with Node's zlib.crc32", () => {
    expect(typeof zlibCrc32).toBe("function");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(crc32(bytes)).toBe(zlibCrc32!(bytes) >>> 0);
      }),
      { numRuns: 300 }
    );
  });

  it("gives the same values with the compact (1 KiB) table only", () => {
    try {
      crc32Compact(true);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          expect(crc32(bytes)).toBe(zlibCrc32!(bytes) >>> 0);
        })
      );
    } finally {
      crc32Compact(false);
    }
  });

  it("gives the same values slicing by 4 (the devices' default) as by 8 (JIT engines')", () => {
    try {
      crc32Slices(4);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), (bytes, skip) => {
          const start = Math.min(skip, bytes.length);
          expect(crc32(bytes, start)).toBe(zlibCrc32!(bytes.subarray(start)) >>> 0);
        })
      );
    } finally {
      crc32Slices(8);
    }
  });

  it("checks a CRC reading 4 bytes at a time (crc32MatchesWords), on every length and with either table", () => {
    const buf = new Uint8Array(400);
    const words = new Int32Array(buf.buffer);
    const check = () =>
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 396 }), fc.boolean(), (bytes, spoil) => {
          buf.set(bytes);
          const crc = zlibCrc32!(bytes) >>> 0;
          buf[bytes.length] = crc & 255;
          buf[bytes.length + 1] = (crc >>> 8) & 255;
          buf[bytes.length + 2] = (crc >>> 16) & 255;
          buf[bytes.length + 3] = (crc >>> 24) ^ (spoil ? 1 : 0);
          expect(crc32MatchesWords(words, buf, bytes.length)).toBe(!spoil);
        }),
        { numRuns: 300 }
      );
    expect(crc32Table8()).not.toBeNull(); // the word path is the one under test
    check();
    try {
      crc32Slices(4);
      expect(crc32Table8()).toBeNull();
      check(); // falls back to crc32Matches
    } finally {
      crc32Slices(8);
    }
  });

  it("uses no native CRC under Node", () => {
    expect(crc32IsNative()).toBe(false);
  });
});

describe("crc32 with an Espruino-style native E.CRC32", () => {
  afterEach(() => {
    delete (globalThis as any).E;
    vi.resetModules();
  });

  it("uses a native that gives the check value, for unseeded calls", async () => {
    let calls = 0;
    (globalThis as any).E = {
      CRC32: (b: Uint8Array) => {
        calls++;
        return zlibCrc32!(b);
      }
    };
    vi.resetModules();
    const m = await import("./crc32");
    expect(m.crc32IsNative()).toBe(true);
    const before = calls;
    expect(m.crc32(ascii("xx123456789"), 2)).toBe(0xcbf43926);
    expect(calls).toBe(before + 1);
    // A seeded (incremental) call cannot go to E.CRC32, which has no seed.
    const b = ascii("123456789");
    expect(m.crc32(b, 4, 9, m.crc32(b, 0, 4))).toBe(0xcbf43926);
    expect(calls).toBe(before + 2);
  });

  it("ignores a native that computes another CRC", async () => {
    (globalThis as any).E = { CRC32: () => 0x12345678 };
    vi.resetModules();
    const m = await import("./crc32");
    expect(m.crc32IsNative()).toBe(false);
    expect(m.crc32(ascii("123456789"))).toBe(0xcbf43926);
  });
});
