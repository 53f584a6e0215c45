// A simulated ESP32 in its UART download mode, written from Espressif's "Serial Protocol" document
// (esptool docs, advanced topics): the ROM loader's SLIP commands with their checksums and status
// bytes, the RAM download that starts a stub loader (which then says OHAI and answers with 2 status
// bytes and raw MD5s), and a NOR flash in memory (erase sets 0xFF, a write can only clear bits), so a
// test can check every image landed at its offset byte for byte.
import { createHash } from "node:crypto";
import { inflateSync, inflateRawSync } from "node:zlib";
import type { BytePort } from "../../core/byte-port";
import { slipDecoder, slipEncode } from "./slip";

export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  ERASE_REGION: 0xd1
} as const;

/** ROM loader error values (the document's list); the stub's are 0xC* and 0xFF. */
const RomError = { InvalidMessage: 0x05, FailedToAct: 0x06, BadCrc: 0x07, Deflate: 0x0b } as const;
const StubError = { BadData: 0xc1, Inflate: 0xc6, Unimplemented: 0xff } as const;

/** The ESP32's chip-detect magic, read with READ_REG at 0x40001000. */
export const ESP32_MAGIC = { address: 0x40001000, value: 0x00f01d83 };
const SYNC_BODY = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array(32).fill(0x55)]);
const SECTOR = 4096;
/** Any non-zero word (see SYNC below). */
const ROM_SYNC_VALUE = 0x20120707;
/** Internal SRAM the RAM download may write (IRAM 0x40070000.., DRAM 0x3FFAE000..). */
const RAM_RANGES: [number, number][] = [
  [0x3ffae000, 0x40000000],
  [0x40070000, 0x400c0000]
];

export interface Esp32RomPeerOptions {
  /** Size of the simulated flash (default 4 MiB). */
  flashBytes?: number;
  /** Closes the port after this many flash data blocks were acknowledged (an interrupted transfer). */
  closeAfterBlocks?: number;
  /** The word at the chip-detect address (default the ESP32's), to play another chip. */
  chipMagic?: number;
  /** The flash chip, kept across runs like a real board's (default: a new one, erased). */
  flash?: Uint8Array;
  /** Flips a bit of flash at this offset after it is written, so the MD5 check must fail. */
  corruptAt?: number;
}

export interface PeerStats {
  commands: Record<string, number>;
  badChecksums: number;
  droppedPackets: number;
  stubUploaded: number;
  /** Baud rates asked for with CHANGE_BAUDRATE, in order (a pty has no rate: they are only recorded). */
  bauds: number[];
}

const opName = (op: number) => Object.keys(Op).find((k) => Op[k as keyof typeof Op] === op) ?? `0x${op.toString(16)}`;
const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const checksum = (data: Uint8Array) => data.reduce((x, b) => x ^ b, 0xef);

interface Download {
  kind: "flash" | "defl" | "mem";
  size: number;
  blocks: number;
  blockSize: number;
  offset: number;
  next: number;
  compressed: Uint8Array[];
}

export class Esp32RomPeer {
  readonly flash: Uint8Array;
  readonly stats: PeerStats = { commands: {}, badChecksums: 0, droppedPackets: 0, stubUploaded: 0, bauds: [] };
  /** True once a stub was uploaded and started; its answers then carry 2 status bytes. */
  stub = false;
  private readonly regs: Map<number, number>;
  private readonly ram: { address: number; bytes: Uint8Array }[] = [];
  private download: Download | null = null;
  private attached = false;
  private blocksAcked = 0;
  private port: BytePort | null = null;

  constructor(private readonly o: Esp32RomPeerOptions = {}) {
    this.regs = new Map([[ESP32_MAGIC.address, o.chipMagic ?? ESP32_MAGIC.value]]);
    this.flash = o.flash ?? new Uint8Array(o.flashBytes ?? 4 * 1024 * 1024).fill(0xff);
  }

  /** Serves one connection on `port` (the device's end of a pty, or a socket). */
  serve(port: BytePort): void {
    this.port = port;
    const slip = slipDecoder(0x4000 + 64);
    port.onData((chunk) => {
      const { packets, dropped } = slip.feed(chunk);
      this.stats.droppedPackets += dropped;
      for (const p of packets) this.handle(p);
    });
  }

  /** The chip is reset (EN pressed, power cycled): the ROM loader runs again. */
  reset(): void {
    this.stub = false;
    this.download = null;
    this.attached = false;
  }

