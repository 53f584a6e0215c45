// CRC-32/ISO-HDLC (zlib), bit by bit: no table, so no RAM and the fewest bytes of code; eight shifts a
// byte is fast enough for a device's frames. Espruino builds use the native E.CRC32 instead.
/** The CRC as a signed 32-bit number (`>>> 0` for the unsigned one): stream.ts compares it bitwise. */
export function crc32(b: Uint8Array): number {
  // One loop over the bits: a byte joins the register at every eighth step.
  for (var c = -1, i = 0; i < b.length * 8; i++) {
    if (!(i & 7)) c ^= b[i >> 3];
    c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c;
}
