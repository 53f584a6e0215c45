// Copies of decoded bytes values. A decoded value must not alias the frame buffer (that is reused, and
// handlers may keep the value), but in V8 every new Uint8Array above 64 bytes gets an off-heap backing
// store (~0.7 µs, more than a whole decode). So, like Node's Buffer pool, small copies are cut out of a
// shared slab as subarray views; a kept view keeps at most its one slab alive.
import { jitEngine } from "./engine";

/** Slab bytes; copies above an eighth of it get their own array. 0: always a plain copy (devices). */
var slabSize = jitEngine ? 8192 : 0;
var slab: Uint8Array | null = null;
var used = 0;

/** Sets the slab size (0 turns slabs off); the current slab is dropped. For firmware tuning and tests. */
export function setBytesSlab(size: number): void {
  slabSize = size > 0 ? size : 0;
  slab = null;
  used = 0;
}

/** A fresh copy of `src[start..end)`: a view of a slab, or its own array when large or slabs are off. */
export function copyBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  var n = end - start;
  var out: Uint8Array;
  if (n > slabSize >> 3) {
    out = new Uint8Array(n);
  } else {
    if (slab === null || used + n > slabSize) {
      slab = new Uint8Array(slabSize);
      used = 0;
    }
    out = slab.subarray(used, used + n);
    used += n;
  }
  // Native set beats a loop from a few dozen bytes; below that its view costs more than the loop.
  if (n > 32) out.set(src.subarray(start, end));
  else for (var i = 0; i < n; i++) out[i] = src[start + i];
  return out;
}
