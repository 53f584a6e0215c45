// The receiving side of stream framing: COBS(frame ‖ CRC-32(frame) u32 LE) ‖ 0x00, in chunks of any size.
import { crc32MatchesWords } from "./crc32";
import { HEADER_SIZE, Header, newHeader, decodeHeader } from "./header";
import { DropReason, LinkStats, newLinkStats, countDrop } from "./drops";
import { CRC_SIZE, BULK, nextZero, sameView } from "./stream-bytes";

/**
 * Frames longer than this are copied natively past their first LONG bytes (see wholeFrame): that costs a
 * view (~100 heap bytes) per frame, so frames up to here, the hot path, are copied by loop and allocate nothing.
 */
var LONG = 256;

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
  private words: Int32Array; // buf read 4 bytes at a time, for the CRC
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
    this.buf = new Uint8Array((this.cap + 4) & ~3);
    this.words = new Int32Array(this.buf.buffer);
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
    // Each stream byte after the first code byte is one frame byte: data bytes as they are, code bytes
    // standing for the 0x00 that ends the group before (or for nothing after a 0xFF group: then the rest
    // moves down one byte, natively). So: one copy loop up to the delimiter, then a walk along the code
    // bytes, fixing where each lies.
    var buf = this.buf;
    var code = chunk[i];
    if (code === 0) return i + 1; // idle 0x00 between frames
    var stop = i + 2 + this.cap; // the delimiter of the longest frame (maxFrame + CRC) is at i + 1 + cap
    if (stop > chunk.length) stop = chunk.length;
    var j = i + 1;
    var k = 0;
    var head = stop < j + LONG ? stop : j + LONG;
    var q = i + code; // the next code byte; the walk below is begun here, behind the copy, so the CPU overlaps them
    for (var stop4 = head - 3; j < stop4; j += 4, k += 4) {
      var b0 = chunk[j];
      var b1 = chunk[j + 1];
      var b2 = chunk[j + 2];
      var b3 = chunk[j + 3];
      if (b0 === 0 || b1 === 0 || b2 === 0 || b3 === 0) break;
      buf[k] = b0;
      buf[k + 1] = b1;
      buf[k + 2] = b2;
      buf[k + 3] = b3;
      if (q < j + 4 && code !== 0xff) {
        buf[q - i - 1] = 0;
        code = chunk[q];
        q += code;
      }
    }
    while (j < head) {
      var b = chunk[j];
      if (b === 0) break;
      buf[k++] = b;
      j++;
    }
    if (j === head && head < stop) {
      // A long frame: the rest up to the delimiter natively (one view, as on the state machine's bulk path).
      var z = nextZero(chunk, j, stop);
      if (z > stop) z = stop;
      buf.set(chunk.subarray(j, z), k);
      k += z - j;
      j = z;
    }
    if (j === stop) return i; // cut by the chunk's end, or too long: the state machine sees to it
    while (q < j) {
      var at = k - (j - q); // where chunk[q] is in buf, after the bytes removed so far
      if (code !== 0xff) buf[at] = 0;
      else {
        buf.set(buf.subarray(at + 1, k), at); // rare (runs of 254 non-zero bytes): a view, no copy
        k--;
      }
      code = chunk[q];
      q += code;
    }
    if (q !== j) return i; // the last group runs past the delimiter: BadCobs, counted by run()
    this.len = this.rem = 0;
    this.zeroPending = this.open = this.skip = false;
    this.finish(k, onFrame);
    return j + 1;
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
    if (!crc32MatchesWords(this.words, buf, frameSize)) {
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
