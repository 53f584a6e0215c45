// Hex text for ids and bytes: the one formatter tools, logs and error messages use (ES5, no Buffer).

var DIGITS = "0123456789abcdef";

/** A u32 as 8 lower-case hex digits, e.g. "2d2ce39e" (schema hashes in manifests, NATS subjects). */
export function hex32(n: number): string {
  return ("0000000" + (n >>> 0).toString(16)).slice(-8);
}

/** A u32 id as people read it in logs and messages: "0x2d2ce39e". */
export function hexId(n: number): string {
  return "0x" + hex32(n);
}

/** A byte as "0xce". */
export function hexByte(n: number): string {
  return "0x" + DIGITS.charAt((n >> 4) & 15) + DIGITS.charAt(n & 15);
}

/** Bytes as lower-case hex without separators, e.g. "ce0100". */
export function bytesToHex(b: Uint8Array): string {
  var s = "";
  for (var i = 0; i < b.length; i++) s += DIGITS.charAt(b[i] >> 4) + DIGITS.charAt(b[i] & 15);
  return s;
}
