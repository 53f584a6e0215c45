// The REPL uploader's pieces that need no board: the byte-string literal and the CRC it checks
// against E.CRC32. (The upload itself runs against Espruino 2v29 in engines/espruino/espruino.test.ts.)
import { describe, it, expect } from "vitest";
import * as zlib from "node:zlib";
import { crc32, jsBytesLiteral } from "./repl";
import { pacedPort } from "../pacing";

describe("REPL upload helpers", () => {
  it("write any bytes as a one-line JS string literal that reads back as the same bytes", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const lit = jsBytesLiteral(all);
    expect([...lit].filter((c) => "\r\n\x10\x03".includes(c))).toEqual([]); // the REPL acts on these bytes
    const back = new Function(`return ${lit}`)() as string;
    expect(Array.from(back, (c) => c.charCodeAt(0))).toEqual(Array.from(all));
  });

  it("compute CRC-32 as zlib does (E.CRC32 is the same CRC)", () => {
    const z = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    if (z)
      for (const n of [0, 1, 100, 3000]) {
        const b = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 255);
        expect(crc32(b)).toBe(z(b));
      }
  });
});

describe("paced writes", () => {
  it("cut writes into chunks sent in order, gapMs apart", async () => {
    const got: { at: number; bytes: number[] }[] = [];
    const port = pacedPort(
      { write: (b) => got.push({ at: Date.now(), bytes: Array.from(b) }), onData: () => {} },
      { chunkBytes: 4, gapMs: 20 }
    );
    const frame = new Uint8Array(10).map((_, i) => i);
    port.write(frame);
    frame.fill(99); // the caller reuses its buffer: what was queued is a copy
    port.write(new Uint8Array([10, 11]));
    const end = Date.now() + 5000;
    while (got.length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(got.map((g) => g.bytes)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
      [10, 11]
    ]);
    for (let i = 1; i < got.length; i++) expect(got[i].at - got[i - 1].at).toBeGreaterThanOrEqual(15);
  });
});
