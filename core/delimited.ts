// Frames back to back on a reliable ordered byte stream (a QUIC stream): no COBS, no CRC; each frame
// is delimited by its header's length field. See spec/wire-format.md, "Reliable streams".
import { HEADER_SIZE, Header, newHeader, decodeHeader, readU32 } from "./header";
import { DropReason, LinkStats, newLinkStats, countDrop } from "./drops";

type FrameCallback = (frame: Uint8Array) => void;

/**
 * Splits a reliable byte stream into frames. Such a stream has no delimiter to resynchronise on:
 * after a bad header (magic, version, kind, or a length above maxFrame) every later byte would be
 * misread, so the decoder counts the drop, sets `failed` and `failReason`, and ignores the rest.
 * The transport then closes that stream. `feed` never throws on any input; memory is one buffer
 * of maxFrame bytes.
 */
export class DelimitedDecoder {
  readonly maxFrame: number;
  readonly stats: LinkStats;
  /** The header of the frame being handed to onFrame (valid during that call). */
  readonly header: Header = newHeader();
  failed = false;
  failReason: string | null = null;
  private buf: Uint8Array;
  private len = 0; // bytes of the current frame held in buf
  private total = 0; // size of the current frame once its header is known, else 0
  private busy = false;
  private queue: { bytes: Uint8Array; onFrame: FrameCallback }[] = [];

  constructor(maxFrame: number, stats?: LinkStats) {
    if (!(maxFrame >= HEADER_SIZE)) throw new RangeError("DelimitedDecoder: maxFrame must be at least " + HEADER_SIZE);
    this.maxFrame = maxFrame;
    this.stats = stats || newLinkStats();
    this.buf = new Uint8Array(maxFrame);
  }

  /** Bytes held for the frame in progress (never more than maxFrame). */
  get buffered(): number {
    return this.len;
  }

  /**
   * Takes the next bytes of the stream. A frame passed to `onFrame` is a view of `chunk` or of the
   * internal buffer, valid only during the call. Bytes fed from inside `onFrame` are queued.
   */
  feed(chunk: Uint8Array, onFrame: FrameCallback): void {
    this.stats.bytesIn += chunk.length;
    if (this.failed) return;
    if (this.busy) {
      this.queue.push({ bytes: new Uint8Array(chunk), onFrame: onFrame });
      return;
    }
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.failed) {
        var q = this.queue.shift()!;
        this.run(q.bytes, q.onFrame);
      }
      if (!this.failed) this.run(chunk, onFrame);
      while (this.queue.length > 0 && !this.failed) {
        var r = this.queue.shift()!;
        this.run(r.bytes, r.onFrame);
      }
      if (this.failed) this.queue.length = 0;
    } finally {
      this.busy = false;
    }
  }

  private run(chunk: Uint8Array, onFrame: FrameCallback): void {
    var n = chunk.length;
    var i = 0;
    var buf = this.buf;
    while (i < n) {
      if (this.len === 0 && n - i >= HEADER_SIZE) {
        // Fast path: the header is whole in the chunk; a whole frame is passed on without copying.
        var size = this.check(chunk, i);
        if (size < 0) return;
        if (n - i >= size) {
          this.stats.framesIn++;
          onFrame(chunk.subarray(i, i + size));
          i += size;
          continue;
        }
        this.total = size;
      }
      var want = (this.total || HEADER_SIZE) - this.len;
      if (want > n - i) want = n - i;
      for (var k = 0; k < want; k++) buf[this.len++] = chunk[i++];
      if (this.total === 0 && this.len === HEADER_SIZE) {
        this.total = this.check(buf, 0);
        if (this.total < 0) return;
      }
      if (this.total > 0 && this.len === this.total) {
        var whole = this.total;
        this.len = this.total = 0;
        this.stats.framesIn++;
        onFrame(buf.subarray(0, whole));
      }
    }
  }

  /** Validates the header at `b[at..at+20)`; returns the frame's total size, or -1 after failing the stream. */
  private check(b: Uint8Array, at: number): number {
    var size = HEADER_SIZE + readU32(b, at + 16);
    var why = decodeHeader(b, at, size, this.header);
    if (why === null && size > this.maxFrame) why = DropReason.TooLong;
    if (why === null) return size;
    countDrop(this.stats, why);
    this.failed = true;
    this.failReason = why;
    this.len = this.total = 0;
    return -1;
  }
}
