// Stream framing (UART, TCP, pty, BLE UART): COBS(frame ‖ CRC-32(frame) u32 LE) ‖ 0x00.
// See spec/wire-format.md, "Stream links". The receiving side is in stream-decoder.ts.
import { crc32Int } from "./crc32";
import { CRC_SIZE, BULK, streamEncodedMaxLength, nextZero, sameView } from "./stream-bytes";

export { CRC_SIZE, streamEncodedMaxLength } from "./stream-bytes";
export { StreamDecoder } from "./stream-decoder";

/** Encodes frames for a byte stream into one reused buffer. */
export class StreamEncoder {
  private out: Uint8Array;
  private view: Uint8Array | null = null;

  /** `expectedFrame` sizes the first buffer; a larger frame grows it once. */
  constructor(expectedFrame?: number) {
    this.out = new Uint8Array(streamEncodedMaxLength(expectedFrame || 64));
  }

  /**
   * The stream bytes for `frame`: a view of the reused buffer, valid until the next call.
   * One pass of COBS over the frame, then its CRC (computed first: crc32.ts) stuffed the same way.
   * A group's code byte is not counted separately: it is always p - codeAt (bytes since its slot).
   */
  encode(frame: Uint8Array): Uint8Array {
    var n = frame.length;
    if (this.out.length < streamEncodedMaxLength(n)) {
      this.out = new Uint8Array(streamEncodedMaxLength(n));
      this.view = null;
    }
    var out = this.out;
    var crc = crc32Int(frame, 0, n); // int32: the bytes are what matter, and no heap number is made
    var codeAt = 0; // slot of the open group's code byte
    var p = 1; // next byte to write
    var zeroAt = -1; // next 0x00 in frame once looked up, so a long frame is scanned only once
    for (var i = 0; i < n; i++) {
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
    return (this.view = sameView(this.view, out, p));
  }
}
