// The 20-byte frame header (spec/wire-format.md, "Header"). All integers little-endian.

export var HEADER_SIZE = 20;
export var MAGIC = 0xce;
export var VERSION = 1;

export var Kind = { Request: 0, Response: 1, Error: 2, Event: 3, Cancel: 4, Announce: 5 };
/** Kinds 6..15 are reserved: a receiver drops such a frame and counts it. */
export var KIND_COUNT = 6;

export var CodecId = { Raw: 0, Msgpack: 1, Compact: 2, Json: 3 };

/** Method ids below this are the protocol's own (describe, subscribe, ...); a user method never hashes into them. */
export var RESERVED_METHOD_IDS = 16;
export var MethodId = { Describe: 0, Subscribe: 1, Unsubscribe: 2 };

export interface Header {
  kind: number;
  flags: number;
  codec: number;
  cellId: number;
  methodId: number;
  requestId: number;
  length: number;
}

export function newHeader(): Header {
  return { kind: 0, flags: 0, codec: 0, cellId: 0, methodId: 0, requestId: 0, length: 0 };
}

export function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 255;
  out[at + 1] = (v >>> 8) & 255;
  out[at + 2] = (v >>> 16) & 255;
  out[at + 3] = (v >>> 24) & 255;
}

export function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * Flags (the high nibble of byte 2) by kind, wire-format.md §1.3. A flag changes how the payload is read,
 * so it is sent only to a receiver known to read it: the answer to a query, a request to a bridge.
 */
export var Flag = {
  /** ANNOUNCE: the payload ends with u32 maxFrame (rpc.md §8.1). */
  AnnounceMaxFrame: 1,
  /** REQUEST: the payload starts with a varint deadline in ms (rpc.md §2.1). */
  RequestDeadline: 1
};

/**
 * Writes `h` at `out[at..at+20)`. The u32 fields are written here, not through writeU32: one of 2^31 or
 * more is a heap number, and passing it to a call the JIT does not inline boxes it again, every frame.
 */
export function encodeHeader(h: Header, out: Uint8Array, at: number): void {
  out[at] = MAGIC;
  out[at + 1] = VERSION;
  out[at + 2] = (h.kind & 15) | ((h.flags & 15) << 4);
  out[at + 3] = h.codec & 255;
  var v = h.cellId;
  out[at + 4] = v & 255;
  out[at + 5] = (v >>> 8) & 255;
  out[at + 6] = (v >>> 16) & 255;
  out[at + 7] = (v >>> 24) & 255;
  v = h.methodId;
  out[at + 8] = v & 255;
  out[at + 9] = (v >>> 8) & 255;
  out[at + 10] = (v >>> 16) & 255;
  out[at + 11] = (v >>> 24) & 255;
  v = h.requestId;
  out[at + 12] = v & 255;
  out[at + 13] = (v >>> 8) & 255;
  out[at + 14] = (v >>> 16) & 255;
  out[at + 15] = (v >>> 24) & 255;
  v = h.length;
  out[at + 16] = v & 255;
  out[at + 17] = (v >>> 8) & 255;
  out[at + 18] = (v >>> 16) & 255;
  out[at + 19] = (v >>> 24) & 255;
}

/**
 * Reads the header of the frame `b[at..at+size)` into `into` (no allocation).
 * Returns null when the frame is well-formed, else the drop reason (see drops.ts).
 * `size` is how many bytes the frame really has; the length field must agree with it.
 */
export function decodeHeader(b: Uint8Array, at: number, size: number, into: Header): string | null {
  if (size < HEADER_SIZE) return "TooShort";
  if (b[at] !== MAGIC) return "BadMagic";
  if (b[at + 1] !== VERSION) return "BadVersion";
  var k = b[at + 2] & 15;
  if (k >= KIND_COUNT) return "BadKind";
  into.kind = k;
  into.flags = b[at + 2] >> 4;
  into.codec = b[at + 3];
  into.cellId = readU32(b, at + 4);
  into.methodId = readU32(b, at + 8);
  into.requestId = readU32(b, at + 12);
  into.length = readU32(b, at + 16);
  if (into.length !== size - HEADER_SIZE) return "BadLength";
  return null;
}
