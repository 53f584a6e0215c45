// UTF-8 without TextEncoder/TextDecoder, which Duktape, Espruino and JerryScript lack.

/** Bytes needed to encode `text` as UTF-8 (lone surrogates count as U+FFFD). */
export function utf8Length(text: string): number {
  var n = 0;
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes `text` as UTF-8 into `out` at `offset`; returns the offset after it. `out` must have room (see utf8Length). */
export function utf8Write(text: string, out: Uint8Array, offset: number): number {
  var p = offset;
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c < 0xe000) {
        var d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && (d & 0xfc00) === 0xdc00) {
          var cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[p++] = 0xf0 | (cp >> 18);
          out[p++] = 0x80 | ((cp >> 12) & 63);
          out[p++] = 0x80 | ((cp >> 6) & 63);
          out[p++] = 0x80 | (cp & 63);
          continue;
        }
        c = 0xfffd; // lone surrogate
      }
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 63);
      out[p++] = 0x80 | (c & 63);
    }
  }
  return p;
}

export function utf8Encode(text: string): Uint8Array {
  var out = new Uint8Array(utf8Length(text));
  utf8Write(text, out, 0);
  return out;
}

/**
 * Short ASCII text (names, units, symbols: most strings on the wire), or null if any byte is not ASCII.
 * Four chars per fromCharCode call: no array, no apply, few intermediate strings.
 */
function shortAscii(bytes: Uint8Array, i: number, stop: number): string | null {
  var all = 0;
  for (var j = i; j < stop; j++) all |= bytes[j];
  if (all >= 0x80) return null;
  var s = "";
  for (; i + 4 <= stop; i += 4) s += String.fromCharCode(bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]);
  for (; i < stop; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Decodes UTF-8; malformed sequences become U+FFFD, never an exception. */
export function utf8Decode(bytes: Uint8Array, start?: number, end?: number): string {
  var i = start || 0;
  var stop = end === undefined ? bytes.length : end;
  if (stop - i <= 64) {
    var ascii = shortAscii(bytes, i, stop);
    if (ascii !== null) return ascii;
  }
  var s = "";
  var chunk: number[] = [];
  while (i < stop) {
    var b = bytes[i++];
    var cp: number;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && i < stop && (bytes[i] & 0xc0) === 0x80) {
      cp = ((b & 31) << 6) | (bytes[i++] & 63);
    } else if (b >= 0xe0 && b < 0xf0 && i + 1 < stop && (bytes[i] & 0xc0) === 0x80 && (bytes[i + 1] & 0xc0) === 0x80) {
      cp = ((b & 15) << 12) | ((bytes[i] & 63) << 6) | (bytes[i + 1] & 63);
      i += 2;
      if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) cp = 0xfffd;
    } else if (
      b >= 0xf0 &&
      b < 0xf5 &&
      i + 2 < stop &&
      (bytes[i] & 0xc0) === 0x80 &&
      (bytes[i + 1] & 0xc0) === 0x80 &&
      (bytes[i + 2] & 0xc0) === 0x80
    ) {
      cp = ((b & 7) << 18) | ((bytes[i] & 63) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      i += 3;
      if (cp < 0x10000 || cp > 0x10ffff) cp = 0xfffd;
    } else cp = 0xfffd;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023));
    } else chunk.push(cp);
    if (chunk.length >= 4096) {
      s += String.fromCharCode.apply(null, chunk);
      chunk = [];
    }
  }
  return s + String.fromCharCode.apply(null, chunk);
}
