// IEEE 754 floats to and from bytes without DataView (a DataView per frame would allocate): one scratch
// typed array per width, copied byte by byte in the wire's order. Unrolled: these are on the hot path.

var f64 = new Float64Array(1);
var b8 = new Uint8Array(f64.buffer);
var f32 = new Float32Array(1);
var b4 = new Uint8Array(f32.buffer);
/** Typed arrays use the host's byte order: little-endian on every target, but do not assume it. */
var hostLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes `v` as 8 bytes at `at`. */
export function writeF64(out: Uint8Array, at: number, v: number, littleEndian: boolean): void {
  f64[0] = v;
  if (littleEndian === hostLittle) {
    out[at] = b8[0];
    out[at + 1] = b8[1];
    out[at + 2] = b8[2];
    out[at + 3] = b8[3];
    out[at + 4] = b8[4];
    out[at + 5] = b8[5];
    out[at + 6] = b8[6];
    out[at + 7] = b8[7];
  } else {
    out[at] = b8[7];
    out[at + 1] = b8[6];
    out[at + 2] = b8[5];
    out[at + 3] = b8[4];
    out[at + 4] = b8[3];
    out[at + 5] = b8[2];
    out[at + 6] = b8[1];
    out[at + 7] = b8[0];
  }
}

/** Writes `v` rounded to the nearest f32 as 4 bytes at `at`. */
export function writeF32(out: Uint8Array, at: number, v: number, littleEndian: boolean): void {
  f32[0] = v;
  if (littleEndian === hostLittle) {
    out[at] = b4[0];
    out[at + 1] = b4[1];
    out[at + 2] = b4[2];
    out[at + 3] = b4[3];
  } else {
    out[at] = b4[3];
    out[at + 1] = b4[2];
    out[at + 2] = b4[1];
    out[at + 3] = b4[0];
  }
}

/** Reads 8 bytes at `at` as an f64; the caller has checked they are there. */
export function readF64(b: Uint8Array, at: number, littleEndian: boolean): number {
  if (littleEndian === hostLittle) {
    b8[0] = b[at];
    b8[1] = b[at + 1];
    b8[2] = b[at + 2];
    b8[3] = b[at + 3];
    b8[4] = b[at + 4];
    b8[5] = b[at + 5];
    b8[6] = b[at + 6];
    b8[7] = b[at + 7];
  } else {
    b8[7] = b[at];
    b8[6] = b[at + 1];
    b8[5] = b[at + 2];
    b8[4] = b[at + 3];
    b8[3] = b[at + 4];
    b8[2] = b[at + 5];
    b8[1] = b[at + 6];
    b8[0] = b[at + 7];
  }
  return f64[0];
}

/** Reads 4 bytes at `at` as an f32. */
export function readF32(b: Uint8Array, at: number, littleEndian: boolean): number {
  if (littleEndian === hostLittle) {
    b4[0] = b[at];
    b4[1] = b[at + 1];
    b4[2] = b[at + 2];
    b4[3] = b[at + 3];
  } else {
    b4[3] = b[at];
    b4[2] = b[at + 1];
    b4[1] = b[at + 2];
    b4[0] = b[at + 3];
  }
  return f32[0];
}
