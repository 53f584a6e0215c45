// The REPL uploader's pieces that need no board: the byte-string literal and the CRC it checks
// against E.CRC32. (The upload itself runs against Espruino 2v29 in engines/espruino/espruino.test.ts.)
import { describe, it, expect } from "vitest";
import * as zlib from "node:zlib";
import { crc32, jsBytesLiteral, EspruinoRepl, ReplError, ReplLostError } from "./repl";
import { pacedPort } from "../pacing";
import { storageBoard, Damage } from "../../test/espruino-storage-board";

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

describe("upload over a console that loses bytes, as stock Espruino 2v29 does", () => {
  /** A stand-in console whose Storage refuses rewrites as flash does (test/espruino-storage-board.ts). */
  function lossyBoard(damage: Damage) {
    return storageBoard({ damage });
  }

  const bundle = Uint8Array.from({ length: 700 }, (_, i) => (i * 37 + 11) & 255);

  it("writes a damaged chunk again and checks the file", async () => {
    const { repl, files } = lossyBoard((line, n) => n === 1 && line.includes("Storage"));
    const r = await repl.upload(".boot0", bundle, { timeoutMs: 2000 });
    expect(r.crc).toBe(crc32(bundle));
    expect(Uint8Array.from(files[".boot0"])).toEqual(bundle);
    expect(r.lines).toBe(4); // 3 chunks of 256, one of them twice
  });

  it("makes the file again from offset 0 when a damaged line left other bytes where a chunk goes", async () => {
    // The second chunk's line reaches the board with another first byte, and its answer is lost: the retry
    // finds other bytes at 256, which flash cannot take back.
    let chunks = 0;
    const { repl, files } = lossyBoard((line) => (line.includes('Storage").write') && ++chunks === 2 ? "garble-and-mute" : false));
    const r = await repl.upload(".boot0", bundle, { timeoutMs: 300 });
    expect(r.crc).toBe(crc32(bundle));
    expect(Uint8Array.from(files[".boot0"])).toEqual(bundle);
  });

  it("gives up as a ReplError (a refusal the flasher reports) when every remake of the file is spoiled again", async () => {
    let chunks = 0;
    const { repl } = lossyBoard((line) => (line.includes('Storage").write') && ++chunks % 3 === 2 ? "garble-and-mute" : false));
    const err = await repl.upload(".boot0", bundle, { timeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(ReplError);
    expect(err.message).toBe("the board threw: Error: File already written with different data");
    expect(chunks).toBe(9); // 3 rounds: chunk 1, chunk 2 garbled, chunk 2 again refused
  });

  it("tells its progress chunk by chunk", async () => {
    const { repl } = lossyBoard(() => false);
    const seen: number[] = [];
    await repl.upload(".boot0", bundle, { timeoutMs: 2000, chunkBytes: 300, onProgress: (done, total) => seen.push(done, total) });
    expect(seen).toEqual([300, 700, 600, 700, 700, 700]);
  });

  it("fails at once, without retrying, when the stream is lost mid-way", async () => {
    let lines = 0;
    const repl: EspruinoRepl = new EspruinoRepl({
      write(bytes) {
        if (Buffer.from(bytes).includes(10) && ++lines === 2) setImmediate(() => repl.lost("the port closed"));
        else if (lines < 2) setImmediate(() => repl.feed(Buffer.from(`<<${lines}:true:${lines}>>\r\n`)));
      }
    });
    const started = Date.now();
    const err = await repl.upload(".boot0", bundle, { timeoutMs: 5000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ReplLostError);
    expect(err.message).toBe("the port closed");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lines).toBe(2);
    await expect(repl.evaluate("1")).rejects.toThrow("the port closed");
  });

  it("gives up with a clear error when every try is damaged", async () => {
    const { repl } = lossyBoard((line) => line.includes('Storage").write'));
    await expect(repl.upload(".boot0", bundle, { timeoutMs: 2000 })).rejects.toThrow(/the board threw: SyntaxError|answered/);
  });
});
