// CRC-32 as in zlib, PNG and Ethernet (CRC-32/ISO-HDLC): reflected polynomial 0xEDB88320,
// init 0xFFFFFFFF, final xor 0xFFFFFFFF. crc32("123456789") = 0xCBF43926.

import { jitEngine } from "./engine";

/** Espruino's built-in, when present. Declared here (module scope) so no Node or DOM types are needed. */
declare var E: any;

var POLY = 0xedb88320;
var CHECK_INPUT = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]; // "123456789"
var CHECK_VALUE = 0xcbf43926;
/** Inputs at least this long use the wide tables, folding 4 or 8 bytes per step. */
var WIDE_MIN = 16;

// Tables are built on first use, so a program that never checks a CRC pays nothing.
// `table` is the classic 256 entries (1 KiB); `wide` is `slices` x 256 of them: slicing-by-8 (8 KiB,
// ~1.5x slicing-by-4 and ~3x bytewise in V8) on JIT engines, slicing-by-4 (4 KiB) on devices.
var table: Int32Array | null = null;
var wide: Int32Array | null = null;
var slices = jitEngine ? 8 : 4;
var compact = false;

function buildTable(): Int32Array {
  var t = new Int32Array(256);
  for (var n = 0; n < 256; n++) {
    var c = n;
    for (var k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

/** Entry [s*256 + n] is the CRC of byte n followed by s zero bytes: one lookup per byte of a step. */
function buildWide(t: Int32Array): Int32Array {
  var w = new Int32Array(slices * 256);
  for (var n = 0; n < 256; n++) w[n] = t[n];
  for (var s = 256; s < w.length; s += 256) {
    for (var m = 0; m < 256; m++) {
      var prev = w[s - 256 + m];
      w[s + m] = (prev >>> 8) ^ t[prev & 255];
    }
  }
  return w;
}

/**
 * The native CRC, detected once at load. It is used only if it gives the check value: a firmware
 * whose E.CRC32 computed another CRC-32 variant would otherwise break every frame silently.
 */
var native: ((bytes: Uint8Array) => number) | null = (function () {
  if (typeof E === "undefined" || !E || typeof E.CRC32 !== "function") return null;
  try {
    var fn = function (bytes: Uint8Array): number {
      return E.CRC32(bytes) >>> 0;
    };
    return fn(new Uint8Array(CHECK_INPUT)) === CHECK_VALUE ? fn : null;
  } catch (e) {
    return null;
  }
})();

/**
 * CRC-32 of `bytes[start..end)`. Incremental: pass the previous result as `seed` to continue,
 * so crc32(b, m, n, crc32(b, 0, m)) === crc32(b, 0, n). Returns an unsigned 32-bit number.
 */
export function crc32(bytes: Uint8Array, start?: number, end?: number, seed?: number): number {
  var i = start || 0;
  var to = end === undefined ? bytes.length : end;
  if (native !== null && !seed) return native(i === 0 && to === bytes.length ? bytes : bytes.subarray(i, to));
  crcInto(bytes, i, to, seed || 0);
  return result[0] >>> 0;
}

/**
 * The CRC as an int32 in a typed array, not a return value: a CRC of 2^30 or more returned from a call
 * the JIT does not inline is a heap number, one allocation per frame on the stream's hot path.
 */
var result = new Int32Array(1);

/** CRC-32 of `bytes[start..end)` as a signed 32-bit number: the stream's hot path, with no allocation. */
export function crc32Int(bytes: Uint8Array, start: number, end: number): number {
  if (native !== null) return native(bytes.subarray(start, end)) | 0;
  crcInto(bytes, start, end, 0);
  return result[0];
}

/** True when the 4 bytes at `end` (little-endian) are the CRC-32 of `bytes[start..end)`. */
export function crc32Matches(bytes: Uint8Array, start: number, end: number): boolean {
  return crc32Int(bytes, start, end) === (bytes[end] | (bytes[end + 1] << 8) | (bytes[end + 2] << 16) | (bytes[end + 3] << 24));
}

function crcInto(bytes: Uint8Array, i: number, to: number, seed: number): void {
  var t = table || (table = buildTable());
  var c = ~seed;
  if (to - i >= WIDE_MIN && !compact) {
    var w = wide || (wide = buildWide(t));
    if (w.length === 2048) {
      for (var stop = to - 7; i < stop; i += 8) {
        c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
        c =
          w[1792 + (c & 255)] ^
          w[1536 + ((c >>> 8) & 255)] ^
          w[1280 + ((c >>> 16) & 255)] ^
          w[1024 + (c >>> 24)] ^
          w[768 + bytes[i + 4]] ^
          w[512 + bytes[i + 5]] ^
          w[256 + bytes[i + 6]] ^
          w[bytes[i + 7]];
      }
    }
    // Slicing-by-4 (the first 4 x 256 entries of either table): all of it on devices, the rest after the
    // 8-byte steps otherwise, so that at most 3 bytes go one at a time (a byte step costs about a 4-byte one).
    for (var end4 = to - 3; i < end4; i += 4) {
      c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      c = w[768 + (c & 255)] ^ w[512 + ((c >>> 8) & 255)] ^ w[256 + ((c >>> 16) & 255)] ^ w[c >>> 24];
    }
  }
  for (; i < to; i++) c = t[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  result[0] = ~c;
}

/**
 * The slicing-by-8 table (8 x 256 int32, entry [s*256 + n] as in buildWide; the first 256 are the
 * bytewise table) for code that computes the CRC in its own pass over the bytes (the stream encoder's
 * fused COBS + CRC loop), or null where that does not pay: a native CRC, the compact table, slicing-by-4.
 */
export function crc32Table8(): Int32Array | null {
  if (native !== null || compact || slices !== 8) return null;
  return wide || (wide = buildWide(table || (table = buildTable())));
}

/** True where an Int32Array stores little-endian (every JIT host in use): then 4 bytes read as one int32 are in CRC order. */
export var littleEndian = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

/**
 * True when the 4 bytes at `n` (little-endian) are the CRC-32 of `bytes[0..n)`, reading the bytes 4 at a
 * time through `words`, an Int32Array over the same memory from byte 0 (a buffer the caller made, so
 * aligned). Slicing-by-8 from crc32Table8() on little-endian JIT hosts; crc32Matches() elsewhere.
 */
export function crc32MatchesWords(words: Int32Array, bytes: Uint8Array, n: number): boolean {
  var w = littleEndian ? crc32Table8() : null;
  if (w === null) return crc32Matches(bytes, 0, n);
  var c = -1;
  var i = 0;
  var k = 0;
  for (var stop = n - 7; i < stop; i += 8, k += 2) {
    var y = words[k + 1];
    c ^= words[k];
    c =
      w[1792 + (c & 255)] ^
      w[1536 + ((c >>> 8) & 255)] ^
      w[1280 + ((c >>> 16) & 255)] ^
      w[1024 + (c >>> 24)] ^
      w[768 + (y & 255)] ^
      w[512 + ((y >>> 8) & 255)] ^
      w[256 + ((y >>> 16) & 255)] ^
      w[y >>> 24];
  }
  if (n - i >= 4) {
    c ^= words[k];
    c = w[768 + (c & 255)] ^ w[512 + ((c >>> 8) & 255)] ^ w[256 + ((c >>> 16) & 255)] ^ w[c >>> 24];
    i += 4;
  }
  for (; i < n; i++) c = w[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return ~c === (bytes[n] | (bytes[n + 1] << 8) | (bytes[n + 2] << 16) | (bytes[n + 3] << 24));
}

/**
 * Keeps the CRC to the 1 KiB table (2.5-3x slower on long inputs): for firmware where the 3 KiB more
 * of slicing-by-4 matter more than speed. Call it at start-up, before the first CRC.
 */
export function crc32Compact(on: boolean): void {
  compact = on;
  if (on) wide = null;
}

/** Chooses slicing-by-4 or -8 (the default follows the engine, see above): for firmware tuning and tests. */
export function crc32Slices(n: 4 | 8): void {
  slices = n;
  wide = null;
}

/** True when the native (firmware) CRC is in use; for diagnostics and tests. */
export function crc32IsNative(): boolean {
  return native !== null;
}
