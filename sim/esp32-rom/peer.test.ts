// The simulated ESP32 ROM loader, spoken to with packets built by hand from Espressif's serial protocol
// document (not by esptool-js): framing, status bytes, checksums, the plain and compressed flash
// downloads, MD5 in the ROM's hex form, and what it does with garbage.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { Esp32RomPeer, ESP32_MAGIC, Op } from "./peer";
import { slipDecoder, slipEncode } from "./slip";

interface Reply {
  op: number;
  value: number;
  data: Uint8Array;
}

function connect(peer: Esp32RomPeer) {
  const replies: Reply[] = [];
  const slip = slipDecoder(4096);
  let feed: (b: Uint8Array) => void = () => {};
  let closed = false;
  peer.serve({
    write: (bytes) => {
      for (const p of slip.feed(bytes).packets) {
        if (p.length < 8) {
          replies.push({ op: -1, value: 0, data: p }); // the stub's OHAI: not a response
          continue;
        }
        const v = new DataView(p.buffer, p.byteOffset);
        replies.push({ op: p[1], value: v.getUint32(4, true), data: p.subarray(8, 8 + v.getUint16(2, true)) });
      }
    },
    onData: (cb) => void (feed = cb),
    close: () => void (closed = true)
  });
  const words = (...w: number[]) => {
    const b = new Uint8Array(w.length * 4);
    w.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x >>> 0, true));
    return b;
  };
  const send = (op: number, data: Uint8Array, chk = 0): Reply[] => {
    const p = new Uint8Array(8 + data.length);
    const v = new DataView(p.buffer);
    p[1] = op;
    v.setUint16(2, data.length, true);
    v.setUint32(4, chk, true);
    p.set(data, 8);
    replies.length = 0;
    feed(slipEncode(p));
    return replies.slice();
  };
  const block = (op: number, seq: number, payload: Uint8Array, chk = payload.reduce((x, b) => x ^ b, 0xef)) =>
    send(op, concat(words(payload.length, seq, 0, 0), payload), chk);
  return { send, block, words, raw: (b: Uint8Array) => feed(b), replies, closed: () => closed };
}

const SYNC = Uint8Array.from([7, 7, 0x12, 0x20, ...new Array(32).fill(0x55)]);
const romOk = [0, 0, 0, 0];
const concat = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);

