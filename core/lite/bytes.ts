// The frame being built, and byte helpers shared by the lite (device) path. Written for minified size
// and for small engines' heaps, where every function costs a few hundred bytes: few functions, no
// closures. Internal failures throw a bare error code (a number, core/errors.ts ErrorCode) that the
// server puts on the wire.
import type { Transport } from "../transport";

// The output: the buffer of the link being answered (one frame long) and the write position. Frames
// are built one at a time, synchronously, so one cursor serves every link. Plain module variables, not
// an object's properties: each use minifies to one letter. Other modules read them (live bindings)
// and set them through seek().
export var frame!: Uint8Array; // seek() sets it before anything is written
export var at = 0;

/** Moves the cursor to `p`, in `buffer` when given. */
export function seek(p: number, buffer?: Uint8Array): void {
  if (buffer) frame = buffer;
  at = p;
}

/** Appends `v` as `size` bytes (default 1) little-endian, or throws 7 (TooLarge) past the frame's end. */
export function put(v: number, size?: number): void {
  for (var i = 0; i < (size || 1); i++) {
    if (at >= frame.length) throw 7;
    frame[at++] = v >> (8 * i); // a typed array keeps the low 8 bits
  }
}

/** Appends `v` (0..2^32-1) as an unsigned LEB128 varint: COMPACT's lengths, counts and integers. */
export function varint(v: number): void {
  for (; v > 127; v >>>= 7) put((v & 127) | 128);
  put(v);
}

export function r32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** The subset of core's Transport the lite server needs; core's links and the lite stream link both fit. */
export type LiteLink = Pick<Transport, "maxFrame" | "send" | "onFrame">;
