// CRC-32 as in zlib, PNG and Ethernet (CRC-32/ISO-HDLC): reflected polynomial 0xEDB88320,
// init 0xFFFFFFFF, final xor 0xFFFFFFFF. crc32("123456789") = 0xCBF43926.

/** Espruino's built-in, when present. Declared here (module scope) so no Node or DOM types are needed. */
declare var E: any;

var POLY = 0xedb88320;
var CHECK_INPUT = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]; // "123456789"
var CHECK_VALUE = 0xcbf43926;
/** Inputs at least this long use the 4-bytes-at-a-time tables (2.5x faster in V8); every frame is (header = 20). */
var WIDE_MIN = 16;

// Tables are built on first use, so a program that never checks a CRC pays nothing.
// `table` is the classic 256 entries (1 KiB); `wide` adds 3 x 256 more for slicing-by-4 (4 KiB in all).
var table: Int32Array | null = null;
var wide: Int32Array | null = null;
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

/** Entry [s*256 + n] is the CRC of byte n followed by s zero bytes: four lookups then fold four bytes at once. */
function buildWide(t: Int32Array): Int32Array {
  var w = new Int32Array(1024);
  for (var n = 0; n < 256; n++) w[n] = t[n];
  for (var s = 256; s < 1024; s += 256) {
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
  var t = table || (table = buildTable());
  var c = ~(seed || 0);
  if (to - i >= WIDE_MIN && !compact) {
    var w = wide || (wide = buildWide(t));
    for (var stop = to - ((to - i) & 3); i < stop; i += 4) {
      c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      c = w[768 + (c & 255)] ^ w[512 + ((c >>> 8) & 255)] ^ w[256 + ((c >>> 16) & 255)] ^ t[c >>> 24];
    }
  }
  for (; i < to; i++) c = t[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Keeps the CRC to the 1 KiB table (about 2.5x slower on long inputs): for firmware where 3 KiB of RAM
 * matter more than speed. Call it at start-up, before the first CRC.
 */
export function crc32Compact(on: boolean): void {
  compact = on;
  if (on) wide = null;
}

/** True when the native (firmware) CRC is in use; for diagnostics and tests. */
export function crc32IsNative(): boolean {
  return native !== null;
}
