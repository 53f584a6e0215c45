// Base64 (RFC 4648, standard alphabet, padded) for bytes inside JSON. ES5 engines have no btoa/atob
// everywhere, and those work on binary strings anyway.

var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Char code -> 6-bit value, or -1; built on first use so a bundle that never decodes pays nothing. */
var lookup: number[] | null = null;

export function base64Encode(bytes: Uint8Array): string {
  var out: string[] = [];
  var n = bytes.length;
  var i = 0;
  for (; i + 2 < n; i += 3) {
    var v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out.push(ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63) + ALPHABET.charAt(v & 63));
  }
  if (n - i === 1) {
    out.push(ALPHABET.charAt(bytes[i] >> 2) + ALPHABET.charAt((bytes[i] & 3) << 4) + "==");
  } else if (n - i === 2) {
    var w = (bytes[i] << 8) | bytes[i + 1];
    out.push(ALPHABET.charAt(w >> 10) + ALPHABET.charAt((w >> 4) & 63) + ALPHABET.charAt((w & 15) << 2) + "=");
  }
  return out.join("");
}

/** Decodes padded base64; returns null for anything else (wrong length, stray characters, bad padding). */
export function base64Decode(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  if (!lookup) {
    lookup = [];
    for (var c = 0; c < 128; c++) lookup.push(-1);
    for (var a = 0; a < 64; a++) lookup[ALPHABET.charCodeAt(a)] = a;
  }
  var pad = text.length > 0 && text.charAt(text.length - 1) === "=" ? (text.charAt(text.length - 2) === "=" ? 2 : 1) : 0;
  var out = new Uint8Array((text.length / 4) * 3 - pad);
  var o = 0;
  for (var i = 0; i < text.length; i += 4) {
    var v = 0;
    for (var j = 0; j < 4; j++) {
      var code = text.charCodeAt(i + j);
      var six = code < 128 ? lookup[code] : -1;
      if (six < 0) {
        // "=" is allowed only as the last `pad` characters
        if (code !== 61 || i + j < text.length - pad) return null;
        six = 0;
      }
      v = (v << 6) | six;
    }
    // Leftover bits beside the padding must be zero, so each byte string has exactly one spelling.
    if (i + 4 === text.length && ((pad === 2 && (v & 0xffff) !== 0) || (pad === 1 && (v & 0xff) !== 0))) return null;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  return out;
}
