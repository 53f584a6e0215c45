// ISO-TP (ISO 15765-2) frames with normal addressing: building and reading the protocol control
// information of single, first, consecutive and flow-control frames, for classic CAN (TX_DL 8) and CAN
// FD (TX_DL up to 64). The state machines that use them are isotp-sender.ts and isotp-receiver.ts.
import { fdLength } from "./frame";
import { CanDrop } from "./errors";
import { DropReason } from "../../core/drops";

/** Padding of unused data bytes (spec/can.md §3). */
export const PAD = 0xcc;
/** The largest message a 12-bit FF_DL says; longer ones use the 32-bit escape. */
export const FF_DL_12BIT = 4095;

export const FlowStatus = { Continue: 0, Wait: 1, Overflow: 2 } as const;

export type Pci =
  | { type: "SF"; data: Uint8Array }
  | { type: "FF"; length: number; data: Uint8Array }
  | { type: "CF"; sn: number; data: Uint8Array }
  | { type: "FC"; fs: number; bs: number; stMin: number }
  | { type: "bad"; reason: string };

/** Copies `bytes` into a frame padded as spec/can.md says: 8 bytes on classic CAN, the next FD length (≥ 8) on CAN FD. */
export function padded(bytes: Uint8Array, txDl: number): Uint8Array {
  const size = txDl === 8 ? 8 : Math.max(8, fdLength(bytes.length));
  const out = new Uint8Array(size).fill(PAD);
  out.set(bytes);
  return out;
}

/** Whether an n-byte message goes in one single frame. */
export function fitsSingleFrame(n: number, txDl: number): boolean {
  return n <= 7 || (txDl > 8 && n <= txDl - 2);
}

export function singleFrame(message: Uint8Array, txDl: number): Uint8Array {
  const n = message.length;
  const head = n <= 7 ? [n] : [0, n];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(message, head.length);
  return padded(out, txDl);
}

/** The first frame of a segmented message (always TX_DL bytes) and how many message bytes it carries. */
export function firstFrame(message: Uint8Array, txDl: number): { data: Uint8Array; taken: number } {
  const n = message.length;
  const head = n <= FF_DL_12BIT ? [0x10 | (n >> 8), n & 0xff] : [0x10, 0, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const taken = txDl - head.length;
  const out = new Uint8Array(txDl);
  out.set(head);
  out.set(message.subarray(0, taken), head.length);
  return { data: out, taken };
}

/** The consecutive frame with sequence number `sn` carrying message bytes from `at`. */
export function consecutiveFrame(message: Uint8Array, at: number, sn: number, txDl: number): { data: Uint8Array; taken: number } {
  const chunk = message.subarray(at, at + txDl - 1);
  const out = new Uint8Array(1 + chunk.length);
  out[0] = 0x20 | (sn & 15);
  out.set(chunk, 1);
  return { data: padded(out, txDl), taken: chunk.length };
}

export function flowControl(fs: number, bs: number, stMin: number): Uint8Array {
  return padded(new Uint8Array([0x30 | fs, bs, stMin]), 8);
}

/** STmin byte → milliseconds: 0x00–0x7F ms, 0xF1–0xF9 100–900 µs, anything else (reserved) the longest, 127 ms. */
export function stMinMs(byte: number): number {
  if (byte <= 0x7f) return byte;
  if (byte >= 0xf1 && byte <= 0xf9) return (byte - 0xf0) / 10;
  return 127;
}

/** Milliseconds → the STmin byte that asks for at least that gap. */
export function stMinByte(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < 1) return 0xf0 + Math.max(1, Math.ceil(ms * 10));
  return Math.min(0x7f, Math.ceil(ms));
}

/** Reads a frame's protocol control information; malformed frames come back as `bad` with a drop reason. */
export function parsePci(f: Uint8Array): Pci {
  if (f.length === 0) return { type: "bad", reason: CanDrop.BadPci };
  const low = f[0] & 15;
  switch (f[0] >> 4) {
    case 0: {
      if (f.length <= 8) {
        if (low === 0) return { type: "bad", reason: CanDrop.BadPci };
        if (low > f.length - 1) return { type: "bad", reason: DropReason.BadLength };
        return { type: "SF", data: f.subarray(1, 1 + low) };
      }
      if (low !== 0 || f[1] === 0) return { type: "bad", reason: CanDrop.BadPci };
      if (f[1] > f.length - 2) return { type: "bad", reason: DropReason.BadLength };
      return { type: "SF", data: f.subarray(2, 2 + f[1]) };
    }
    case 1: {
      if (f.length < 8) return { type: "bad", reason: CanDrop.BadPci };
      let length = (low << 8) | f[1];
      let head = 2;
      if (length === 0) {
        length = ((f[2] << 24) | (f[3] << 16) | (f[4] << 8) | f[5]) >>> 0;
        head = 6;
        if (length <= FF_DL_12BIT) return { type: "bad", reason: CanDrop.BadPci };
      }
      // A message that fits a single frame of this size must not be segmented.
      if (length < (f.length === 8 ? 8 : f.length - 1)) return { type: "bad", reason: CanDrop.BadPci };
      return { type: "FF", length, data: f.subarray(head) };
    }
    case 2:
      return { type: "CF", sn: low, data: f.subarray(1) };
    case 3:
      if (f.length < 3 || low > 2) return { type: "bad", reason: CanDrop.BadPci };
      return { type: "FC", fs: low, bs: f[1], stMin: f[2] };
    default:
      return { type: "bad", reason: CanDrop.BadPci };
  }
}
