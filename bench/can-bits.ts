// Bits a classic CAN data frame takes on the wire, stuff bits counted exactly: the frame's bits from
// SOF to the end of the CRC (CRC-15, polynomial 0x4599) are built and stuffed (a complement bit after
// five equal bits), then the fixed tail is added: CRC delimiter, ACK slot and delimiter, 7 EOF bits and
// the 3-bit intermission. Without stuffing: 47 + 8n bits (11-bit id), 67 + 8n (29-bit).
import type { CanFrame } from "../transports/can/frame";

function bitsOf(value: number, width: number, out: number[]): void {
  for (let i = width - 1; i >= 0; i--) out.push((value >>> i) & 1);
}

function crc15(bits: number[]): number {
  let crc = 0;
  for (const b of bits) {
    const next = b ^ ((crc >> 14) & 1);
    crc = (crc << 1) & 0x7fff;
    if (next) crc ^= 0x4599;
  }
  return crc;
}

function stuffBits(bits: number[]): number {
  let stuffed = 0;
  let run = 0;
  let last = -1;
  for (const b of bits) {
    if (b === last) run++;
    else {
      last = b;
      run = 1;
    }
    if (run === 5) {
      stuffed++;
      last = 1 - b; // the stuff bit starts the next run
      run = 1;
    }
  }
  return stuffed;
}

/** Bits on the wire for a classic CAN data frame, and the worst case for its length. */
export function classicFrameBits(f: CanFrame): { bits: number; unstuffed: number; worst: number } {
  const n = f.data.length;
  const b: number[] = [0]; // SOF
  if (f.extended) {
    bitsOf(f.id >>> 18, 11, b);
    b.push(1, 1); // SRR, IDE
    bitsOf(f.id & 0x3ffff, 18, b);
    b.push(0, 0, 0); // RTR, r1, r0
  } else {
    bitsOf(f.id, 11, b);
    b.push(0, 0, 0); // RTR, IDE, r0
  }
  bitsOf(n, 4, b);
  for (const byte of f.data) bitsOf(byte, 8, b);
  bitsOf(crc15(b), 15, b);
  const tail = 1 + 2 + 7 + 3;
  const unstuffed = b.length + tail;
  return { bits: unstuffed + stuffBits(b), unstuffed, worst: unstuffed + Math.floor((b.length - 1) / 4) };
}
