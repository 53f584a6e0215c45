// Stream framing (UART, TCP, pty, BLE UART): COBS(frame ‖ CRC-32(frame) u32 LE) ‖ 0x00.
// See spec/wire-format.md, "Stream links".
import { crc32 } from "./crc32";
import { cobsMaxEncodedLength } from "./cobs";
import { HEADER_SIZE, Header, newHeader, decodeHeader, readU32, writeU32 } from "./header";
import { DropReason, LinkStats, newLinkStats, countDrop } from "./drops";

/** Bytes a stream adds around a frame: the CRC, and the 0x00 delimiter (COBS overhead comes on top). */
export var CRC_SIZE = 4;

/** Most stream bytes a frame of `n` bytes becomes: COBS of n + 4 CRC bytes, plus the delimiter. */
export function streamEncodedMaxLength(n: number): number {
  return cobsMaxEncodedLength(n + CRC_SIZE) + 1;
}

/**
 * Runs at least this long are copied with Uint8Array.set (one view object per 254 bytes) rather than
 * byte by byte: native copies are much faster, above all on interpreters.
 */
var BULK_COPY = 64;
/** The encoder copies byte by byte (cheapest for short runs, as in headers) until a group has this code. */
var BULK_AFTER = 64;

var hasIndexOf = typeof (Uint8Array.prototype as any).indexOf === "function";

/**
 * Index of the first 0x00 in `b[from..n)`, or n. Looks at a few bytes itself first (headers are dense
 * with zeros, and a native call costs more than that), then uses native indexOf where the engine has it.
 */
function nextZero(b: Uint8Array, from: number, n: number): number {
  var near = from + 16 < n ? from + 16 : n;
  while (from < near) {
    if (b[from] === 0) return from;
    from++;
  }
  if (from === n) return n;
  if (hasIndexOf) {
    var z = b.indexOf(0, from);
    return z < 0 ? n : z;
  }
  while (from < n && b[from] !== 0) from++;
  return from;
}

/**
 * `out[0..length)`, reusing `last` when it is that view already (callers drop `last` when `out` changes):
 * frames of one size then cost no allocation at all.
 */
function sameView(last: Uint8Array | null, out: Uint8Array, length: number): Uint8Array {
  return last !== null && last.length === length ? last : out.subarray(0, length);
}

/** Encodes frames for a byte stream into one reused buffer. */
export class StreamEncoder {
  private out: Uint8Array;
  private crcBytes = new Uint8Array(CRC_SIZE);
  private view: Uint8Array | null = null;
  // COBS state carried from the frame bytes to the CRC bytes, which are stuffed as one string.
  private codeAt = 0;
  private p = 0;
  private code = 0;

  /** `expectedFrame` sizes the first buffer; a larger frame grows it once. */
  constructor(expectedFrame?: number) {
    this.out = new Uint8Array(streamEncodedMaxLength(expectedFrame || 64));
  }

  /** The stream bytes for `frame`: a view of the reused buffer, valid until the next call. */
  encode(frame: Uint8Array): Uint8Array {
    var need = streamEncodedMaxLength(frame.length);
    if (this.out.length < need) {
      this.out = new Uint8Array(need);
      this.view = null;
    }
    writeU32(this.crcBytes, 0, crc32(frame));
    this.codeAt = 0;
    this.p = 1;
    this.code = 1;
    this.stuff(frame);
    this.stuff(this.crcBytes);
    var out = this.out;
    out[this.codeAt] = this.code;
    out[this.p] = 0;
    return (this.view = sameView(this.view, out, this.p + 1));
  }

  private stuff(src: Uint8Array): void {
    var out = this.out;
    var codeAt = this.codeAt;
    var p = this.p;
    var code = this.code;
    var zeroAt = -1; // the next 0x00 in src once looked up, so long runs scan src only once
    for (var i = 0, n = src.length; i < n; i++) {
      var b = src[i];
      if (b === 0) {
        out[codeAt] = code;
        codeAt = p++;
        code = 1;
        continue;
      }
      out[p++] = b;
      if (++code === BULK_AFTER) {
        // A long run of non-zero bytes: copy the rest of this group natively.
        if (zeroAt <= i) zeroAt = nextZero(src, i + 1, n);
        var stop = i + 1 + 0xff - code;
        if (stop > zeroAt) stop = zeroAt;
        var run = stop - i - 1;
        if (run > 0) {
          out.set(src.subarray(i + 1, stop), p);
          p += run;
          code += run;
          i = stop - 1;
        }
      }
      if (code === 0xff) {
        out[codeAt] = code;
        codeAt = p++;
        code = 1;
      }
    }
    this.codeAt = codeAt;
    this.p = p;
    this.code = code;
  }
}

type FrameCallback = (frame: Uint8Array) => void;

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
    this.buf = new Uint8Array(maxFrame + CRC_SIZE);
  }

  /** Size of the one receive buffer (maxFrame + 4); it never changes. */
  get capacity(): number {
    return this.buf.length;
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
      while (this.queue.length > 0) {
        var q = this.queue.shift()!;
        this.run(q.bytes, q.onFrame);
      }
      this.run(chunk, onFrame);
      while (this.queue.length > 0) {
        var r = this.queue.shift()!;
        this.run(r.bytes, r.onFrame);
      }
    } finally {
      this.busy = false;
    }
  }

  private run(chunk: Uint8Array, onFrame: FrameCallback): void {
    var buf = this.buf;
    var cap = buf.length;
    var n = chunk.length;
    var len = this.len;
    var rem = this.rem;
    var zeroPending = this.zeroPending;
    var open = this.open;
    var skip = this.skip;
    var i = 0;
    var zeroAt = -1; // the next 0x00 at or after i (n if none); found once per delimiter, so the scan stays linear
    while (i < n) {
      if (zeroAt < i) zeroAt = nextZero(chunk, i, n);
      if (skip) {
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
          this.rem = rem = 0;
          this.zeroPending = zeroPending = false;
          this.open = open = false;
          this.skip = false;
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
      // Data bytes of the current group, up to its end, the next 0x00, or a full buffer.
      var stop = i + rem;
      if (stop > zeroAt) stop = zeroAt;
      if (stop - i > cap - len) stop = i + cap - len;
      var run = stop - i;
      if (run >= BULK_COPY) {
        buf.set(chunk.subarray(i, stop), len); // native copy: far faster than a loop on interpreters
        len += run;
        i = stop;
      } else {
        while (i < stop) buf[len++] = chunk[i++];
      }
      rem -= run;
      if (rem > 0 && i < n) {
        if (i === zeroAt) {
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
    }
    this.len = len;
    this.rem = rem;
    this.zeroPending = zeroPending;
    this.open = open;
    this.skip = skip;
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
    if (crc32(buf, 0, frameSize) !== readU32(buf, frameSize)) {
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