  private send(op: number, value: number, data: Uint8Array): void {
    const p = new Uint8Array(8 + data.length);
    const v = new DataView(p.buffer);
    p[0] = 0x01;
    p[1] = op;
    v.setUint16(2, data.length, true);
    v.setUint32(4, value >>> 0, true);
    p.set(data, 8);
    this.port?.write(slipEncode(p));
  }

  private ok(op: number, value = 0, data: Uint8Array = new Uint8Array(0)): void {
    const status = new Uint8Array(this.stub ? 2 : 4);
    this.send(op, value, concat(data, status));
  }

  private fail(op: number, romError: number, stubError: number): void {
    const status = this.stub ? Uint8Array.from([1, stubError]) : Uint8Array.from([1, romError, 0, 0]);
    this.send(op, 0, status);
  }

  private handle(p: Uint8Array): void {
    if (p.length < 8 || p[0] !== 0x00) {
      this.stats.droppedPackets++;
      return; // not a request: the ROM does not answer
    }
    const op = p[1];
    const size = p[2] | (p[3] << 8);
    const chk = u32(p, 4);
    const data = p.subarray(8);
    const name = opName(op);
    this.stats.commands[name] = (this.stats.commands[name] ?? 0) + 1;
    if (size !== data.length) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
    switch (op) {
      case Op.SYNC:
        if (!equal(data, SYNC_BODY)) return; // not a sync: no answer, as before baud detection
        // The document says the value field is zero outside READ_REG, but the real ROM puts a non-zero
        // word in its SYNC answers and the stub zero: esptool and esptool-js tell the two apart by it.
        for (let i = 0; i < (this.stub ? 1 : 8); i++) this.ok(op, this.stub ? 0 : ROM_SYNC_VALUE);
        return;
      case Op.READ_REG:
        if (data.length !== 4) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        return this.ok(op, this.regs.get(u32(data, 0)) ?? 0);
      case Op.WRITE_REG: {
        if (data.length !== 16) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        const [addr, value, mask] = [u32(data, 0), u32(data, 4), u32(data, 8)];
        this.regs.set(addr, ((this.regs.get(addr) ?? 0) & ~mask) | (value & mask));
        return this.ok(op);
      }
      case Op.SPI_SET_PARAMS:
        if (data.length !== 24 || u32(data, 4) > this.flash.length) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        return this.ok(op);
      case Op.SPI_ATTACH:
        // The ROM takes a second word (zero); the stub the first alone, or both.
        if (!(data.length === 8 || (this.stub && data.length === 4))) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        this.attached = true;
        return this.ok(op);
      case Op.CHANGE_BAUDRATE: {
        if (data.length !== 8) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        const previous = this.stats.bauds.length ? this.stats.bauds[this.stats.bauds.length - 1] : 115200;
        // Second word: 0 to the ROM, the current rate to the stub.
        if (u32(data, 4) !== (this.stub ? previous : 0)) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        this.stats.bauds.push(u32(data, 0));
        return this.ok(op);
      }
      case Op.MEM_BEGIN:
      case Op.FLASH_BEGIN:
      case Op.FLASH_DEFL_BEGIN:
        return this.begin(op, data);
      case Op.MEM_DATA:
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA:
        return this.block(op, data, chk);
      case Op.MEM_END:
        return this.memEnd(data);
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END:
        if (data.length !== 4 || !this.download || this.download.next !== this.download.blocks)
          return this.fail(op, RomError.FailedToAct, StubError.BadData);
        this.download = null;
        this.ok(op);
        if (u32(data, 0) === 0) this.reset(); // 0: reboot
        return;
      case Op.SPI_FLASH_MD5: {
        if (data.length !== 16) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        const [addr, len] = [u32(data, 0), u32(data, 4)];
        if (!this.attached || addr + len > this.flash.length) return this.fail(op, RomError.FailedToAct, StubError.BadData);
        const md5 = createHash("md5")
          .update(this.flash.subarray(addr, addr + len))
          .digest();
        // The ROM answers 32 hex-coded ASCII bytes, the stub 16 raw bytes.
        return this.ok(op, 0, this.stub ? md5 : new TextEncoder().encode(md5.toString("hex")));
      }
      case Op.ERASE_REGION: {
        if (!this.stub) break;
        const [addr, len] = [u32(data, 0), u32(data, 4)];
        if (data.length !== 8 || addr % SECTOR || len % SECTOR || addr + len > this.flash.length)
          return this.fail(op, RomError.InvalidMessage, StubError.BadData);
        this.flash.fill(0xff, addr, addr + len);
        return this.ok(op);
      }
    }
    this.fail(op, RomError.InvalidMessage, StubError.Unimplemented);
  }

