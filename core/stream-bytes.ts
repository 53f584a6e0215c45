// Pieces both sides of stream framing share (see stream.ts).
import { cobsMaxEncodedLength } from "./cobs";

/** Bytes a stream adds around a frame: the CRC, and the 0x00 delimiter (COBS overhead comes on top). */
export var CRC_SIZE = 4;

/** Most stream bytes a frame of `n` bytes becomes: COBS of n + 4 CRC bytes, plus the delimiter. */
export function streamEncodedMaxLength(n: number): number {
  return cobsMaxEncodedLength(n + CRC_SIZE) + 1;
}

/**
 * Runs of non-zero bytes longer than this are found with native indexOf and copied with one native
 * Uint8Array.set (a transient view per run of up to 254 bytes) instead of byte by byte. Measured in V8:
 * 16 made 200-1000-byte binary frames ~7% faster but a MSGPACK quote (runs of ~20 text bytes) 40%
 * slower; 64 was ~5% slower than 48 on long frames. On interpreters the native copy wins sooner.
 */
export var BULK = 48;

var hasIndexOf = typeof (Uint8Array.prototype as any).indexOf === "function";

/** Index of the first 0x00 in `b[from..n)`, or n: native indexOf where the engine has it. */
export function nextZero(b: Uint8Array, from: number, n: number): number {
  if (hasIndexOf) {
    var z = b.indexOf(0, from);
    return z < 0 ? n : z;
  }
  while (from < n && b[from] !== 0) from++;
  return from;
}

/**
 * `out[0..length)`, reusing `last` when it is that view already (callers drop `last` when `out` changes):
 * frames of one size then cost no allocation at all.
 */
export function sameView(last: Uint8Array | null, out: Uint8Array, length: number): Uint8Array {
  return last !== null && last.length === length ? last : out.subarray(0, length);
}
