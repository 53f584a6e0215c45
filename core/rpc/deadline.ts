// The deadline a caller sends with a REQUEST (flag RequestDeadline, spec/rpc.md §2.1): the payload starts
// with an unsigned LEB128 varint, the milliseconds the caller still waits for the answer; the request value
// follows. A bridge reads it, waits that long, and forwards the request without it.
import type { Writer } from "../codec";
import { writeVarint } from "../codecs/compact-encode";

/** Writes the deadline varint (1 ≤ ms ≤ 2^32 − 1) where the payload starts. */
export function writeDeadline(w: Writer, ms: number): void {
  writeVarint(w, ms);
}

/**
 * Reads the deadline at the start of a flagged REQUEST's payload: [ms, bytes it takes], or null when it is
 * malformed (truncated, over 32 bits, not in its shortest form, or 0): the request is answered BadPayload.
 */
export function readDeadline(p: Uint8Array): [number, number] | null {
  var v = 0;
  for (var i = 0; i < 5 && i < p.length; i++) {
    var b = p[i];
    if ((i === 4 && b > 0x0f) || (i > 0 && b === 0)) return null;
    v += (b & 0x7f) * Math.pow(2, 7 * i);
    if (b < 0x80) return v > 0 ? [v, i + 1] : null;
  }
  return null;
}
