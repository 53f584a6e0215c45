// Stream framing (UART, TCP, pty, BLE UART): COBS(frame ‖ CRC-32(frame) u32 LE) ‖ 0x00.
// See spec/wire-format.md, "Stream links". The receiving side is in stream-decoder.ts.
import { crc32, crc32Int, crc32Table8, littleEndian } from "./crc32";
import { CRC_SIZE, BULK, streamEncodedMaxLength, nextZero, sameView } from "./stream-bytes";

export { CRC_SIZE, streamEncodedMaxLength } from "./stream-bytes";
export { StreamDecoder } from "./stream-decoder";

/** Where the fused path copies the frame in its buffer: 4-byte aligned, its first code byte just before. */
var FUSED_AT = 4;

/**
 * The frame's CRC on its way to encodeGroups(), in a typed array rather than an argument: an int32 CRC
 * passed to a call can be boxed as a heap number, one allocation per frame on the hot path.
 */
var pending = new Int32Array(1);

/** Encodes frames for a byte stream into one reused buffer. */
export class StreamEncoder {
  private out: Uint8Array;
  private words: Int32Array; // out, 4 bytes at a time (the fused path)
  private view: Uint8Array | null = null;
  private fusedView: Uint8Array | null = null;

  /** `expectedFrame` sizes the first buffer; a larger frame grows it once. */
  constructor(expectedFrame?: number) {
    this.out = new Uint8Array((streamEncodedMaxLength(expectedFrame || 64) + FUSED_AT + 3) & ~3);
    this.words = new Int32Array(this.out.buffer);
  }

  /**
   * The stream bytes for `frame`: a view of the reused buffer, valid until the next call. On little-endian
   * JIT hosts one fused pass (fused()); elsewhere the CRC first (crc32.ts), then COBS (encodeGroups()).
   */
  encode(frame: Uint8Array): Uint8Array {
    var n = frame.length;
    if (this.out.length < streamEncodedMaxLength(n) + FUSED_AT) {
      this.out = new Uint8Array((streamEncodedMaxLength(n) + FUSED_AT + 3) & ~3);
      this.words = new Int32Array(this.out.buffer);
      this.view = this.fusedView = null;
    }
    var w = littleEndian ? crc32Table8() : null;
    if (w === null) {
      pending[0] = crc32Int(frame, 0, n);
      return (this.view = sameView(this.view, this.out, this.encodeGroups(frame, n, 0, 1, 0)));
    }
    var end = this.fused(frame, n, w);
    var v = this.fusedView;
    if (v === null || v.length !== end - FUSED_AT + 1) v = this.fusedView = this.out.subarray(FUSED_AT - 1, end);
    return v;
  }

