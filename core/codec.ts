import type { Type } from "./schema";
import { CellError, ErrorCode } from "./errors";

/**
 * A payload codec. Encoders write into a reused Writer (no allocation per frame); decoders read a view
 * and return a value that has been checked against the type. Bad bytes or a value of the wrong type
 * throw a CellError(BadPayload) that the RPC engine turns into an ERROR frame.
 */
export interface Codec {
  readonly id: number; // CodecId
  encode(type: Type, value: unknown, w: Writer): void;
  decode(type: Type, bytes: Uint8Array): unknown;
}

/** A growable byte buffer that is reused from frame to frame. `view()` is valid until the next reset. */
export class Writer {
  buf: Uint8Array;
  pos: number;
  /** Writes fail with TooLarge past this many bytes, so a huge value cannot take all memory. */
  limit: number;
  // The last view handed out: frames of one size then reuse it instead of allocating a view per frame.
  private lastView: Uint8Array | null = null;
  private lastBuf: Uint8Array | null = null;
  private lastFrom = 0;
  constructor(size?: number, limit?: number) {
    this.buf = new Uint8Array(size || 256);
    this.pos = 0;
    this.limit = limit || 0x100000;
  }
  reset(at?: number): void {
    this.pos = 0;
    if (at) {
      this.ensure(at);
      this.pos = at;
    }
  }
  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    var need = this.pos + n;
    if (need <= this.buf.length) return;
    if (need > this.limit) throw new CellError(ErrorCode.TooLarge, "frame larger than " + this.limit + " bytes");
    var size = this.buf.length * 2;
    while (size < need) size *= 2;
    var next = new Uint8Array(Math.min(size, this.limit));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  u8(v: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  view(from?: number): Uint8Array {
    var start = from || 0;
    var last = this.lastView;
    if (last !== null && this.lastBuf === this.buf && this.lastFrom === start && last.length === this.pos - start) return last;
    this.lastBuf = this.buf;
    this.lastFrom = start;
    return (this.lastView = this.buf.subarray(start, this.pos));
  }
}
