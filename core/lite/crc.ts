// CRC-32/ISO-HDLC (zlib), bit by bit: no table, so no RAM and the fewest bytes of code; eight shifts a
// byte is fast enough for a device's frames. Espruino builds use the native E.CRC32 instead.
export function crc32(b: Uint8Array): number {
  for (var c = -1, i = 0, k: number; i < b.length; i++) for (c ^= b[i], k = 8; k--; ) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  return ~c >>> 0;
}
