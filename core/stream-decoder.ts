// The receiving side of stream framing: COBS(frame ‖ CRC-32(frame) u32 LE) ‖ 0x00, in chunks of any size.
import { crc32Matches } from "./crc32";
import { HEADER_SIZE, Header, newHeader, decodeHeader } from "./header";
import { DropReason, LinkStats, newLinkStats, countDrop } from "./drops";
import { CRC_SIZE, BULK, nextZero, sameView } from "./stream-bytes";

export type FrameCallback = (frame: Uint8Array) => void;

/**
 * The receiving side of a stream: takes bytes in chunks of any size and yields checked frames.
 *
 * COBS is undone as bytes arrive, into one fixed buffer of maxFrame + 4 bytes, so memory is bounded
 * whatever arrives; a frame that would not fit is counted TooLong and skipped up to the next 0x00.
 * At each 0x00 the frame is checked (COBS complete, size, CRC, header) and either handed to
 * `onFrame` or counted as a drop in `stats.drops`. `feed` never throws on any input.
 */
export class StreamDecoder {
  readonly maxFrame: number;
  readonly stats: LinkStats;
  /** The header of the frame being handed to onFrame (valid during that call). */
  readonly header: Header = newHeader();
  private buf: Uint8Array;
  private cap: number; // maxFrame + 4: the buffer has one byte more, for the fast path's early 0x00
  private len = 0; // decoded bytes of the current frame
  private rem = 0; // data bytes still due in the current COBS group
  private zeroPending = false; // the current group ends in an implicit 0x00 unless it is the last
  private open = false; // a code byte has been seen since the last delimiter
  private skip = false; // the current frame was too long: discard up to the next delimiter
  private view: Uint8Array | null = null;
  private busy = false;
  private queue: { bytes: Uint8Array; onFrame: FrameCallback }[] = [];

  constructor(maxFrame: number, stats?: LinkStats) {
    if (!(maxFrame >= HEADER_SIZE)) throw new RangeError("StreamDecoder: maxFrame must be at least " + HEADER_SIZE);
    this.maxFrame = maxFrame;
    this.stats = stats || newLinkStats();
    this.cap = maxFrame + CRC_SIZE;
    this.buf = new Uint8Array(this.cap + 1);
  }

  /** Size of the one receive buffer (maxFrame + 4); it never changes. */
  get capacity(): number {
    return this.cap;
  }

  /** Decoded bytes held for the frame in progress. */
  get buffered(): number {
    return this.len;
  }

  /**
   * Takes the next bytes of the stream. Frames passed to `onFrame` are views of the internal buffer,
   * valid only during the call. If `onFrame` feeds this decoder again (a synchronous loopback), those
   * bytes are queued and decoded after the current chunk, so frames stay in order and intact.
   * `onFrame` should not throw: if it does, the exception propagates and the rest of the chunk is lost.
   */
  feed(chunk: Uint8Array, onFrame: FrameCallback): void {
    this.stats.bytesIn += chunk.length;
    if (this.busy) {
      this.queue.push({ bytes: new Uint8Array(chunk), onFrame: onFrame });
      return;
    }
    this.busy = true;
    try {
      if (this.queue.length > 0) this.drain(); // left over if an onFrame threw last time
      this.run(chunk, onFrame);
      if (this.queue.length > 0) this.drain();
    } finally {
      this.busy = false;
    }
  }

  private drain(): void {
    while (this.queue.length > 0) {
      var q = this.queue.shift()!;
      this.run(q.bytes, q.onFrame);
    }
  }

