// The frame being built, and byte helpers shared by the lite (device) path. Written for minified size
// and for small engines' heaps, where every function costs a few hundred bytes: few functions, no
// closures. Internal failures throw a bare error code (a number, core/errors.ts ErrorCode) that the
// server puts on the wire.
import type { Peer } from "../transport";

/**
 * The output: `b` is the buffer of the link being answered (one frame long), `p` the write position.
 * Frames are built one at a time, synchronously, so one cursor serves every link.
 */
export var out = { b: /*@__PURE__*/ new Uint8Array(0), p: 0 };

/** Appends `v` as `size` bytes (default 1) little-endian, or throws 7 (TooLarge) past the frame's end. */
export function put(v: number, size?: number): void {
  for (var i = 0; i < (size || 1); i++) {
    if (out.p >= out.b.length) throw 7;
    out.b[out.p++] = v >> (8 * i); // a typed array keeps the low 8 bits
  }
}

export function r32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** The subset of core's Transport the lite server needs; core's links and the lite stream link both fit. */
export interface LiteLink {
  readonly maxFrame: number;
  send(frame: Uint8Array, to?: Peer): void;
  onFrame(listener: (frame: Uint8Array, from?: Peer) => void): void;
}