  /**
   * The JIT engines' path, one pass: the frame is copied natively to out[4..] (so that it can be read 4
   * bytes at a time, aligned), and while its CRC is computed 8 bytes a step the same bytes are tested for
   * 0x00: each 0x00 becomes, where it lies, the code byte of the group after it (COBS in place; the first
   * code byte goes at out[3]). In place is exact while groups are under 254 bytes: at a longer run the
   * rest is done by encodeGroups(), from where this pass got to. Returns the end of the stream in out.
   */
  private fused(frame: Uint8Array, n: number, w: Int32Array): number {
    var out = this.out;
    var words = this.words;
    out.set(frame, FUSED_AT);
    var c = -1;
    var last = FUSED_AT - 1; // slot of the open group's code byte; frame[i] lies at out[i + 4]
    var i = 0;
    var k = 1; // words[k] holds frame[i..i+4)
    for (var stop = n - 7; i < stop; i += 8, k += 2) {
      // This step could make a group of 254 bytes or more (whose end in place would be wrong): hand over
      // while the open group has at most 254 bytes, as encodeGroups() requires.
      if (i - last > 242) {
        pending[0] = c;
        return this.handOver(frame, n, i, last);
      }
      var x = words[k];
      var y = words[k + 1];
      c ^= x;
      c =
        w[1792 + (c & 255)] ^
        w[1536 + ((c >>> 8) & 255)] ^
        w[1280 + ((c >>> 16) & 255)] ^
        w[1024 + (c >>> 24)] ^
        w[768 + (y & 255)] ^
        w[512 + ((y >>> 8) & 255)] ^
        w[256 + ((y >>> 16) & 255)] ^
        w[y >>> 24];
      var p = i + FUSED_AT;
      if ((x & 0xff) === 0) {
        out[last] = p - last;
        last = p;
      }
      if ((x & 0xff00) === 0) {
        out[last] = p + 1 - last;
        last = p + 1;
      }
      if ((x & 0xff0000) === 0) {
        out[last] = p + 2 - last;
        last = p + 2;
      }
      if (x >>> 24 === 0) {
        out[last] = p + 3 - last;
        last = p + 3;
      }
      if ((y & 0xff) === 0) {
        out[last] = p + 4 - last;
        last = p + 4;
      }
      if ((y & 0xff00) === 0) {
        out[last] = p + 5 - last;
        last = p + 5;
      }
      if ((y & 0xff0000) === 0) {
        out[last] = p + 6 - last;
        last = p + 6;
      }
      if (y >>> 24 === 0) {
        out[last] = p + 7 - last;
        last = p + 7;
      }
    }
    for (; i < n; i++) {
      // The last 0-7 bytes, one at a time.
      var at = i + FUSED_AT;
      if (at - last > 253) {
        pending[0] = c;
        return this.handOver(frame, n, i, last);
      }
      var b = out[at];
      c = w[(c ^ b) & 255] ^ (c >>> 8);
      if (b === 0) {
        out[last] = at - last;
        last = at;
      }
    }
    var end = n + FUSED_AT;
    c = ~c;
    if (end + CRC_SIZE - last > 253) {
      pending[0] = ~c;
      return this.handOver(frame, n, n, last);
    }
    out[end] = c & 255;
    out[end + 1] = (c >>> 8) & 255;
    out[end + 2] = (c >>> 16) & 255;
    out[end + 3] = c >>> 24;
    for (var crcEnd = end + CRC_SIZE; end <= crcEnd; end++) {
      if (end === crcEnd || out[end] === 0) {
        out[last] = end - last;
        last = end;
      }
    }
    out[crcEnd] = 0;
    return crcEnd + 1;
  }

  /** From fused() to encodeGroups() at frame[i], pending[0] holding the CRC register over frame[0..i). */
  private handOver(frame: Uint8Array, n: number, i: number, last: number): number {
    pending[0] = crc32(frame, i, n, ~pending[0] >>> 0);
    return this.encodeGroups(frame, n, i, i + FUSED_AT, last);
  }

  /**
   * COBS group by group, from frame[i] on with the open group's code byte at out[codeAt] and the next
   * byte to write at out[p] (p - codeAt at most 254); then pending[0], the frame's CRC. The whole frame where
   * there is no fused path (devices, with a native CRC where they have one). Returns the end in out.
   * A group's code byte is not counted separately: it is always p - codeAt (bytes since its slot).
   */
  private encodeGroups(frame: Uint8Array, n: number, i: number, p: number, codeAt: number): number {
    var out = this.out;
    var crc = pending[0];
    var zeroAt = -1; // next 0x00 in frame once looked up, so a long frame is scanned only once
    for (; i < n; i++) {
      var b = frame[i];
      if (b === 0) {
        out[codeAt] = p - codeAt;
        codeAt = p++;
        continue;
      }
      out[p++] = b;
      if (p - codeAt >= BULK) {
        // Rare: a long run. Copy the rest of this group, up to the next 0x00, natively.
        if (zeroAt <= i) zeroAt = nextZero(frame, i + 1, n);
        var stop = i + 1 + codeAt + 0xff - p;
        if (stop > zeroAt) stop = zeroAt;
        if (stop > i + 1) {
          out.set(frame.subarray(i + 1, stop), p);
          p += stop - i - 1;
          i = stop - 1;
        }
        if (p - codeAt === 0xff) {
          // A full group (254 data bytes) has no implicit 0x00: close it, open the next.
          out[codeAt] = 0xff;
          codeAt = p++;
        }
      }
    }
    for (var k = 0; k < CRC_SIZE; k++, crc >>>= 8) {
      var c = crc & 255;
      if (c === 0) {
        out[codeAt] = p - codeAt;
        codeAt = p++;
        continue;
      }
      out[p++] = c;
      if (p - codeAt === 0xff) {
        out[codeAt] = 0xff;
        codeAt = p++;
      }
    }
    out[codeAt] = p - codeAt;
    out[p++] = 0;
    return p;
  }
}