  private run(chunk: Uint8Array, onFrame: FrameCallback): void {
    var buf = this.buf;
    var cap = this.cap;
    var n = chunk.length;
    var len = this.len;
    var rem = this.rem;
    var zeroPending = this.zeroPending;
    var open = this.open;
    var skip = this.skip;
    var i = 0;
    var zeroAt = -1; // the next 0x00 at or after i once looked up (n if none), so long runs scan once
    while (i < n) {
      if (len === 0 && !open && !skip) {
        var whole = this.wholeFrame(chunk, i, onFrame);
        if (whole > i) {
          i = whole;
          continue;
        }
      }
      if (skip) {
        if (zeroAt < i) zeroAt = nextZero(chunk, i, n);
        if (zeroAt === n) break;
        i = zeroAt + 1;
        skip = open = zeroPending = false;
        len = rem = 0;
        continue;
      }
      if (rem === 0) {
        var c = chunk[i++];
        if (c === 0) {
          // Delimiter. Reset first, so that onFrame may safely feed bytes (they get queued).
          var ended = open;
          var size = len;
          this.len = len = 0;
          this.rem = 0; // rem is 0 here, but the field may be stale: keep it right should onFrame throw
          this.skip = false;
          this.zeroPending = zeroPending = false;
          this.open = open = false;
          if (ended) this.finish(size, onFrame); // an empty chunk (0x00 0x00) is just idle line
          continue;
        }
        // A code byte: first the implicit 0x00 that ends the previous group.
        if (zeroPending) {
          if (len === cap) {
            countDrop(this.stats, DropReason.TooLong);
            skip = true;
            continue;
          }
          buf[len++] = 0;
        }
        open = true;
        rem = c - 1;
        zeroPending = c !== 0xff;
        if (rem === 0) continue;
      }
      // Data bytes of the current group, up to its end, the chunk's end, a 0x00 or a full buffer.
      var stop = i + rem;
      if (stop > n) stop = n;
      if (stop - i > cap - len) stop = i + cap - len;
      var from = i;
      if (stop - i > BULK) {
        if (zeroAt < i) zeroAt = nextZero(chunk, i, n);
        if (stop > zeroAt) stop = zeroAt;
        buf.set(chunk.subarray(i, stop), len);
        len += stop - i;
        i = stop;
      } else {
        while (i < stop) {
          var b = chunk[i];
          if (b === 0) break;
          buf[len++] = b;
          i++;
        }
      }
      rem -= i - from;
      if (rem === 0 || i === n) continue;
      if (chunk[i] === 0) {
        // The delimiter came inside a group: a truncated or corrupted frame.
        countDrop(this.stats, DropReason.BadCobs);
        i++;
        open = zeroPending = false;
        len = rem = 0;
      } else {
        countDrop(this.stats, DropReason.TooLong); // only a full buffer stops a group short of a 0x00
        skip = true;
      }
    }
    this.len = len;
    this.rem = rem;
    this.zeroPending = zeroPending;
    this.open = open;
    this.skip = skip;
  }

  /**
   * The fast path for a frame that starts at `chunk[i]` and ends in this chunk: one tight loop, no state
   * kept per group (the implicit 0x00 after each group is written at once and taken back at the end).
   * Returns the index after the frame's delimiter, or i when the frame is cut, too long or bad: the
   * state machine in run() then does it over, byte for byte as before, so both paths agree exactly.
   */
  private wholeFrame(chunk: Uint8Array, i: number, onFrame: FrameCallback): number {
    var buf = this.buf;
    var room = this.cap + 1; // the slack byte takes the last group's early 0x00
    var n = chunk.length;
    var len = 0;
    var c = 0;
    var j = i;
    var zeroAt = -1; // as in run()
    while (j < n) {
      var code = chunk[j++];
      if (code === 0) {
        if (c === 0) return j; // idle 0x00 between frames
        // Idle state first, as at any delimiter: right for bytes onFrame feeds, and should it throw.
        this.len = this.rem = 0;
        this.zeroPending = this.open = this.skip = false;
        this.finish(c === 0xff ? len : len - 1, onFrame);
        return j;
      }
      c = code;
      var end = j + c - 1;
      if (end > n || len + c > room) return i;
      if (c > BULK) {
        if (zeroAt < j) zeroAt = nextZero(chunk, j, n);
        if (zeroAt < end) return i;
        buf.set(chunk.subarray(j, end), len);
        len += c - 1;
        j = end;
      }
      while (j < end) {
        var b = chunk[j];
        if (b === 0) return i;
        buf[len++] = b;
        j++;
      }
      if (c !== 0xff) buf[len++] = 0;
    }
    return i;
  }

  /** Checks a complete decoded frame (frame ‖ CRC) of `size` bytes at the start of the buffer. */
  private finish(size: number, onFrame: FrameCallback): void {
    var stats = this.stats;
    if (size < HEADER_SIZE + CRC_SIZE) {
      countDrop(stats, DropReason.TooShort);
      return;
    }
    var buf = this.buf;
    var frameSize = size - CRC_SIZE;
    if (!crc32Matches(buf, 0, frameSize)) {
      countDrop(stats, DropReason.BadCrc);
      return;
    }
    var why = decodeHeader(buf, 0, frameSize, this.header);
    if (why !== null) {
      countDrop(stats, why);
      return;
    }
    stats.framesIn++;
    onFrame((this.view = sameView(this.view, buf, frameSize)));
  }
}