describe("simulated ESP32 ROM loader (sim/esp32-rom)", () => {
  it("answers SYNC eight times, READ_REG with the ESP32 magic, each with the ROM's 4 status bytes", () => {
    const c = connect(new Esp32RomPeer());
    const sync = c.send(Op.SYNC, SYNC);
    expect(sync).toHaveLength(8);
    expect(sync.every((r) => r.op === Op.SYNC && [...r.data].join() === romOk.join() && r.value !== 0)).toBe(true);
    const magic = c.send(Op.READ_REG, c.words(ESP32_MAGIC.address));
    expect(magic).toEqual([{ op: Op.READ_REG, value: 0x00f01d83, data: Uint8Array.from(romOk) }]);
    expect(c.send(Op.SYNC, SYNC.subarray(0, 20))).toEqual([]); // not a sync: no answer
    expect([...c.send(0x14, new Uint8Array(0))[0].data]).toEqual([1, 0x05, 0, 0]); // unknown: invalid message
  });

  it("writes with FLASH_BEGIN/DATA/END after SPI_ATTACH, checks each block's checksum and sequence, and MD5s it in hex", () => {
    const peer = new Esp32RomPeer();
    const c = connect(peer);
    const image = Uint8Array.from({ length: 1500 }, (_, i) => (i * 13) & 0xff);
    expect([...c.send(Op.FLASH_BEGIN, c.words(1500, 2, 1024, 0x8000))[0].data]).toEqual([1, 0x05, 0, 0]); // not attached
    expect([...c.send(Op.SPI_ATTACH, c.words(0, 0))[0].data]).toEqual(romOk);
    expect([...c.send(Op.SPI_SET_PARAMS, c.words(0, 4 << 20, 65536, 4096, 256, 0xffff))[0].data]).toEqual(romOk);
    expect([...c.send(Op.FLASH_BEGIN, c.words(1500, 2, 1024, 0x8000, 0))[0].data]).toEqual(romOk);
    const first = image.subarray(0, 1024);
    expect([...c.block(Op.FLASH_DATA, 0, first, 0x12)[0].data]).toEqual([1, 0x07, 0, 0]); // bad checksum
    expect(peer.stats.badChecksums).toBe(1);
    expect([...c.block(Op.FLASH_DATA, 1, first)[0].data]).toEqual([1, 0x05, 0, 0]); // out of sequence
    expect([...c.block(Op.FLASH_DATA, 0, first)[0].data]).toEqual(romOk);
    const last = new Uint8Array(1024).fill(0xff);
    last.set(image.subarray(1024));
    expect([...c.block(Op.FLASH_DATA, 1, last)[0].data]).toEqual(romOk);
    expect([...c.send(Op.FLASH_END, c.words(1))[0].data]).toEqual(romOk);
    expect(Buffer.from(peer.flash.subarray(0x8000, 0x8000 + 1500)).equals(Buffer.from(image))).toBe(true);
    const md5 = c.send(Op.SPI_FLASH_MD5, c.words(0x8000, 1500, 0, 0))[0].data;
    expect(new TextDecoder().decode(md5.subarray(0, 32))).toBe(createHash("md5").update(image).digest("hex"));
    expect([...md5.subarray(32)]).toEqual(romOk);
  });

  it("inflates FLASH_DEFL_DATA (zlib) into place; a stream that does not inflate is a deflate error", () => {
    const peer = new Esp32RomPeer();
    const c = connect(peer);
    c.send(Op.SPI_ATTACH, c.words(0, 0));
    const image = Uint8Array.from({ length: 9000 }, (_, i) => (i % 97) ^ (i >> 8));
    const packed = deflateSync(image);
    const blocks = Math.ceil(packed.length / 1024);
    expect([...c.send(Op.FLASH_DEFL_BEGIN, c.words(12288, blocks, 1024, 0x10000))[0].data]).toEqual(romOk);
    for (let s = 0; s < blocks; s++)
      expect([...c.block(Op.FLASH_DEFL_DATA, s, packed.subarray(s * 1024, (s + 1) * 1024))[0].data]).toEqual(romOk);
    expect(Buffer.from(peer.flash.subarray(0x10000, 0x10000 + 9000)).equals(Buffer.from(image))).toBe(true);
    c.send(Op.FLASH_DEFL_BEGIN, c.words(4096, 1, 1024, 0x20000));
    expect([...c.block(Op.FLASH_DEFL_DATA, 0, Uint8Array.from([0x78, 0x9c, 0xff, 0xff, 0xff]))[0].data]).toEqual([1, 0x0b, 0, 0]);
  });

  it("runs an uploaded stub (MEM_BEGIN/DATA/END): OHAI, then 2 status bytes and raw MD5s", () => {
    const peer = new Esp32RomPeer();
    const c = connect(peer);
    const code = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect([...c.send(Op.MEM_BEGIN, c.words(100, 1, 0x1800, 0x10000000))[0].data]).toEqual([1, 0x05, 0, 0]); // not RAM
    expect([...c.send(Op.MEM_BEGIN, c.words(100, 1, 0x1800, 0x400be000))[0].data]).toEqual(romOk);
    expect([...c.block(Op.MEM_DATA, 0, code)[0].data]).toEqual(romOk);
    const started = c.send(Op.MEM_END, c.words(0, 0x400be010));
    expect(started.map((r) => [...r.data])).toEqual([romOk, [...new TextEncoder().encode("OHAI")]]);
    expect(peer.stub).toBe(true);
    expect(peer.stats.stubUploaded).toBe(1);
    expect(c.send(Op.SYNC, SYNC)).toHaveLength(1);
    expect([...c.send(Op.CHANGE_BAUDRATE, c.words(921600, 115200))[0].data]).toEqual([0, 0]);
    expect(peer.stats.bauds).toEqual([921600]);
    c.send(Op.SPI_ATTACH, c.words(0));
    const md5 = c.send(Op.SPI_FLASH_MD5, c.words(0, 4096, 0, 0))[0].data;
    expect(Buffer.from(md5.subarray(0, 16)).toString("hex")).toBe(createHash("md5").update(new Uint8Array(4096).fill(0xff)).digest("hex"));
    expect([...md5.subarray(16)]).toEqual([0, 0]);
    expect([...c.send(0x55, new Uint8Array(0))[0].data]).toEqual([1, 0xff]); // the stub's "unimplemented"
  });

  it("drops garbage, bad escapes and over-long packets without answering, and keeps working", () => {
    const peer = new Esp32RomPeer();
    const c = connect(peer);
    c.raw(Uint8Array.from([1, 2, 3, 0xc0, 0xdb, 0x01, 0x02, 0xc0]));
    c.raw(Uint8Array.from([0xc0, ...new Array(0x4100).fill(0x11), 0xc0]));
    c.raw(Uint8Array.from([0xc0, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0xc0])); // a response, not a request
    expect(c.replies).toEqual([]);
    expect(peer.stats.droppedPackets).toBe(3);
    expect(c.send(Op.SYNC, SYNC)).toHaveLength(8);
    expect([...c.send(Op.READ_REG, c.words(1, 2))[0].data]).toEqual([1, 0x05, 0, 0]); // wrong length
  });

  it("frames SLIP as the document says: 0xC0 and 0xDB escaped, packets found across any split", () => {
    const packet = Uint8Array.from([0x00, 0xc0, 0xdb, 0xdc, 0xdd, 0xc0]);
    const framed = slipEncode(packet);
    expect([...framed]).toEqual([0xc0, 0x00, 0xdb, 0xdc, 0xdb, 0xdd, 0xdc, 0xdd, 0xdb, 0xdc, 0xc0]);
    const d = slipDecoder(64);
    const got = [...framed].flatMap((b) => d.feed(Uint8Array.of(b)).packets);
    expect(got.map((p) => [...p])).toEqual([[...packet]]);
  });
});