  private begin(op: number, data: Uint8Array): void {
    // Four words (the ROM accepts a fifth, zero: the encrypted-write flag esptool sends it).
    if (data.length !== 16 && !(data.length === 20 && !this.stub)) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
    const [size, blocks, blockSize, offset] = [u32(data, 0), u32(data, 4), u32(data, 8), u32(data, 12)];
    const kind = op === Op.MEM_BEGIN ? "mem" : op === Op.FLASH_BEGIN ? "flash" : "defl";
    if (kind === "mem") {
      const inRam = RAM_RANGES.some(([lo, hi]) => offset >= lo && offset + size <= hi);
      if (this.stub || !inRam || blocks * blockSize < size) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
      this.ram.push({ address: offset, bytes: new Uint8Array(size) });
    } else {
      if (!this.attached || offset % SECTOR || offset + size > this.flash.length || blockSize === 0 || blockSize > 0x4000)
        return this.fail(op, RomError.InvalidMessage, StubError.BadData);
      // The ROM erases the whole region now; the stub erases as it writes. Same result: sectors of 0xFF.
      this.flash.fill(0xff, offset, Math.min(this.flash.length, offset + Math.ceil(size / SECTOR) * SECTOR));
    }
    this.download = { kind, size, blocks, blockSize, offset, next: 0, compressed: [] };
    this.ok(op);
  }

  private block(op: number, data: Uint8Array, chk: number): void {
    const d = this.download;
    const kind = op === Op.MEM_DATA ? "mem" : op === Op.FLASH_DATA ? "flash" : "defl";
    if (!d || d.kind !== kind || data.length < 16) return this.fail(op, RomError.FailedToAct, StubError.BadData);
    const [len, seq] = [u32(data, 0), u32(data, 4)];
    const payload = data.subarray(16);
    if (len !== payload.length || seq !== d.next || len > d.blockSize) return this.fail(op, RomError.InvalidMessage, StubError.BadData);
    if ((checksum(payload) & 0xff) !== (chk & 0xff)) {
      this.stats.badChecksums++;
      return this.fail(op, RomError.BadCrc, StubError.BadData);
    }
    if (kind === "mem") {
      const seg = this.ram[this.ram.length - 1];
      seg.bytes.set(payload.subarray(0, Math.max(0, seg.bytes.length - seq * d.blockSize)), seq * d.blockSize);
    } else if (kind === "flash") {
      if (len !== d.blockSize) return this.fail(op, RomError.InvalidMessage, StubError.BadData); // the last one is padded
      this.program(d.offset + seq * d.blockSize, payload.subarray(0, Math.max(0, d.size - seq * d.blockSize)));
    } else {
      d.compressed.push(payload.slice());
      if (seq === d.blocks - 1) {
        let image: Uint8Array;
        try {
          const all = concat(...d.compressed);
          image = all[0] === 0x78 ? inflateSync(all) : inflateRawSync(all);
        } catch {
          return this.fail(op, RomError.Deflate, StubError.Inflate);
        }
        if (image.length > d.size) return this.fail(op, RomError.Deflate, StubError.Inflate);
        this.program(d.offset, image);
      }
    }
    d.next++;
    this.ok(op);
    if (kind !== "mem" && ++this.blocksAcked === this.o.closeAfterBlocks) this.port?.close?.();
  }

  private memEnd(data: Uint8Array): void {
    if (data.length !== 8 || this.stub) return this.fail(Op.MEM_END, RomError.InvalidMessage, StubError.BadData);
    const [noExecute, entry] = [u32(data, 0), u32(data, 4)];
    const runs = noExecute === 0 && this.ram.some((s) => entry >= s.address && entry < s.address + s.bytes.length);
    if (noExecute === 0 && !runs) return this.fail(Op.MEM_END, RomError.FailedToAct, StubError.BadData);
    this.download = null;
    this.ok(Op.MEM_END);
    if (!runs) return;
    // The stub runs: its first packet is "OHAI", the one unsolicited packet, then it answers as the stub.
    this.stats.stubUploaded++;
    this.stub = true;
    this.port?.write(slipEncode(new TextEncoder().encode("OHAI")));
  }

  /** NOR flash: programming can only clear bits, so a region written without an erase shows it. */
  private program(at: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.flash[at + i] &= bytes[i];
    const c = this.o.corruptAt;
    if (c !== undefined && c >= at && c < at + bytes.length) this.flash[c] ^= 0x01;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
